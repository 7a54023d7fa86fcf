import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffDelayMs, type BackoffDecision, type BackoffInput } from "./backoff.ts";
import { seededRandom } from "./random.ts";

const fixed = (x: number) => () => x;
const BASE: BackoffInput = { attempt: 0, baseMs: 250, maxMs: 8000, random: fixed(0.5), retryAfterCapMs: 10_000, remainingMs: 60_000 };

test("backoff: full jitter over min(maxMs, baseMs × 2^attempt)", () => {
  // Ceilings: 250, 500, 1000, 2000, 4000, 8000, 8000 (capped).
  const table: Array<[random: number, delays: number[]]> = [
    [0, [0, 0, 0, 0, 0, 0, 0]],
    [0.5, [125, 250, 500, 1000, 2000, 4000, 4000]],
    [0.999, [249, 499, 999, 1998, 3996, 7992, 7992]],
  ];
  for (const [r, delays] of table) {
    delays.forEach((delayMs, attempt) => {
      assert.deepEqual(backoffDelayMs({ ...BASE, attempt, random: fixed(r) }), { delayMs }, `random ${r}, attempt ${attempt}`);
    });
  }
});

test("backoff: caps and edges", () => {
  const table: Array<[name: string, input: Partial<BackoffInput>, expected: BackoffDecision]> = [
    ["maxMs below baseMs caps the first retry", { baseMs: 1000, maxMs: 300 }, { delayMs: 150 }],
    ["huge attempt stays at maxMs", { attempt: 2000 }, { delayMs: 4000 }],
    ["negative attempt acts as 0", { attempt: -3 }, { delayMs: 125 }],
    ["retry-after honoured as a floor", { retryAfterMs: 3000 }, { delayMs: 3000 }],
    ["jitter above the hint wins", { attempt: 5, retryAfterMs: 1000 }, { delayMs: 4000 }],
    ["fractional hint rounds up", { retryAfterMs: 1200.2 }, { delayMs: 1201 }],
    ["hint of 0 (retry-after-ms: 0) is just jitter", { retryAfterMs: 0 }, { delayMs: 125 }],
    ["hint exactly at the cap is waited for", { retryAfterMs: 10_000 }, { delayMs: 10_000 }],
    ["hint above the cap gives up on this target", { retryAfterMs: 10_001 }, { giveUp: "retry_after_too_long" }],
    ["hint above the cap gives up even with a roomy deadline", { retryAfterMs: 60_000, remainingMs: 1e9 }, { giveUp: "retry_after_too_long" }],
    ["delay that fits the deadline", { remainingMs: 126 }, { delayMs: 125 }],
    ["delay that reaches the deadline gives up", { remainingMs: 125 }, { giveUp: "deadline" }],
    ["deadline already passed", { random: fixed(0), remainingMs: 0 }, { giveUp: "deadline" }],
    ["hint that overruns the deadline", { retryAfterMs: 5000, remainingMs: 4000 }, { giveUp: "deadline" }],
    ["room for the attempt itself is kept", { remainingMs: 1000, minAttemptMs: 875 }, { giveUp: "deadline" }],
    ["room for the attempt itself, fits", { remainingMs: 1001, minAttemptMs: 875 }, { delayMs: 125 }],
  ];
  for (const [name, input, expected] of table) assert.deepEqual(backoffDelayMs({ ...BASE, ...input }), expected, name);
});

test("backoff: seeded jitter stays under the ceiling and is replayable", () => {
  const run = (seed: number) => {
    const random = seededRandom(seed);
    return Array.from({ length: 7 }, (_, attempt) => backoffDelayMs({ ...BASE, attempt, random }));
  };
  const delays = run(1);
  assert.deepEqual(run(1), delays);
  delays.forEach((d, attempt) => {
    assert.ok("delayMs" in d);
    assert.ok(d.delayMs >= 0 && d.delayMs < Math.min(8000, 250 * 2 ** attempt), `attempt ${attempt}: ${d.delayMs}`);
  });
});
