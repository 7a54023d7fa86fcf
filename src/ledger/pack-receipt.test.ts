import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeReceipt } from "./make-receipt.ts";
import { packReceipt, unpackReceipts, type PackedValue } from "./pack-receipt.ts";
import type { Receipt } from "./receipt.ts";

const pack = (receipts: readonly Receipt[]): PackedValue[] => {
  const values: PackedValue[] = [];
  for (const r of receipts) packReceipt(r, values);
  return values;
};

/** The shapes finish() writes: a plain direct-model answer, a sparse rejection, and the full one. */
const plain = makeReceipt({
  requestId: "plain",
  keyId: null,
  taskId: null,
  taskType: null,
  complexity: null,
  route: null,
  lane: null,
  rollout: null,
  arm: null,
  attempts: [{ provider: "fake", model: "m", upstreamModel: "u", status: 200, errorKind: null, errorMessage: null, latencyMs: 7.484679999994114, ttftMs: 7.484679999994114 }],
  routing: { resolvedBy: "model" },
  warnings: [],
});
const rejected = makeReceipt({
  requestId: "rejected",
  model: null,
  provider: null,
  providerType: null,
  upstreamModel: null,
  upstreamModelReported: null,
  attempts: [],
  inputTokens: null,
  cachedInputTokens: null,
  cacheWriteTokens: null,
  outputTokens: null,
  reasoningTokens: null,
  costMicroUsd: null,
  estimatedCostMicroUsd: null,
  ttftMs: null,
  overheadMs: null,
  routing: null,
  finishReason: null,
  finishReasonRaw: null,
  status: "rejected",
  httpStatus: 400,
  errorKind: "bad_request",
  errorMessage: "The request body is not valid JSON.",
  warnings: ["one", "two", "three"],
  simulated: true,
});
const skipped = makeReceipt({ requestId: "skipped", routing: { resolvedBy: "route", demoted: ["a/b"], skipped: ["c/d", "e/f"] } });

describe("packReceipt / unpackReceipts", () => {
  test("a batch comes back as it went, each receipt equal to the original", () => {
    const batch = [makeReceipt(), plain, rejected, skipped];
    assert.deepEqual(unpackReceipts(pack(batch)), batch);
  });

  test("the receipt's JSON is the original's, key order included", () => {
    const batch = [makeReceipt(), plain, rejected, skipped];
    assert.deepEqual(
      unpackReceipts(pack(batch)).map((r) => JSON.stringify(r)),
      batch.map((r) => JSON.stringify(r)),
    );
  });

  test("only strings, numbers, booleans and nulls cross", () => {
    for (const value of pack([makeReceipt(), plain, rejected, skipped])) {
      assert.ok(value === null || ["string", "number", "boolean"].includes(typeof value), `unexpected ${typeof value}`);
    }
  });

  test("a plain routing record packs without JSON", () => {
    const values = pack([plain]);
    assert.ok(values.includes("model"));
    assert.ok(!values.some((v) => typeof v === "string" && v.startsWith("{")));
  });

  test("every field of a receipt is carried (a field left out of the packing would come back missing)", () => {
    const full = makeReceipt();
    const [back] = unpackReceipts(pack([full]));
    assert.deepEqual(Object.keys(back ?? {}), Object.keys(full));
  });

  test("an empty list is no receipts", () => {
    assert.deepEqual(unpackReceipts([]), []);
  });

  test("a list cut short, or not made by packReceipt, is refused", () => {
    const values = pack([plain]);
    assert.throws(() => unpackReceipts(values.slice(0, -1)), /ends early/);
    assert.throws(() => unpackReceipts(values.slice(0, 20)), /no count|ends early/);
    assert.throws(() => unpackReceipts(["id", 1, "/v1/chat/completions"]), /ends early/);
  });
});
