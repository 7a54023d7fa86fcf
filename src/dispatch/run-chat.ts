import { GatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import type { Target } from "../router/plan.ts";
import { adapterFor, attemptError, requestFor } from "./call-target.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { allAttemptsFailed, attemptTimeouts } from "./attempt-policy.ts";

export interface ChatOutcome {
  result: ChatResult;
  target: Target;
}

/**
 * Runs a non-streaming request down the plan's chain: the first target that answers wins;
 * an error that may fall back moves on to the next target, any other error ends the request.
 */
export async function runChat(draft: ReceiptDraft, request: ChatRequest, signal: AbortSignal): Promise<ChatOutcome> {
  const plan = draft.plan;
  if (!plan) throw new GatewayError("internal", "runChat called before the request was planned");
  const runtime = draft.runtime;
  const timeouts = attemptTimeouts(runtime.config, plan);
  let lastError: GatewayError | null = null;
  for (const target of plan.targets) {
    draft.target = target;
    const started = runtime.monotonicMs();
    try {
      const adapter = adapterFor(runtime, target);
      const result = await adapter.chat(requestFor(request, target), {
        signal,
        timeoutMs: timeouts.totalMs,
        idleTimeoutMs: timeouts.idleMs,
      });
      const latencyMs = runtime.monotonicMs() - started;
      draft.recordAttempt({
        provider: target.provider,
        model: target.modelId,
        upstreamModel: target.upstreamModel,
        status: 200,
        errorKind: null,
        errorMessage: null,
        latencyMs,
        ttftMs: latencyMs,
      });
      draft.ttftMs = draft.elapsedMs();
      draft.usage = result.usage;
      draft.upstreamModelReported = result.model;
      draft.finishReason = result.finishReason;
      draft.toolCalls = result.toolCalls.length;
      return { result, target };
    } catch (err) {
      const error = attemptError(err, target, signal);
      draft.recordAttempt({
        provider: target.provider,
        model: target.modelId,
        upstreamModel: target.upstreamModel,
        status: error.upstreamStatus ?? null,
        errorKind: error.kind,
        errorMessage: error.message,
        latencyMs: runtime.monotonicMs() - started,
        ttftMs: null,
      });
      lastError = error;
      if (error.kind === "client_closed" || !error.fallback) throw error;
    }
  }
  throw allAttemptsFailed(draft, lastError);
}
