import { GatewayError } from "../core/errors.ts";
import type { Config } from "../config/schema.ts";
import type { Plan } from "../router/plan.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { routeOf } from "../config/route-of.ts";

export interface AttemptTimeouts {
  /** A stream: from the attempt's start to its first content (its response headers included). */
  ttftMs: number;
  /** The whole non-streaming answer. */
  totalMs: number;
  /** Silence allowed between two stream messages. */
  idleMs: number;
}

/** How one request runs down its chain: per-attempt timeouts, retries, backoff and the deadline. */
export interface ChainSettings {
  timeouts: AttemptTimeouts;
  /** Retries on the same target (the route's `retries`, else `resilience.retry.attempts`). */
  maxRetries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  retryAfterCapMs: number;
  /** The whole request, retries and fallbacks included. */
  deadlineMs: number;
  deadlineSource: string;
}

export function chainSettings(config: Config, plan: Plan, headerTimeoutMs: number | null): ChainSettings {
  // Without the header they depend only on the route: worked out once per route and shared.
  if (headerTimeoutMs !== null) return settingsOf(config, plan, headerTimeoutMs);
  let byRoute = settingsByRoute.get(config);
  if (byRoute === undefined) {
    byRoute = new Map();
    settingsByRoute.set(config, byRoute);
  }
  let settings = byRoute.get(plan.route);
  if (settings === undefined) {
    settings = Object.freeze(settingsOf(config, plan, null));
    Object.freeze(settings.timeouts);
    byRoute.set(plan.route, settings);
  }
  return settings;
}

/** Routes are config names, so this holds one entry per route (and one for none). */
const settingsByRoute = new WeakMap<Config, Map<string | null, ChainSettings>>();

function settingsOf(config: Config, plan: Plan, headerTimeoutMs: number | null): ChainSettings {
  const { timeout, retry } = config.resilience;
  const route = routeOf(config, plan.route);
  const [deadlineMs, deadlineSource] =
    headerTimeoutMs !== null
      ? [headerTimeoutMs, "x-switchyard-timeout-ms"]
      : route?.timeout_ms !== undefined
        ? [route.timeout_ms, `route ${plan.route}'s timeout_ms`]
        : [timeout.deadline_ms, "resilience.timeout.deadline_ms"];
  const totalMs = Math.min(timeout.total_ms, deadlineMs);
  return {
    timeouts: { ttftMs: Math.min(timeout.ttft_ms, totalMs), totalMs, idleMs: Math.min(timeout.idle_ms, totalMs) },
    maxRetries: route?.retries ?? retry.attempts,
    backoffBaseMs: retry.base_ms,
    backoffMaxMs: retry.max_ms,
    retryAfterCapMs: retry.retry_after_cap_ms,
    deadlineMs,
    deadlineSource: String(deadlineSource),
  };
}

/**
 * The error for a request whose every attempt failed: the last error's kind and status, with
 * every attempt listed in order so the client sees what was tried.
 */
export function allAttemptsFailed(draft: ReceiptDraft, last: GatewayError | null, fromAttempt = 0): GatewayError {
  if (!last) return new GatewayError("internal", "the plan had no target to try");
  const attempts = draft.attempts.slice(fromAttempt);
  if (attempts.length <= 1) return last;
  const list = attempts
    .map((a, i) => `${i + 1}) ${a.provider}/${a.upstreamModel}: ${a.errorKind ?? "ok"}${a.status === null ? "" : ` ${a.status}`} after ${Math.round(a.latencyMs)} ms`)
    .join("; ");
  return new GatewayError(last.kind, `All ${attempts.length} attempts failed: ${list}. Last error: ${last.message}`, {
    ...(last.provider !== undefined && { provider: last.provider }),
    ...(last.upstreamStatus !== undefined && { upstreamStatus: last.upstreamStatus }),
    ...(last.code !== undefined && { code: last.code }),
    ...(last.param !== undefined && { param: last.param }),
    ...(last.retryAfterMs !== undefined && { retryAfterMs: last.retryAfterMs }),
    status: last.status,
  });
}
