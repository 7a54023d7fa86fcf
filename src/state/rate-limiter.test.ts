import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryRateLimiter } from "./rate-limiter.ts";

const T0 = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);

test("requests per minute: the limit is reached, then refused with a wait that lets the next one through", () => {
  const rl = new MemoryRateLimiter();
  for (let i = 0; i < 5; i += 1) assert.deepEqual(rl.take("k", { requestsPerMinute: 5 }, 0, T0 + i * 1000), { ok: true });
  const refused = rl.take("k", { requestsPerMinute: 5 }, 0, T0 + 10_000);
  assert.equal(refused.ok, false);
  if (refused.ok) return;
  assert.equal(refused.limit, "requests_per_minute");
  // All five were in this minute: room comes once they start to weigh less than 1, in the next minute.
  assert.ok(refused.retryAfterMs > 50_000 && refused.retryAfterMs <= 62_000, String(refused.retryAfterMs));
  assert.equal(rl.take("k", { requestsPerMinute: 5 }, 0, T0 + 10_000 + refused.retryAfterMs).ok, true);
});

test("the previous minute weighs in proportion to its overlap with the last 60 s", () => {
  const rl = new MemoryRateLimiter();
  for (let i = 0; i < 10; i += 1) rl.take("k", { requestsPerMinute: 10 }, 0, T0 + 59_000);
  // 15 s into the next minute, 10 × 0.75 = 7.5 still count: two more fit, the third does not.
  assert.equal(rl.take("k", { requestsPerMinute: 10 }, 0, T0 + 75_000).ok, true);
  assert.equal(rl.take("k", { requestsPerMinute: 10 }, 0, T0 + 75_000).ok, true);
  const third = rl.take("k", { requestsPerMinute: 10 }, 0, T0 + 75_000);
  assert.equal(third.ok, false);
  // Two minutes later nothing counts.
  assert.equal(rl.take("k", { requestsPerMinute: 10 }, 0, T0 + 200_000).ok, true);
});

test("tokens per minute count estimates and are corrected by the real usage", () => {
  const rl = new MemoryRateLimiter();
  assert.equal(rl.take("k", { tokensPerMinute: 1000 }, 800, T0).ok, true);
  const refused = rl.take("k", { tokensPerMinute: 1000 }, 300, T0 + 1000);
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.equal(refused.limit, "tokens_per_minute");
  rl.adjust("k", -600, T0 + 2000);
  assert.equal(rl.take("k", { tokensPerMinute: 1000 }, 300, T0 + 2000).ok, true);
});

test("a single request above the whole token limit passes on an idle minute; scopes are independent", () => {
  const rl = new MemoryRateLimiter();
  assert.equal(rl.take("a", { tokensPerMinute: 100 }, 500, T0).ok, true);
  assert.equal(rl.take("a", { tokensPerMinute: 100 }, 1, T0 + 1).ok, false);
  assert.equal(rl.take("b", { tokensPerMinute: 100 }, 50, T0 + 1).ok, true);
  assert.equal(rl.take("c", {}, 10_000_000, T0).ok, true);
});
