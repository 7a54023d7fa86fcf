import { setTimeout as sleep } from "node:timers/promises";
import { GatewayError } from "../core/errors.ts";
import { backoffDelayMs } from "../router/backoff.ts";
import { deploymentKey, type Target } from "../router/plan.ts";
import { nextStep, type NextStep, type TargetFacts } from "../router/retry-policy.ts";
import { attemptError } from "./call-target.ts";
import { allAttemptsFailed, chainSettings, type AttemptTimeouts, type ChainSettings } from "./attempt-policy.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";

export interface AttemptContext {
  target: Target;
  timeouts: AttemptTimeouts;
  /** Monotonic ms when this attempt began. */
  startedMs: number;
}

export interface ChainOptions {
  /** The chain to run; default: the plan's, ordered by balance strategy and guards. */
  targets?: readonly Target[];
}

/**
 * The one loop over a plan's chain. Each target is tried in order; a failed attempt is recorded,
 * fed to the deployment's breaker, and the retry policy says what next: the same target again
 * after a jittered backoff (while the gateway's retry budget and the request's deadline allow),
 * a later target (skipping those whose breaker is open, or too small for a context-length
 * error), or stop. When every attempt failed, the error lists each one.
 */
export async function runDownChain<T>(
  draft: ReceiptDraft,
  signal: AbortSignal,
  attempt: (context: AttemptContext) => Promise<T>,
  options: ChainOptions = {},
): Promise<T> {
  const plan = draft.plan;
  if (!plan) throw new GatewayError("internal", "a request was dispatched before it was planned");
  const runtime = draft.runtime;
  const health = runtime.health;
  const settings = chainSettings(runtime.config, plan, draft.meta.timeoutMs ?? null);
  const deadline = draft.startedMono + settings.deadlineMs;
  const targets = options.targets ?? plan.targets;
  let lastError: GatewayError | null = null;
  // An escalation runs a second chain on the same draft: its failure lists its own attempts.
  const firstAttempt = draft.attempts.length;
  let index = 0;
  let retriesHere = 0;
  let tried = 0;
  while (index < targets.length) {
    const target = targets[index] as Target;
    const key = deploymentKey(target);
    const remainingMs = deadline - runtime.monotonicMs();
    if (remainingMs < MIN_ATTEMPT_MS) throw deadlineExceeded(draft, settings, lastError, firstAttempt);
    const admission = health.admit(key);
    if (!admission.allowed) {
      if (!draft.skipped.includes(key)) draft.skipped.push(key);
      index += 1;
      retriesHere = 0;
      continue;
    }
    if (tried > 0 && retriesHere === 0) draft.fallbacks += 1;
    tried += 1;
    draft.target = target;
    const startedMs = runtime.monotonicMs();
    const timeouts = clip(settings.timeouts, health.ttftTimeoutMs(key, settings.timeouts.ttftMs), remainingMs);
    try {
      const value = await attempt({ target, timeouts, startedMs });
      health.record(key, admission.ticket, "success");
      // Only streams measure a first token; a whole answer's time would loosen the adaptive limit.
      if (draft.meta.stream && draft.ttftMs !== null) health.observe(key, { ttftMs: draft.ttftMs - (startedMs - draft.startedMono) });
      return value;
    } catch (err) {
      const error = attemptError(err, target, signal);
      draft.recordAttempt({
        provider: target.provider,
        model: target.modelId,
        upstreamModel: target.upstreamModel,
        status: error.upstreamStatus ?? null,
        errorKind: error.kind,
        errorMessage: error.message,
        latencyMs: runtime.monotonicMs() - startedMs,
        ttftMs: null,
      });
      health.record(key, admission.ticket, error.kind);
      // Whatever the failed attempt reported is not what the client will get.
      draft.usage = null;
      draft.finishReason = null;
      draft.toolCalls = 0;
      draft.upstreamModelReported = null;
      draft.ttftMs = null;
      lastError = error;
      if (error.kind === "client_closed") throw error;
      const step = await decide({ draft, error, settings, targets, index, retriesHere, deadline, signal });
      if (step.step === "retry_same") {
        retriesHere += 1;
        draft.retries += 1;
        continue;
      }
      if (step.step === "stop") throw allAttemptsFailed(draft, error, firstAttempt);
      // Targets jumped over because their breaker is open are skipped as much as those met in the loop.
      for (const passed of targets.slice(index + 1, index + 1 + step.index)) {
        const passedKey = deploymentKey(passed);
        if (!health.isAvailable(passedKey) && !draft.skipped.includes(passedKey)) draft.skipped.push(passedKey);
      }
      index += 1 + step.index;
      retriesHere = 0;
    }
  }
  if (lastError === null) throw allBreakersOpen(draft);
  throw allAttemptsFailed(draft, lastError, firstAttempt);
}

interface DecideInput {
  draft: ReceiptDraft;
  error: GatewayError;
  settings: ChainSettings;
  targets: readonly Target[];
  index: number;
  retriesHere: number;
  deadline: number;
  signal: AbortSignal;
}

/** Retry here (after waiting out the backoff), move on, or stop. */
async function decide(input: DecideInput): Promise<NextStep> {
  const { draft, error, settings, targets, index, deadline, signal } = input;
  const runtime = draft.runtime;
  const facts = (t: Target): TargetFacts => ({
    provider: t.provider,
    contextWindow: runtime.contextWindowOf(t) ?? undefined,
    available: runtime.health.isAvailable(deploymentKey(t)),
  });
  const current = targets[index] as Target;
  const remaining = targets.slice(index + 1).map(facts);
  // A slow first token moves on: waiting as long again on the same deployment is the worst bet.
  const movesOn = error.kind === "timeout" && remaining.some((t) => t.available !== false);
  // This very failure may have opened the target's breaker: then there is nothing to retry on.
  const currentOpen = !runtime.health.isAvailable(deploymentKey(current));
  const base = {
    error: { kind: error.kind, retryAfterMs: error.retryAfterMs },
    attemptOnTarget: input.retriesHere,
    maxRetries: settings.maxRetries,
    current: facts(current),
    remaining,
    retryAfterCapMs: settings.retryAfterCapMs,
  };
  // A hint above the cap is left to backoffDelayMs, so that the receipt says why there was no retry.
  const step = nextStep({ ...base, retryAfterCapMs: undefined, retrySameAllowed: !movesOn && !currentOpen });
  if (step.step !== "retry_same") return step;
  const delay = backoffDelayMs({
    attempt: input.retriesHere,
    baseMs: settings.backoffBaseMs,
    maxMs: settings.backoffMaxMs,
    random: runtime.random,
    retryAfterMs: error.retryAfterMs,
    retryAfterCapMs: settings.retryAfterCapMs,
    remainingMs: deadline - runtime.monotonicMs(),
    minAttemptMs: MIN_ATTEMPT_MS,
  });
  if ("giveUp" in delay || !runtime.health.tryRetry()) {
    const reason = "giveUp" in delay ? (delay.giveUp === "deadline" ? "the deadline is too close" : "the upstream asked for a longer wait than retry_after_cap_ms") : "the gateway's retry budget is spent";
    draft.warnings.push(`${current.modelId}: not retried (${reason})`);
    return nextStep({ ...base, retrySameAllowed: false });
  }
  if (delay.delayMs > 0) {
    try {
      await sleep(delay.delayMs, undefined, { signal });
    } catch {
      throw new GatewayError("client_closed", "the client closed the connection", { provider: current.provider });
    }
  }
  return step;
}

/**
 * Less time than this left before the deadline: no attempt is started. It could not answer, and
 * would only cost the upstream a request. It also absorbs timers that fire a little early, so an
 * attempt cut to the deadline ends the request instead of handing a sliver to the next target.
 */
const MIN_ATTEMPT_MS = 10;

function clip(base: AttemptTimeouts, ttftMs: number, remainingMs: number): AttemptTimeouts {
  // Rounded up: an attempt cut to the deadline runs until it, not a fraction of a millisecond short.
  const left = Math.max(1, Math.ceil(remainingMs));
  return { ttftMs: Math.min(ttftMs, left), totalMs: Math.min(base.totalMs, left), idleMs: Math.min(base.idleMs, left) };
}

function deadlineExceeded(draft: ReceiptDraft, settings: ChainSettings, last: GatewayError | null, firstAttempt: number): GatewayError {
  const message = `The request's deadline of ${settings.deadlineMs} ms (${settings.deadlineSource}) passed before any target answered.`;
  const error = new GatewayError("timeout", last ? `${message} Last error: ${last.message}` : message, { status: 504 });
  return allAttemptsFailed(draft, error, firstAttempt);
}

function allBreakersOpen(draft: ReceiptDraft): GatewayError {
  return new GatewayError(
    "overloaded",
    `Every target of this request is unavailable: the circuit breaker of ${draft.skipped.join(", ")} is open after repeated failures. Try again shortly; see GET /admin/breakers.`,
    { status: 503 },
  );
}
