import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { manualClock } from "./idempotency-store.conformance.ts";
import type { ResponseCacheOptions, ResponseCacheStore } from "./response-cache-store.ts";

/**
 * The behaviour every ResponseCacheStore implementation must have. Call it from the
 * implementation's test file; `makeStore` must return a fresh, empty store on every call.
 */
export function runResponseCacheConformance(name: string, makeStore: (options: ResponseCacheOptions) => ResponseCacheStore<string> | Promise<ResponseCacheStore<string>>): void {
  describe(`ResponseCacheStore conformance: ${name}`, () => {
    const open = async (maxEntries = 100) => {
      const clock = manualClock();
      return { store: await makeStore({ maxEntries, clock: clock.now }), clock };
    };
    const fresh = { ttlMs: 1_000, staleMs: 0 };

    test("a miss is null; a stored value is a fresh hit with its age", async () => {
      const { store, clock } = await open();
      assert.equal(await store.get("k"), null);
      await store.set("k", "answer", fresh);
      clock.advance(250);
      assert.deepEqual(await store.get("k"), { value: "answer", ageMs: 250, fresh: true });
    });

    test("an entry without stale time is gone at its TTL", async () => {
      const { store, clock } = await open();
      await store.set("k", "answer", fresh);
      clock.advance(999);
      assert.equal((await store.get("k"))?.fresh, true);
      clock.advance(1);
      assert.equal(await store.get("k"), null);
    });

    test("an entry with stale time is kept, stale, until TTL + stale time", async () => {
      const { store, clock } = await open();
      await store.set("k", "answer", { ttlMs: 1_000, staleMs: 5_000 });
      clock.advance(1_000);
      assert.deepEqual(await store.get("k"), { value: "answer", ageMs: 1_000, fresh: false });
      clock.advance(4_999);
      assert.equal((await store.get("k"))?.fresh, false);
      clock.advance(1);
      assert.equal(await store.get("k"), null);
    });

    test("storing again replaces the value and restarts its TTL", async () => {
      const { store, clock } = await open();
      await store.set("k", "old", fresh);
      clock.advance(900);
      await store.set("k", "new", fresh);
      clock.advance(900);
      assert.deepEqual(await store.get("k"), { value: "new", ageMs: 900, fresh: true });
    });

    test("past max entries the least recently used is dropped", async () => {
      const { store } = await open(2);
      await store.set("a", "A", fresh);
      await store.set("b", "B", fresh);
      await store.get("a");
      await store.set("c", "C", fresh);
      assert.equal(await store.get("b"), null, "b was used least recently");
      assert.equal((await store.get("a"))?.value, "A");
      assert.equal((await store.get("c"))?.value, "C");
    });
  });
}
