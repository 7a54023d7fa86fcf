import assert from "node:assert/strict";
import { test } from "node:test";
import { canRetry, createRetryBudget, recordRetryBudget, retryBudgetSnapshot, type RetryBudgetState } from "./retry-budget.ts";
import { seededRandom } from "./random.ts";

/** Drives a storm: every request fails and asks for up to `wants` retries, each granted only if the budget allows. */
function storm(options: { requests: number; spacingMs: number; wants: number; state?: RetryBudgetState }) {
  let state = options.state ?? createRetryBudget();
  let retries = 0;
  let maxOverAllowance = -Infinity;
  for (let i = 0; i < options.requests; i++) {
    const now = i * options.spacingMs;
    state = recordRetryBudget(state, "request", now);
    for (let r = 0; r < options.wants && canRetry(state, now); r++) {
      state = recordRetryBudget(state, "retry", now);
      retries++;
    }
    const s = retryBudgetSnapshot(state, now);
    maxOverAllowance = Math.max(maxOverAllowance, s.retries - s.allowance);
  }
  return { state, retries, maxOverAllowance };
}

test("retry budget: a storm of 1000 failing requests gets at most ratio × requests + the floor", () => {
  // Defaults: 20% of requests + 1/s over 10 s; 1000 requests in 10 s, each wanting 2 retries.
  const { retries, maxOverAllowance } = storm({ requests: 1000, spacingMs: 10, wants: 2 });
  assert.ok(retries <= 0.2 * 1000 + 10, `retries ${retries}`);
  assert.ok(retries >= 0.2 * 1000, `the budget should still be spent, got ${retries}`);
  assert.ok(maxOverAllowance <= 0, "never over the allowance");
});

test("retry budget: table of ratios and floors", () => {
  const table: Array<[ratio: number, minPerSecond: number, bound: number]> = [
    [0, 0, 0],
    [0, 1, 10],
    [0.1, 0, 100],
    [0.2, 1, 210],
    [0.5, 2, 520],
  ];
  for (const [ratio, minPerSecond, bound] of table) {
    const { retries } = storm({ requests: 1000, spacingMs: 10, wants: 5, state: createRetryBudget({ ratio, minPerSecond }) });
    assert.equal(retries, bound, `ratio ${ratio}, floor ${minPerSecond}/s`);
  }
});

test("retry budget: a long storm stays bounded in every window", () => {
  // 100 requests/s for 60 s: six windows' worth.
  const { retries, maxOverAllowance } = storm({ requests: 6000, spacingMs: 10, wants: 3 });
  assert.ok(maxOverAllowance <= 0);
  // Bucket granularity lets a window see up to one extra bucket's worth of allowance.
  assert.ok(retries <= 0.2 * 6000 + 10 * 6 + 0.2 * 100 * 6, `retries ${retries}`);
  assert.ok(retries / 6000 < 0.25, `ratio ${retries / 6000}`);
});

test("retry budget: quiet gateway keeps the floor; spent retries age out", () => {
  let state = createRetryBudget({ ratio: 0.2, minPerSecond: 1, windowMs: 10_000, buckets: 10 });
  let granted = 0;
  while (canRetry(state, 0)) {
    state = recordRetryBudget(state, "retry", 0);
    granted++;
  }
  assert.equal(granted, 10);
  assert.equal(canRetry(state, 9_999), false, "still inside the window");
  assert.equal(canRetry(state, 10_000), true, "the bucket left the window");
  assert.deepEqual(retryBudgetSnapshot(state, 10_000), { requests: 0, retries: 0, allowance: 10 });
});

test("retry budget: pure — old states are untouched; a clock step back lands in the newest bucket", () => {
  const s0 = createRetryBudget();
  const s1 = recordRetryBudget(s0, "request", 5_000);
  const s2 = recordRetryBudget(s1, "retry", 4_000);
  assert.deepEqual(s0.buckets, []);
  assert.deepEqual(retryBudgetSnapshot(s1, 5_000), { requests: 1, retries: 0, allowance: 10.2 });
  assert.deepEqual(retryBudgetSnapshot(s2, 5_000), { requests: 1, retries: 1, allowance: 10.2 });
  assert.equal(s2.buckets.length, 1);
});

test("retry budget: under random traffic a granted retry never takes the window over its allowance", () => {
  const random = seededRandom(2026);
  let state = createRetryBudget({ ratio: 0.1, minPerSecond: 0.5 });
  let now = 0;
  for (let i = 0; i < 5000; i++) {
    now += Math.floor(random() * 40);
    state = recordRetryBudget(state, "request", now);
    if (random() < 0.6 && canRetry(state, now)) {
      state = recordRetryBudget(state, "retry", now);
      // (Later, as requests age out, the allowance may dip below retries already made; that
      // only means no more are granted until the window catches up.)
      const s = retryBudgetSnapshot(state, now);
      assert.ok(s.retries <= s.allowance, `at ${now}: ${s.retries} > ${s.allowance}`);
    }
  }
});
