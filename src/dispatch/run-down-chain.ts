import { GatewayError } from "../core/errors.ts";
import type { Target } from "../router/plan.ts";
import { attemptError } from "./call-target.ts";
import { allAttemptsFailed, attemptTimeouts, type AttemptTimeouts } from "./attempt-policy.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";

export interface AttemptContext {
  target: Target;
  timeouts: AttemptTimeouts;
  /** Monotonic ms when this attempt began. */
  startedMs: number;
}

/**
 * The one loop over a plan's chain: tries each target in order until one succeeds. A failure
 * is recorded as an attempt; one that may fall back moves on to the next target, any other
 * ends the request. When every target failed, the error lists each attempt.
 */
export async function runDownChain<T>(
  draft: ReceiptDraft,
  signal: AbortSignal,
  attempt: (context: AttemptContext) => Promise<T>,
): Promise<T> {
  const plan = draft.plan;
  if (!plan) throw new GatewayError("internal", "a request was dispatched before it was planned");
  const runtime = draft.runtime;
  const timeouts = attemptTimeouts(runtime.config, plan);
  let lastError: GatewayError | null = null;
  for (const target of plan.targets) {
    draft.target = target;
    const startedMs = runtime.monotonicMs();
    try {
      return await attempt({ target, timeouts, startedMs });
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
      // Whatever the failed attempt reported is not what the client will get.
      draft.usage = null;
      draft.finishReason = null;
      draft.toolCalls = 0;
      draft.upstreamModelReported = null;
      lastError = error;
      if (error.kind === "client_closed" || !error.fallback) throw error;
    }
  }
  throw allAttemptsFailed(draft, lastError);
}
