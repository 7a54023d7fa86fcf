import { addToBuckets, liveBuckets } from "./bucket-window.ts";

/**
 * A gateway-wide retry budget, so an outage cannot turn into a retry storm: in any sliding
 * window, retries may not exceed `ratio` × the requests seen plus a small floor
 * (`minPerSecond` × window seconds) that lets a quiet gateway still retry. The model is
 * Finagle's RetryBudget (20% + 10/s over 10 s); the window is counted in time buckets, so
 * expiry is exact to one bucket. Pure: every function returns a new state.
 */
export interface RetryBudgetOptions {
  /** Retries allowed per request in the window (0.2 = one retry per five requests). */
  ratio: number;
  /** Retries allowed per second of window regardless of traffic. */
  minPerSecond: number;
  windowMs: number;
  /** How many buckets the window is counted in. */
  buckets: number;
}

export const DEFAULT_RETRY_BUDGET: Readonly<RetryBudgetOptions> = { ratio: 0.2, minPerSecond: 1, windowMs: 10_000, buckets: 10 };

interface Bucket {
  /** floor(nowMs / bucketMs). */
  readonly index: number;
  readonly requests: number;
  readonly retries: number;
}

export interface RetryBudgetState {
  readonly options: Readonly<RetryBudgetOptions>;
  /** Oldest first; never holds a bucket that has left the window. */
  readonly buckets: readonly Bucket[];
}

/** `request`: a new client request (its first attempt). `retry`: one more attempt on the same target. */
export type RetryBudgetEvent = "request" | "retry";

export function createRetryBudget(options: Partial<RetryBudgetOptions> = {}): RetryBudgetState {
  return { options: { ...DEFAULT_RETRY_BUDGET, ...options }, buckets: [] };
}

export function recordRetryBudget(state: RetryBudgetState, event: RetryBudgetEvent, nowMs: number): RetryBudgetState {
  return { options: state.options, buckets: addToBuckets(state.buckets, state.options, nowMs, addEvent, event) };
}

function addEvent(bucket: Bucket | null, index: number, event: RetryBudgetEvent): Bucket {
  return {
    index,
    requests: (bucket?.requests ?? 0) + (event === "request" ? 1 : 0),
    retries: (bucket?.retries ?? 0) + (event === "retry" ? 1 : 0),
  };
}

export interface RetryBudgetSnapshot {
  requests: number;
  retries: number;
  /** Retries the window allows in all. */
  allowance: number;
}

export function retryBudgetSnapshot(state: RetryBudgetState, nowMs: number): RetryBudgetSnapshot {
  let requests = 0;
  let retries = 0;
  for (const b of liveBuckets(state.buckets, state.options, nowMs)) {
    requests += b.requests;
    retries += b.retries;
  }
  const { ratio, minPerSecond, windowMs } = state.options;
  return { requests, retries, allowance: ratio * requests + minPerSecond * (windowMs / 1000) };
}

/** Whether one more retry fits the budget now. Record it with `recordRetryBudget(…, "retry", …)`. */
export function canRetry(state: RetryBudgetState, nowMs: number): boolean {
  const s = retryBudgetSnapshot(state, nowMs);
  return s.retries + 1 <= s.allowance;
}
