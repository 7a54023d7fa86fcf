import { GatewayError } from "../core/errors.ts";
import type { Config } from "../config/schema.ts";
import type { Plan } from "../router/plan.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";

export interface AttemptTimeouts {
  /** Until the first byte of a stream (its response headers). */
  ttftMs: number;
  /** The whole non-streaming answer. */
  totalMs: number;
  /** Silence allowed between two stream messages. */
  idleMs: number;
}

export function attemptTimeouts(config: Config, plan: Plan): AttemptTimeouts {
  const t = config.resilience.timeout;
  const routeTimeout = plan.route === null ? undefined : config.routes[plan.route]?.timeout_ms;
  const totalMs = routeTimeout ?? t.total_ms;
  return { ttftMs: Math.min(t.ttft_ms, totalMs), totalMs, idleMs: Math.min(t.idle_ms, totalMs) };
}

/**
 * The error for a request whose every attempt failed: the last error's kind and status, with
 * every attempt listed in order so the client sees what was tried.
 */
export function allAttemptsFailed(draft: ReceiptDraft, last: GatewayError | null): GatewayError {
  if (!last) return new GatewayError("internal", "the plan had no target to try");
  if (draft.attempts.length <= 1) return last;
  const list = draft.attempts
    .map((a, i) => `${i + 1}) ${a.provider}/${a.upstreamModel}: ${a.errorKind ?? "ok"}${a.status === null ? "" : ` ${a.status}`} after ${Math.round(a.latencyMs)} ms`)
    .join("; ");
  return new GatewayError(last.kind, `All ${draft.attempts.length} attempts failed: ${list}. Last error: ${last.message}`, {
    ...(last.provider !== undefined && { provider: last.provider }),
    ...(last.upstreamStatus !== undefined && { upstreamStatus: last.upstreamStatus }),
    ...(last.code !== undefined && { code: last.code }),
    ...(last.param !== undefined && { param: last.param }),
    ...(last.retryAfterMs !== undefined && { retryAfterMs: last.retryAfterMs }),
    status: last.status,
  });
}
