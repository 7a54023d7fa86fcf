import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { runLedgerQueriesConformance } from "./ledger-queries.conformance.ts";
import { makeReceipt } from "./make-receipt.ts";
import type { Receipt } from "./receipt.ts";
import type { ReceiptStore } from "./receipt-store.ts";

/**
 * The behaviour every ReceiptStore implementation must have. Call it from the implementation's
 * test file; `makeStore` must return a fresh, empty store on every call.
 */
export function runReceiptStoreConformance(name: string, makeStore: () => ReceiptStore | Promise<ReceiptStore>): void {
  describe(`ReceiptStore conformance: ${name}`, () => {
    const opened: ReceiptStore[] = [];
    const open = async (): Promise<ReceiptStore> => {
      const store = await makeStore();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    const at = (i: number, extra: Partial<Receipt> = {}): Receipt =>
      makeReceipt({ requestId: `req-${String(i).padStart(3, "0")}`, createdAt: 1_700_000_000_000 + i * 1000, ...extra });

    test("get returns every field exactly as inserted", async () => {
      const store = await open();
      const full = makeReceipt();
      const sparse = makeReceipt({
        requestId: "sparse",
        keyId: null, taskId: null, taskType: null, complexity: null, route: null, lane: null, rollout: null,
        arm: null, requestedModel: null, model: null, provider: null, providerType: null, upstreamModel: null,
        upstreamModelReported: null, attempts: [], idempotencyKey: null, inputTokens: null,
        cachedInputTokens: null, cacheWriteTokens: null, outputTokens: null, reasoningTokens: null,
        costMicroUsd: null, estimatedCostMicroUsd: null, ttftMs: null, overheadMs: null, finishReason: null,
        finishReasonRaw: null, reasoningEffort: null, status: "rejected", httpStatus: 404,
        errorKind: "model_not_found", errorMessage: "no model 'gpt-9'", warnings: [], simulated: true, cacheHit: true,
      });
      await store.insertMany([full, sparse]);
      assert.deepEqual(await store.get(full.requestId), full);
      assert.deepEqual(await store.get("sparse"), sparse);
    });

    test("get of an unknown id is null", async () => {
      const store = await open();
      assert.equal(await store.get("nope"), null);
    });

    test("inserting an empty batch is a no-op", async () => {
      const store = await open();
      await store.insertMany([]);
      assert.deepEqual(await store.list({ limit: 10 }), []);
    });

    test("a receipt inserted again replaces the stored one", async () => {
      const store = await open();
      await store.insertMany([at(1, { costMicroUsd: 10 })]);
      await store.insertMany([at(1, { costMicroUsd: 20 })]);
      const all = await store.list({ limit: 10 });
      assert.equal(all.length, 1);
      assert.equal(all[0]?.costMicroUsd, 20);
    });

    test("list is newest first, at most limit", async () => {
      const store = await open();
      await store.insertMany([at(2), at(5), at(1), at(4), at(3)]);
      const ids = (await store.list({ limit: 3 })).map((r) => r.requestId);
      assert.deepEqual(ids, ["req-005", "req-004", "req-003"]);
      assert.deepEqual(await store.list({ limit: 0 }), []);
    });

    test("list breaks ties on createdAt by request id, descending", async () => {
      const store = await open();
      await store.insertMany([at(1, { requestId: "b", createdAt: 5 }), at(2, { requestId: "c", createdAt: 5 }), at(3, { requestId: "a", createdAt: 5 })]);
      assert.deepEqual((await store.list({ limit: 10 })).map((r) => r.requestId), ["c", "b", "a"]);
    });

    test("list filters by task id", async () => {
      const store = await open();
      await store.insertMany([at(1, { taskId: "t1" }), at(2, { taskId: "t2" }), at(3, { taskId: "t1" }), at(4, { taskId: null })]);
      assert.deepEqual((await store.list({ limit: 10, taskId: "t1" })).map((r) => r.requestId), ["req-003", "req-001"]);
      assert.deepEqual(await store.list({ limit: 10, taskId: "t9" }), []);
    });

    test("list filters by since, inclusive", async () => {
      const store = await open();
      await store.insertMany([at(1), at(2), at(3), at(4)]);
      const since = at(2).createdAt;
      assert.deepEqual((await store.list({ limit: 10, since })).map((r) => r.requestId), ["req-004", "req-003", "req-002"]);
    });

    test("list combines task id, since and limit", async () => {
      const store = await open();
      await store.insertMany([at(1, { taskId: "t" }), at(2, { taskId: "t" }), at(3, { taskId: "u" }), at(4, { taskId: "t" }), at(5, { taskId: "t" })]);
      const got = await store.list({ limit: 2, taskId: "t", since: at(2).createdAt });
      assert.deepEqual(got.map((r) => r.requestId), ["req-005", "req-004"]);
    });

    test("a large batch is stored whole", async () => {
      const store = await open();
      const batch = Array.from({ length: 1200 }, (_, i) => at(i));
      await store.insertMany(batch);
      assert.equal((await store.list({ limit: 5000 })).length, 1200);
      assert.deepEqual(await store.get("req-777"), batch[777]);
    });

    test("close is idempotent", async () => {
      const store = await open();
      await store.insertMany([at(1)]);
      await store.close();
      await store.close();
    });

    runLedgerQueriesConformance(open);
  });
}
