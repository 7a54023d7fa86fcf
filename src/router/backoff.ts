import type { Random } from "./random.ts";

export interface BackoffInput {
  /** 0 for the first retry on a target, 1 for the second, … */
  attempt: number;
  baseMs: number;
  maxMs: number;
  random: Random;
  /** The upstream's own hint (retry-after, retry-after-ms, Gemini RetryInfo), when it gave one. */
  retryAfterMs?: number | undefined;
  /** Longest hint worth waiting for; above it the chain should fall back instead. */
  retryAfterCapMs: number;
  /** Time left before the request's deadline. */
  remainingMs: number;
  /** Time the retried attempt needs at least, so a delay that leaves less is pointless (default 0). */
  minAttemptMs?: number;
}

export type BackoffGiveUpReason = "retry_after_too_long" | "deadline";

export type BackoffDecision = { delayMs: number } | { giveUp: BackoffGiveUpReason };

/**
 * How long to wait before retrying the same target.
 *
 * Exponential backoff with full jitter: delay = random() × min(maxMs, baseMs × 2^attempt).
 * As AWS's "Exponential Backoff and Jitter" showed, plain exponential backoff keeps clients that
 * failed together retrying together; spreading each wait uniformly over [0, ceiling) breaks up
 * those waves and gets the work done with the fewest calls.
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)
 *
 * An upstream hint is a floor — the delay is max(hint, jittered delay), so clients told the same
 * hint do not all return at the same instant — unless it is above `retryAfterCapMs`, in which case
 * waiting is worse than trying the next target. No delay may eat the rest of the deadline.
 */
export function backoffDelayMs(input: BackoffInput): BackoffDecision {
  const { attempt, baseMs, maxMs, random, retryAfterMs, retryAfterCapMs, remainingMs } = input;
  if (retryAfterMs !== undefined && retryAfterMs > retryAfterCapMs) return { giveUp: "retry_after_too_long" };
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  const jittered = Math.floor(random() * ceiling);
  const delayMs = retryAfterMs === undefined ? jittered : Math.max(Math.ceil(retryAfterMs), jittered);
  if (delayMs + (input.minAttemptMs ?? 0) >= remainingMs) return { giveUp: "deadline" };
  return { delayMs };
}
