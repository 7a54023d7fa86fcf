import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import { computeCostMicroUsd } from "../cost/compute-cost.ts";
import type { Target } from "../router/plan.ts";
import { resolveEscalation } from "../router/resolve-model.ts";
import { adapterFor, requestFor } from "./call-target.ts";
import { orderChain } from "./order-plan.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { runDownChain } from "./run-down-chain.ts";
import { validateAnswer } from "./validate-answer.ts";
import { routeOf } from "../config/route-of.ts";
import type { RouteConfig } from "../config/schema.ts";

export interface ChatOutcome {
  result: ChatResult;
  target: Target;
}

/**
 * Runs a non-streaming request down the plan's chain: the first target that answers wins. On a
 * route with `validate`, an answer that fails it is counted, and — when the route has
 * `escalate_to` — the request runs again on that lane or route (once); the client gets the
 * escalated answer, and the receipt's cost includes both.
 */
export function runChat(draft: ReceiptDraft, request: ChatRequest, signal: AbortSignal, targets?: readonly Target[]): Promise<ChatOutcome> {
  const route = routeOf(draft.runtime.config, draft.plan?.route);
  // Without validation the chain's answer is the answer: no async step of its own in between.
  if (!route?.validate) return runOnce(draft, request, signal, targets);
  return runValidated(draft, request, signal, { route, validate: route.validate, targets });
}

async function runValidated(
  draft: ReceiptDraft,
  request: ChatRequest,
  signal: AbortSignal,
  options: { route: RouteConfig; validate: NonNullable<RouteConfig["validate"]>; targets: readonly Target[] | undefined },
): Promise<ChatOutcome> {
  const { route, validate } = options;
  const config = draft.runtime.config;
  const first = await runOnce(draft, request, signal, options.targets);
  const failure = validateAnswer(first.result, request, validate);
  if (failure === null) return first;
  draft.validationFailures += 1;
  draft.warnings.push(`${first.target.modelId}: answer failed validation (${failure})`);
  if (route.escalate_to === undefined) return first;
  const escalation = resolveEscalation(config, route.escalate_to);
  draft.escalations += 1;
  const firstTtft = draft.ttftMs;
  try {
    // The escalation's models balance over their deployments like any request's.
    const second = await runOnce(draft, request, signal, orderChain(draft, escalation, draft.meta.taskId));
    // The first answer was paid for too.
    draft.addDiscardedCost(first.result.usage === null ? 0 : computeCostMicroUsd(first.result.usage, draft.runtime.priceOf(first.target)));
    const again = validateAnswer(second.result, request, validate);
    if (again !== null) {
      draft.validationFailures += 1;
      draft.warnings.push(`${second.target.modelId}: escalated answer also failed validation (${again})`);
    }
    return second;
  } catch (err) {
    // The escalation failed outright: the first answer, flawed as it is, is still an answer.
    if (signal.aborted) throw err;
    draft.warnings.push(`escalation to ${route.escalate_to} failed; returning the first answer (${err instanceof Error ? err.message : String(err)})`);
    keepAnswer(draft, first, firstTtft);
    return first;
  }
}

/** Puts a kept answer back on the receipt after a later attempt overwrote it. */
function keepAnswer(draft: ReceiptDraft, outcome: ChatOutcome, ttftMs: number | null): void {
  draft.target = outcome.target;
  draft.usage = outcome.result.usage;
  draft.upstreamModelReported = outcome.result.model;
  draft.finishReason = outcome.result.finishReason;
  draft.toolCalls = outcome.result.toolCalls.length;
  draft.ttftMs = ttftMs;
}

function runOnce(draft: ReceiptDraft, request: ChatRequest, signal: AbortSignal, targets?: readonly Target[]): Promise<ChatOutcome> {
  const runtime = draft.runtime;
  return runDownChain(
    draft,
    signal,
    // A callback, not an async function: one promise step per attempt instead of two.
    ({ target, timeouts, startedMs }) =>
      adapterFor(runtime, target)
        .chat(requestFor(runtime, request, target), {
          signal,
          timeoutMs: timeouts.totalMs,
          idleTimeoutMs: timeouts.idleMs,
          warn: draft.warnFor(target),
        })
        .then((result) => {
          draft.recordAnswered(target, runtime.monotonicMs() - startedMs);
          draft.ttftMs = draft.elapsedMs();
          draft.usage = result.usage;
          draft.upstreamModelReported = result.model;
          draft.finishReason = result.finishReason;
          draft.toolCalls = result.toolCalls.length;
          return { result, target };
        }),
    targets === undefined ? {} : { targets },
  );
}
