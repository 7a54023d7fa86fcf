import type { ErrorKind } from "../core/errors.ts";

/**
 * What a failed attempt's kind allows. `sameTarget`: retry the same target after a backoff.
 * `fallback`: which of the remaining targets may be tried —
 * - `any`: the next one that is available;
 * - `other_key`: the next one on another provider (targets of one provider share its key, and a
 *   dead or empty key fails everywhere it is used);
 * - `larger_context`: the next one whose context window is known and larger than this one's;
 * - `none`: the request stops (the client's request is at fault, or the gateway's own).
 * Kept apart from ERROR_KINDS so a new kind fails typechecking here until someone decides.
 */
export interface RetryRule {
  sameTarget: boolean;
  fallback: "any" | "other_key" | "larger_context" | "none";
}

export const RETRY_RULES: Readonly<Record<ErrorKind, RetryRule>> = {
  rate_limited: { sameTarget: true, fallback: "any" },
  insufficient_quota: { sameTarget: false, fallback: "other_key" },
  overloaded: { sameTarget: true, fallback: "any" },
  timeout: { sameTarget: true, fallback: "any" },
  network: { sameTarget: true, fallback: "any" },
  auth: { sameTarget: false, fallback: "other_key" },
  // Permission is often per model (no access to this one), not per key.
  permission: { sameTarget: false, fallback: "any" },
  bad_request: { sameTarget: false, fallback: "none" },
  not_found: { sameTarget: false, fallback: "none" },
  model_not_found: { sameTarget: false, fallback: "any" },
  context_length: { sameTarget: false, fallback: "larger_context" },
  content_filter: { sameTarget: false, fallback: "none" },
  upstream_5xx: { sameTarget: true, fallback: "any" },
  bad_response: { sameTarget: true, fallback: "any" },
  budget_exceeded: { sameTarget: false, fallback: "none" },
  payload_too_large: { sameTarget: false, fallback: "none" },
  conflict: { sameTarget: false, fallback: "none" },
  client_closed: { sameTarget: false, fallback: "none" },
  unauthorized: { sameTarget: false, fallback: "none" },
  forbidden: { sameTarget: false, fallback: "none" },
  internal: { sameTarget: false, fallback: "none" },
};

/** What the policy needs to know about a target. */
export interface TargetFacts {
  /** Configured provider name: targets with the same provider share its key. */
  provider: string;
  /** Context window in tokens, when known (config or price table). */
  contextWindow?: number | undefined;
  /** False to skip it, e.g. its breaker is open (see `wouldAllow`). Default true. */
  available?: boolean | undefined;
}

export interface NextStepInput {
  error: { kind: ErrorKind; retryAfterMs?: number | undefined };
  /** Retries already made on the current target (0 right after its first attempt failed). */
  attemptOnTarget: number;
  maxRetries: number;
  current: TargetFacts;
  /** The targets after the current one, in chain order. */
  remaining: readonly TargetFacts[];
  /** An upstream hint above this is not waited for; the chain falls back instead. */
  retryAfterCapMs?: number | undefined;
  /**
   * False when a retry on the same target is ruled out from outside: the retry budget said no,
   * or `backoffDelayMs` gave up. Default true.
   */
  retrySameAllowed?: boolean | undefined;
}

export type StopReason = "not_fallbackable" | "chain_exhausted" | "no_larger_context";

export type NextStep =
  | { step: "retry_same" }
  /** `index` is into `remaining`; the targets before it are skipped. */
  | { step: "next_target"; index: number }
  | { step: "stop"; reason: StopReason };

/** After a failed attempt: retry the same target, move to another, or stop. */
export function nextStep(input: NextStepInput): NextStep {
  const rule = RETRY_RULES[input.error.kind];
  const hint = input.error.retryAfterMs;
  const hintTooLong = hint !== undefined && input.retryAfterCapMs !== undefined && hint > input.retryAfterCapMs;
  if (rule.sameTarget && input.attemptOnTarget < input.maxRetries && input.retrySameAllowed !== false && !hintTooLong) {
    return { step: "retry_same" };
  }
  const fallback = rule.fallback;
  if (fallback === "none") return { step: "stop", reason: "not_fallbackable" };
  const index = input.remaining.findIndex((t) => t.available !== false && eligible(fallback, input.current, t));
  if (index >= 0) return { step: "next_target", index };
  return { step: "stop", reason: fallback === "larger_context" ? "no_larger_context" : "chain_exhausted" };
}

function eligible(fallback: Exclude<RetryRule["fallback"], "none">, current: TargetFacts, candidate: TargetFacts): boolean {
  switch (fallback) {
    case "any":
      return true;
    case "other_key":
      return candidate.provider !== current.provider;
    case "larger_context":
      // Unknown windows cannot be compared; only a target known to be larger is worth trying.
      return current.contextWindow !== undefined && candidate.contextWindow !== undefined && candidate.contextWindow > current.contextWindow;
    default: {
      const _never: never = fallback;
      return _never;
    }
  }
}
