import type { ErrorKind } from "../core/errors.ts";
import { addToBuckets, liveBuckets } from "./bucket-window.ts";

/**
 * A circuit breaker per deployment (provider + model), as immutable state:
 * closed → open when, over a sliding window, failures / requests ≥ `failureRate` with at least
 * `minRequests` counted; open → half-open once `cooldownMs` has passed (on the next `allow`);
 * half-open lets `halfOpenProbes` requests through, closes on the first probe success and opens
 * again on a probe failure. Every transition comes back as an event for logs and /admin.
 */
export interface BreakerOptions {
  failureRate: number;
  minRequests: number;
  windowMs: number;
  cooldownMs: number;
  /** Requests let through at once while half-open. */
  halfOpenProbes: number;
  /** How many time buckets the window is counted in. */
  buckets: number;
}

/** How each error kind counts. `ignore`: says nothing about the deployment's health. */
export type BreakerCount = "failure" | "ignore";

/**
 * Failures are what the deployment did wrong or cannot do: a 429 storm, overload, timeouts, a key
 * that is dead or out of quota. The client's own mistakes, the gateway's own refusals and client
 * aborts are ignored — counted neither way, so they cannot open the breaker nor dilute the rate.
 */
export const BREAKER_COUNTS: Readonly<Record<ErrorKind, BreakerCount>> = {
  rate_limited: "failure",
  insufficient_quota: "failure",
  overloaded: "failure",
  timeout: "failure",
  network: "failure",
  auth: "failure",
  permission: "failure",
  bad_request: "ignore",
  not_found: "ignore",
  model_not_found: "failure",
  context_length: "ignore",
  content_filter: "ignore",
  upstream_5xx: "failure",
  bad_response: "failure",
  budget_exceeded: "ignore",
  payload_too_large: "ignore",
  conflict: "ignore",
  client_closed: "ignore",
  unauthorized: "ignore",
  forbidden: "ignore",
  internal: "ignore",
};

interface Bucket {
  readonly index: number;
  readonly requests: number;
  readonly failures: number;
}

interface Common {
  readonly options: Readonly<BreakerOptions>;
  /** Bumped on every transition; outcomes carrying an older ticket are stale. */
  readonly generation: number;
}

export type BreakerState =
  | (Common & { readonly status: "closed"; readonly buckets: readonly Bucket[] })
  | (Common & { readonly status: "open"; readonly openedAtMs: number })
  | (Common & { readonly status: "half_open"; readonly probesInFlight: number; readonly lastProbeAtMs: number });

export type BreakerStatus = BreakerState["status"];

export type BreakerReason = "failure_rate" | "cooldown_elapsed" | "probe_succeeded" | "probe_failed";

export interface BreakerEvent {
  from: BreakerStatus;
  to: BreakerStatus;
  /** The `nowMs` the transition happened at. */
  at: number;
  reason: BreakerReason;
  /** For `failure_rate`: what the window held. */
  window?: { requests: number; failures: number };
}

export const DEFAULT_BREAKER: Readonly<BreakerOptions> = {
  failureRate: 0.5,
  minRequests: 10,
  windowMs: 60_000,
  cooldownMs: 30_000,
  halfOpenProbes: 1,
  buckets: 10,
};

/** From `resilience.breaker` in the config (seconds) to options (ms). */
export function breakerOptionsFromConfig(
  breaker: { failure_rate: number; min_requests: number; window_s: number; cooldown_s: number },
  extra: Partial<Pick<BreakerOptions, "halfOpenProbes" | "buckets">> = {},
): BreakerOptions {
  return {
    ...DEFAULT_BREAKER,
    failureRate: breaker.failure_rate,
    minRequests: breaker.min_requests,
    windowMs: breaker.window_s * 1000,
    cooldownMs: breaker.cooldown_s * 1000,
    ...extra,
  };
}

export function createBreaker(options: Partial<BreakerOptions> = {}): BreakerState {
  return { options: { ...DEFAULT_BREAKER, ...options }, generation: 0, status: "closed", buckets: [] };
}

export interface AllowResult {
  allowed: boolean;
  state: BreakerState;
  /** Pass back in `record` so a result from before a transition is not taken for a probe's. */
  ticket: number;
  event?: BreakerEvent;
}

/** May a request go to this deployment now? Half-open, a `true` takes one probe slot. */
export function allow(state: BreakerState, nowMs: number): AllowResult {
  switch (state.status) {
    case "closed":
      return { allowed: true, state, ticket: state.generation };
    case "open": {
      if (nowMs - state.openedAtMs < state.options.cooldownMs) return { allowed: false, state, ticket: state.generation };
      const next = halfOpen(state, nowMs);
      return { allowed: true, state: next, ticket: next.generation, event: { from: "open", to: "half_open", at: nowMs, reason: "cooldown_elapsed" } };
    }
    case "half_open": {
      if (state.probesInFlight < state.options.halfOpenProbes) {
        return { allowed: true, state: { ...state, probesInFlight: state.probesInFlight + 1, lastProbeAtMs: nowMs }, ticket: state.generation };
      }
      // A probe whose outcome never came back (crash, lost abort) must not wedge the breaker.
      if (nowMs - state.lastProbeAtMs >= state.options.cooldownMs) {
        return { allowed: true, state: { ...state, probesInFlight: 1, lastProbeAtMs: nowMs }, ticket: state.generation };
      }
      return { allowed: false, state, ticket: state.generation };
    }
    default: {
      const _never: never = state;
      return _never;
    }
  }
}

/** Like `allow` but takes nothing: for looking ahead along a chain. */
export function wouldAllow(state: BreakerState, nowMs: number): boolean {
  return allow(state, nowMs).allowed;
}

export interface BreakerOutcome {
  result: "success" | ErrorKind;
  /** The ticket `allow` gave; without one the outcome is taken as current. */
  ticket?: number | undefined;
}

export interface RecordResult {
  state: BreakerState;
  event?: BreakerEvent;
}

export function record(state: BreakerState, outcome: BreakerOutcome, nowMs: number): RecordResult {
  if (outcome.ticket !== undefined && outcome.ticket !== state.generation) return { state };
  const count = outcome.result === "success" ? "success" : BREAKER_COUNTS[outcome.result];
  switch (state.status) {
    case "open":
      return { state };
    case "half_open":
      if (count === "ignore") return { state: { ...state, probesInFlight: Math.max(0, state.probesInFlight - 1) } };
      if (count === "success") {
        return {
          state: { options: state.options, generation: state.generation + 1, status: "closed", buckets: [] },
          event: { from: "half_open", to: "closed", at: nowMs, reason: "probe_succeeded" },
        };
      }
      return { state: opened(state, nowMs), event: { from: "half_open", to: "open", at: nowMs, reason: "probe_failed" } };
    case "closed": {
      if (count === "ignore") return { state };
      const buckets = addToBuckets(state.buckets, state.options, nowMs, addOutcome, count === "failure");
      if (count === "failure") {
        const window = totals(buckets);
        const { failureRate, minRequests } = state.options;
        if (window.requests >= minRequests && window.failures / window.requests >= failureRate) {
          return { state: opened(state, nowMs), event: { from: "closed", to: "open", at: nowMs, reason: "failure_rate", window } };
        }
      }
      return { state: { options: state.options, generation: state.generation, status: "closed", buckets } };
    }
    default: {
      const _never: never = state;
      return _never;
    }
  }
}

export interface BreakerSnapshot {
  status: BreakerStatus;
  /** Closed: what the window holds now. */
  requests: number;
  failures: number;
  /** Open: when the next request will be let through as a probe. */
  probeAtMs: number | null;
}

/** For /admin and metrics. Does not move the state on. */
export function breakerSnapshot(state: BreakerState, nowMs: number): BreakerSnapshot {
  if (state.status === "closed") return { status: "closed", ...totals(liveBuckets(state.buckets, state.options, nowMs)), probeAtMs: null };
  const probeAtMs = state.status === "open" ? state.openedAtMs + state.options.cooldownMs : null;
  return { status: state.status, requests: 0, failures: 0, probeAtMs };
}

function opened(state: BreakerState, nowMs: number): BreakerState {
  return { options: state.options, generation: state.generation + 1, status: "open", openedAtMs: nowMs };
}

function halfOpen(state: BreakerState, nowMs: number): BreakerState {
  return { options: state.options, generation: state.generation + 1, status: "half_open", probesInFlight: 1, lastProbeAtMs: nowMs };
}

/** One more request in the window, a failure or not. */
function addOutcome(bucket: Bucket | null, index: number, failure: boolean): Bucket {
  return { index, requests: (bucket?.requests ?? 0) + 1, failures: (bucket?.failures ?? 0) + (failure ? 1 : 0) };
}

function totals(buckets: readonly Bucket[]): { requests: number; failures: number } {
  let requests = 0;
  let failures = 0;
  for (const b of buckets) {
    requests += b.requests;
    failures += b.failures;
  }
  return { requests, failures };
}
