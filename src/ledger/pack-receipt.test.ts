import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { makeReceipt } from "./make-receipt.ts";
import { packReceipt, unpackReceipts } from "./pack-receipt.ts";
import { ValuePacker, ValueReader, type PackedValue } from "./packed-values.ts";
import type { Receipt } from "./receipt.ts";

const pack = (receipts: readonly Receipt[]): Uint8Array => {
  const packer = new ValuePacker();
  for (const r of receipts) packReceipt(r, packer);
  return packer.bytes();
};

/** Every value a batch packs, as the reader gives them back. */
const valuesOf = (bytes: Uint8Array): PackedValue[] => {
  const reader = new ValueReader(bytes);
  const values: PackedValue[] = [];
  while (!reader.done) values.push(reader.next());
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

  test("a plain routing record packs without JSON", () => {
    const values = valuesOf(pack([plain]));
    assert.ok(values.includes("model"));
    assert.ok(!values.some((v) => typeof v === "string" && v.startsWith("{")));
  });

  test("the strings a batch repeats are packed once", () => {
    const batch = Array.from({ length: 50 }, (_, i) => makeReceipt({ requestId: `id-${i}` }));
    const one = pack(batch.slice(0, 1)).byteLength;
    const fifty = pack(batch).byteLength;
    assert.ok(fifty < one * 50 * 0.5, `50 receipts took ${fifty} bytes, one ${one}`);
    assert.deepEqual(unpackReceipts(pack(batch)), batch);
  });

  test("every field of a receipt is carried (a field left out of the packing would come back missing)", () => {
    const full = makeReceipt();
    const [back] = unpackReceipts(pack([full]));
    assert.deepEqual(Object.keys(back ?? {}), Object.keys(full));
  });

  test("no bytes are no receipts", () => {
    assert.deepEqual(unpackReceipts(new Uint8Array(0)), []);
  });

  test("bytes cut short, or not packed from receipts, are refused", () => {
    const bytes = pack([plain]);
    assert.throws(() => unpackReceipts(bytes.slice(0, -1)), /end early/);
    assert.throws(() => unpackReceipts(bytes.slice(0, 40)), /end early/);
    const values = new ValuePacker();
    for (const v of ["id", 1, "/v1/chat/completions"]) values.add(v);
    assert.throws(() => unpackReceipts(values.bytes()), /end early/);
    const noCount = new ValuePacker();
    for (let i = 0; i < 17; i++) noCount.add(null);
    noCount.add("not a count");
    assert.throws(() => unpackReceipts(noCount.bytes()), /no count/);
  });
});
