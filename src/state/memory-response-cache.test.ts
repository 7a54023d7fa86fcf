import assert from "node:assert/strict";
import { test } from "node:test";
import { manualClock } from "./idempotency-store.conformance.ts";
import { MemoryResponseCache } from "./memory-response-cache.ts";
import { runResponseCacheConformance } from "./response-cache-store.conformance.ts";

runResponseCacheConformance("memory", (options) => new MemoryResponseCache<string>(options));

test("memory: expired entries at the front are swept when new ones arrive", async () => {
  const clock = manualClock();
  const cache = new MemoryResponseCache<string>({ maxEntries: 1_000, clock: clock.now });
  for (let i = 0; i < 5; i++) await cache.set(`k${i}`, "v", { ttlMs: 100, staleMs: 0 });
  clock.advance(100);
  await cache.set("new", "v", { ttlMs: 100, staleMs: 0 });
  assert.equal(cache.size, 1);
});
