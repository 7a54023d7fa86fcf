import assert from "node:assert/strict";
import { test } from "node:test";
import { manualClock, runIdempotencyStoreConformance } from "./idempotency-store.conformance.ts";
import { MemoryIdempotencyStore } from "./memory-idempotency-store.ts";

runIdempotencyStoreConformance("memory", (options) => new MemoryIdempotencyStore<string>(options));

test("memory: expired entries are swept when new ones arrive, so the map does not hold them", async () => {
  const clock = manualClock();
  const store = new MemoryIdempotencyStore<string>({ ttlMs: 100, maxEntries: 1_000, clock: clock.now });
  for (let i = 0; i < 5; i++) {
    const begun = await store.begin(`k${i}`, "fp");
    if (begun.type === "claimed") await store.complete(begun.claim, "v");
  }
  assert.equal(store.size, 5);
  clock.advance(100);
  const begun = await store.begin("new", "fp");
  if (begun.type === "claimed") await store.complete(begun.claim, "v");
  assert.equal(store.size, 1);
});
