import assert from "node:assert/strict";
import { test } from "node:test";
import { ERROR_KINDS, type ErrorKind } from "../core/errors.ts";
import { nextStep, RETRY_RULES, type NextStep, type NextStepInput, type TargetFacts } from "./retry-policy.ts";

const CURRENT: TargetFacts = { provider: "a", contextWindow: 100_000 };
// Index 0 shares the current key and is smaller; index 1 is another key and larger.
const REMAINING: TargetFacts[] = [
  { provider: "a", contextWindow: 50_000 },
  { provider: "b", contextWindow: 200_000 },
];
const input = (kind: ErrorKind, over: Partial<NextStepInput> = {}): NextStepInput => ({
  error: { kind },
  attemptOnTarget: 0,
  maxRetries: 2,
  current: CURRENT,
  remaining: REMAINING,
  ...over,
});

const RETRY: NextStep = { step: "retry_same" };
const STOP: NextStep = { step: "stop", reason: "not_fallbackable" };
const next = (index: number): NextStep => ({ step: "next_target", index });

/**
 * Every kind, classified by hand: [first failure, after the retries ran out]. Written as a plain
 * record on purpose — a kind added to ERROR_KINDS fails this test until someone classifies it.
 */
const EXPECTED: Record<string, [first: NextStep, exhausted: NextStep]> = {
  rate_limited: [RETRY, next(0)],
  insufficient_quota: [next(1), next(1)],
  overloaded: [RETRY, next(0)],
  timeout: [RETRY, next(0)],
  network: [RETRY, next(0)],
  auth: [next(1), next(1)],
  permission: [next(0), next(0)],
  bad_request: [STOP, STOP],
  not_found: [STOP, STOP],
  model_not_found: [next(0), next(0)],
  context_length: [next(1), next(1)],
  content_filter: [STOP, STOP],
  upstream_5xx: [RETRY, next(0)],
  bad_response: [RETRY, next(0)],
  budget_exceeded: [STOP, STOP],
  payload_too_large: [STOP, STOP],
  conflict: [STOP, STOP],
  client_closed: [STOP, STOP],
  unauthorized: [STOP, STOP],
  forbidden: [STOP, STOP],
  internal: [STOP, STOP],
};

test("retry policy: every error kind is classified", () => {
  for (const kind of Object.keys(ERROR_KINDS) as ErrorKind[]) {
    const expected = EXPECTED[kind];
    assert.ok(expected, `error kind ${kind} has no expected retry behaviour: classify it here and in RETRY_RULES`);
    assert.deepEqual(nextStep(input(kind)), expected[0], `${kind}, first failure`);
    assert.deepEqual(nextStep(input(kind, { attemptOnTarget: 2 })), expected[1], `${kind}, retries used up`);
  }
  assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(ERROR_KINDS).sort());
});

test("retry policy: agrees with ERROR_KINDS' retryable and fallback flags", () => {
  for (const kind of Object.keys(ERROR_KINDS) as ErrorKind[]) {
    assert.equal(RETRY_RULES[kind].sameTarget, ERROR_KINDS[kind].retryable, `${kind} retryable`);
    assert.equal(RETRY_RULES[kind].fallback !== "none", ERROR_KINDS[kind].fallback, `${kind} fallback`);
  }
});

test("retry policy: situations", () => {
  const table: Array<[name: string, input: NextStepInput, expected: NextStep]> = [
    ["maxRetries 0 falls back at once", input("rate_limited", { maxRetries: 0 }), next(0)],
    ["last allowed retry", input("timeout", { attemptOnTarget: 1 }), RETRY],
    ["budget or backoff said no: fall back", input("overloaded", { retrySameAllowed: false }), next(0)],
    ["budget said no, nothing left", input("overloaded", { retrySameAllowed: false, remaining: [] }), { step: "stop", reason: "chain_exhausted" }],
    ["retryable, retries used up, nothing left", input("network", { attemptOnTarget: 2, remaining: [] }), { step: "stop", reason: "chain_exhausted" }],
    ["hint within the cap: retry", input("rate_limited", { error: { kind: "rate_limited", retryAfterMs: 5000 }, retryAfterCapMs: 5000 }), RETRY],
    ["hint above the cap: fall back", input("rate_limited", { error: { kind: "rate_limited", retryAfterMs: 5001 }, retryAfterCapMs: 5000 }), next(0)],
    ["hint with no cap given: retry", input("rate_limited", { error: { kind: "rate_limited", retryAfterMs: 60_000 } }), RETRY],
    ["unavailable targets are skipped", input("upstream_5xx", { attemptOnTarget: 2, remaining: [{ provider: "a", available: false }, { provider: "b" }] }), next(1)],
    ["all unavailable", input("upstream_5xx", { attemptOnTarget: 2, remaining: [{ provider: "b", available: false }] }), { step: "stop", reason: "chain_exhausted" }],
    ["auth: only this provider left", input("auth", { remaining: [{ provider: "a" }, { provider: "a" }] }), { step: "stop", reason: "chain_exhausted" }],
    ["quota: first other key, skipping unavailable", input("insufficient_quota", { remaining: [{ provider: "a" }, { provider: "b", available: false }, { provider: "c" }] }), next(2)],
    ["permission may use the same key for another model", input("permission", { remaining: [{ provider: "a" }] }), next(0)],
    ["context: first larger window, not the first target", input("context_length", { remaining: [{ provider: "b", contextWindow: 100_000 }, { provider: "a", contextWindow: 128_000 }] }), next(1)],
    ["context: equal window is not larger", input("context_length", { remaining: [{ provider: "b", contextWindow: 100_000 }] }), { step: "stop", reason: "no_larger_context" }],
    ["context: unknown candidate window is skipped", input("context_length", { remaining: [{ provider: "b" }, { provider: "c", contextWindow: 1_000_000 }] }), next(1)],
    ["context: unknown current window cannot be compared", input("context_length", { current: { provider: "a" } }), { step: "stop", reason: "no_larger_context" }],
    ["context: larger but unavailable", input("context_length", { remaining: [{ provider: "b", contextWindow: 200_000, available: false }] }), { step: "stop", reason: "no_larger_context" }],
    ["client error stops even with targets left", input("bad_request", { attemptOnTarget: 0 }), STOP],
  ];
  for (const [name, i, expected] of table) assert.deepEqual(nextStep(i), expected, name);
});
