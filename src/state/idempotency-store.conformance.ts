import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { IdempotencyStore, IdempotencyStoreOptions } from "./idempotency-store.ts";

export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(start = 1_700_000_000_000): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/**
 * The behaviour every IdempotencyStore implementation must have. Call it from the
 * implementation's test file; `makeStore` must return a fresh, empty store on every call.
 */
export function runIdempotencyStoreConformance(name: string, makeStore: (options: IdempotencyStoreOptions) => IdempotencyStore<string> | Promise<IdempotencyStore<string>>): void {
  describe(`IdempotencyStore conformance: ${name}`, () => {
    const open = async (options: Partial<IdempotencyStoreOptions> = {}) => {
      const clock = manualClock();
      const store = await makeStore({ ttlMs: 60_000, maxEntries: 100, clock: clock.now, ...options });
      return { store, clock };
    };
    const claimOf = async (store: IdempotencyStore<string>, key: string, fingerprint: string) => {
      const begun = await store.begin(key, fingerprint);
      assert.equal(begun.type, "claimed");
      if (begun.type !== "claimed") throw new Error("unreachable");
      return begun.claim;
    };

    test("a new key is claimed; once completed, the same key and fingerprint replay the value", async () => {
      const { store } = await open();
      const claim = await claimOf(store, "k", "fp");
      await store.complete(claim, "answer");
      assert.deepEqual(await store.begin("k", "fp"), { type: "replay", value: "answer" });
      assert.deepEqual(await store.begin("k", "fp"), { type: "replay", value: "answer" });
    });

    test("the same key with another fingerprint is a conflict, finished or in flight", async () => {
      const { store } = await open();
      const claim = await claimOf(store, "k", "fp");
      assert.deepEqual(await store.begin("k", "other"), { type: "conflict" });
      await store.complete(claim, "answer");
      assert.deepEqual(await store.begin("k", "other"), { type: "conflict" });
    });

    test("keys are independent", async () => {
      const { store } = await open();
      await store.complete(await claimOf(store, "a", "fp"), "A");
      await claimOf(store, "b", "fp");
    });

    test("a repeat while the first is in flight waits for it and replays its value", async () => {
      const { store } = await open();
      const claim = await claimOf(store, "k", "fp");
      let settled = false;
      const waiting = store.begin("k", "fp").finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(settled, false, "waits while the key is held");
      await store.complete(claim, "answer");
      assert.deepEqual(await waiting, { type: "replay", value: "answer" });
    });

    test("a released claim leaves the key free: one waiter claims it, the others wait for that one", async () => {
      const { store } = await open();
      const first = await claimOf(store, "k", "fp");
      const a = store.begin("k", "fp");
      const b = store.begin("k", "fp");
      await store.release(first);
      const next = await a;
      assert.equal(next.type, "claimed");
      if (next.type !== "claimed") return;
      let bSettled = false;
      void b.finally(() => (bSettled = true));
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(bSettled, false);
      await store.complete(next.claim, "second try");
      assert.deepEqual(await b, { type: "replay", value: "second try" });
    });

    test("a released key is claimed again by the next request", async () => {
      const { store } = await open();
      await store.release(await claimOf(store, "k", "fp"));
      await claimOf(store, "k", "fp");
    });

    test("waiting stops when the signal aborts, and the key stays with its holder", async () => {
      const { store } = await open();
      const claim = await claimOf(store, "k", "fp");
      const gone = new AbortController();
      const waiting = store.begin("k", "fp", gone.signal);
      gone.abort(new Error("client went away"));
      await assert.rejects(waiting, /client went away/);
      await store.complete(claim, "answer");
      assert.deepEqual(await store.begin("k", "fp"), { type: "replay", value: "answer" });
    });

    test("only the holder of the current claim can complete or release it", async () => {
      const { store } = await open();
      const first = await claimOf(store, "k", "fp");
      await store.release(first);
      const second = await claimOf(store, "k", "fp");
      await store.complete(first, "stale");
      await store.release(first);
      assert.deepEqual(await store.begin("k", "other"), { type: "conflict" }, "still held by the second claim");
      await store.complete(second, "fresh");
      assert.deepEqual(await store.begin("k", "fp"), { type: "replay", value: "fresh" });
    });

    test("a finished entry expires after the TTL, and the key is free again", async () => {
      const { store, clock } = await open({ ttlMs: 1_000 });
      await store.complete(await claimOf(store, "k", "fp"), "answer");
      clock.advance(999);
      assert.equal((await store.begin("k", "fp")).type, "replay");
      clock.advance(1);
      await claimOf(store, "k", "other");
    });

    test("past max entries the oldest finished entries are dropped", async () => {
      const { store, clock } = await open({ maxEntries: 2 });
      for (const key of ["a", "b", "c"]) {
        await store.complete(await claimOf(store, key, "fp"), key.toUpperCase());
        clock.advance(10);
      }
      await claimOf(store, "a", "fp");
      assert.deepEqual(await store.begin("b", "fp"), { type: "replay", value: "B" });
      assert.deepEqual(await store.begin("c", "fp"), { type: "replay", value: "C" });
    });

    test("claims in flight are never evicted by the bound", async () => {
      const { store } = await open({ maxEntries: 1 });
      const held = await claimOf(store, "held", "fp");
      for (const key of ["a", "b", "c"]) await store.complete(await claimOf(store, key, "fp"), key);
      assert.deepEqual(await store.begin("held", "other"), { type: "conflict" });
      await store.complete(held, "kept");
      assert.deepEqual(await store.begin("held", "fp"), { type: "replay", value: "kept" });
    });
  });
}
