import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, test } from "node:test";
import { makeReceipt } from "./make-receipt.ts";
import { createMemoryReceiptStore } from "./memory-receipt-store.ts";
import type { Feedback } from "./feedback.ts";
import type { Receipt } from "./receipt.ts";
import type { InsertOptions, ReceiptStore } from "./receipt-store.ts";
import { ReceiptWriter, type ReceiptWriterOptions } from "./receipt-writer.ts";

/** A memory store that records batches and fails on demand. */
class FakeStore implements ReceiptStore {
  readonly inner = createMemoryReceiptStore();
  readonly batches: string[][] = [];
  /** Whether each batch was written as urgent. */
  readonly urgent: boolean[] = [];
  events: string[] = [];
  down = false;
  rejects = new Set<string>();
  closed = false;

  async insertMany(receipts: readonly Receipt[], options?: InsertOptions): Promise<void> {
    if (this.down) throw new Error("disk I/O error");
    const bad = receipts.find((r) => this.rejects.has(r.requestId));
    if (bad) throw new Error(`NOT NULL constraint failed (${bad.requestId})`);
    this.batches.push(receipts.map((r) => r.requestId));
    this.urgent.push(options?.urgent === true);
    this.events.push(`insert:${receipts.length}`);
    await this.inner.insertMany(receipts);
  }
  async insertFeedback(feedback: readonly Feedback[]): Promise<void> {
    if (this.down) throw new Error("disk I/O error");
    const bad = feedback.find((f) => this.rejects.has(f.id));
    if (bad) throw new Error(`CHECK constraint failed (${bad.id})`);
    this.events.push(`feedback:${feedback.length}`);
    await this.inner.insertFeedback(feedback);
  }
  get(requestId: string) {
    return this.inner.get(requestId);
  }
  list(query: Parameters<ReceiptStore["list"]>[0]) {
    return this.inner.list(query);
  }
  listFeedback(query: Parameters<ReceiptStore["listFeedback"]>[0]) {
    return this.inner.listFeedback(query);
  }
  report(query: Parameters<ReceiptStore["report"]>[0]) {
    return this.inner.report(query);
  }
  spendByScope(ranges: Parameters<ReceiptStore["spendByScope"]>[0]) {
    return this.inner.spendByScope(ranges);
  }
  async close(): Promise<void> {
    this.closed = true;
    await this.inner.close();
  }
}

function setup(options: Partial<ReceiptWriterOptions> = {}) {
  const store = new FakeStore();
  const logs: string[] = [];
  const writer = new ReceiptWriter({ store, flushIntervalMs: 60_000, log: (l) => logs.push(l), ...options });
  return { store, logs, writer };
}

const r = (i: number): Receipt => makeReceipt({ requestId: `r${i}`, createdAt: 1000 + i });

describe("ReceiptWriter", () => {
  test("many writes become one batch", async () => {
    const { store, writer } = setup();
    for (let i = 0; i < 100; i++) writer.write(r(i));
    assert.equal(store.batches.length, 0, "write only buffers");
    await writer.flush();
    assert.equal(store.batches.length, 1);
    assert.equal(store.batches[0]?.length, 100);
    await writer.close();
  });

  test("a slice is never larger than maxBatch", async () => {
    const { store, writer } = setup({ maxBatch: 3, sliceSize: 50 });
    for (let i = 0; i < 7; i++) writer.write(r(i));
    await writer.flush();
    assert.deepEqual(store.batches.map((b) => b.length), [3, 3, 1]);
    await writer.close();
  });

  test("the timer flushes without being asked", async () => {
    const { store, writer } = setup({ flushIntervalMs: 5 });
    writer.write(r(1));
    writer.write(r(2));
    await sleep(40);
    assert.deepEqual(store.batches, [["r1", "r2"]]);
    await writer.close();
  });

  test("a full batch flushes at once, without waiting for the timer", async () => {
    const { store, writer } = setup({ maxBatch: 5 });
    for (let i = 0; i < 5; i++) writer.write(r(i));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(store.batches.length, 1);
    await writer.close();
  });

  test("flushes in slices, yielding to the event loop between them", async () => {
    const { store, writer } = setup({ sliceSize: 2 });
    for (let i = 0; i < 5; i++) writer.write(r(i));
    const flushed = writer.flush();
    setImmediate(() => store.events.push("other work"));
    await flushed;
    assert.deepEqual(store.batches, [["r0", "r1"], ["r2", "r3"], ["r4"]]);
    assert.deepEqual(store.events, ["insert:2", "other work", "insert:2", "insert:1"]);
    await writer.close();
  });

  test("a slice is urgent while a backlog of urgentBacklog or more waits behind it, and while closing", async () => {
    const { store, writer } = setup({ sliceSize: 2, urgentBacklog: 3 });
    for (let i = 0; i < 7; i++) writer.write(r(i));
    await writer.flush();
    // Behind each slice wait 5, 3, 1, then none.
    assert.deepEqual(store.batches.map((b) => b.length), [2, 2, 2, 1]);
    assert.deepEqual(store.urgent, [true, true, false, false]);
    writer.write(r(8));
    await writer.close();
    assert.deepEqual(store.urgent.slice(4), [true], "the last flush, on close, is urgent");
  });

  test("by default a slice becomes urgent with four slices waiting behind it", async () => {
    const { store, writer } = setup({ sliceSize: 2 });
    for (let i = 0; i < 11; i++) writer.write(r(i));
    await writer.flush();
    assert.deepEqual(store.urgent, [true, false, false, false, false, false]);
    await writer.close();
  });

  test("get sees the latest write of an id, and a receipt while its batch is being written", async () => {
    const { store, writer } = setup();
    writer.write(r(1));
    writer.write({ ...r(1), status: "error" });
    writer.write(r(2));
    assert.equal((await writer.get("r1"))?.status, "error");
    let release: () => void = () => {};
    const insert = store.insertMany.bind(store);
    store.insertMany = async (receipts) => {
      await new Promise<void>((resolve) => (release = resolve));
      return insert(receipts);
    };
    const flushed = writer.flush();
    await sleep(5);
    assert.equal(store.batches.length, 0, "the batch is still being written");
    assert.equal((await writer.get("r2"))?.requestId, "r2");
    assert.equal((await writer.get("r1"))?.status, "error");
    release();
    await flushed;
    assert.equal(writer.stats().buffered, 0);
    assert.equal((await writer.get("r1"))?.status, "error");
    await writer.close();
  });

  test("get sees a receipt before it is flushed, then reads the store", async () => {
    const { store, writer } = setup();
    const receipt = r(1);
    writer.write(receipt);
    assert.equal(await store.get("r1"), null);
    assert.deepEqual(await writer.get("r1"), receipt);
    await writer.flush();
    assert.deepEqual(await store.get("r1"), receipt);
    assert.deepEqual(await writer.get("r1"), receipt);
    assert.equal(await writer.get("nope"), null);
    await writer.close();
  });

  test("close flushes everything, closes the store, and later writes are dropped", async () => {
    const { store, writer, logs } = setup();
    for (let i = 0; i < 3; i++) writer.write(r(i));
    await writer.close();
    await writer.close();
    assert.equal((await store.inner.list({ limit: 10 }).catch(() => null)), null, "inner store closed");
    assert.deepEqual(store.batches, [["r0", "r1", "r2"]]);
    assert.ok(store.closed);
    writer.write(r(9));
    assert.equal(writer.stats().dropped, 1);
    assert.match(logs.join("\n"), /after the ledger was closed/);
  });

  test("a failed flush keeps the receipts, logs, and retries on its own", async () => {
    const { store, writer, logs } = setup({ flushIntervalMs: 5 });
    store.down = true;
    writer.write(r(1));
    writer.write(r(2));
    await assert.rejects(writer.flush(), /disk I\/O error/);
    assert.deepEqual(writer.stats(), { buffered: 2, dropped: 0, consecutiveFailures: 1 });
    assert.deepEqual(await writer.get("r2"), r(2));
    assert.match(logs[0] ?? "", /writing receipts failed .*2 buffered.*disk I\/O error/);
    store.down = false;
    await sleep(60);
    assert.deepEqual(store.batches, [["r1", "r2"]]);
    assert.equal(writer.stats().consecutiveFailures, 0);
    assert.match(logs.at(-1) ?? "", /works again/);
    await writer.close();
  });

  test("write never throws, even with the store down", async () => {
    const { store, writer } = setup({ maxBatch: 1, flushIntervalMs: 1 });
    store.down = true;
    for (let i = 0; i < 50; i++) writer.write(r(i));
    await sleep(20);
    assert.equal(writer.stats().buffered, 50);
    store.down = false;
    await writer.flush();
    assert.equal((await store.list({ limit: 100 })).length, 50);
    await writer.close();
  });

  test("the buffer is bounded: with the store down the oldest receipts are dropped", async () => {
    const { store, writer, logs } = setup({ maxBatch: 2, sliceSize: 2, maxBuffered: 5 });
    store.down = true;
    for (let i = 0; i < 8; i++) writer.write(r(i));
    assert.deepEqual(writer.stats(), { buffered: 5, dropped: 3, consecutiveFailures: 0 });
    assert.match(logs.join("\n"), /buffer full/);
    store.down = false;
    await writer.flush();
    assert.deepEqual((await store.list({ limit: 10 })).map((x) => x.requestId), ["r7", "r6", "r5", "r4", "r3"]);
    await writer.close();
  });

  test("a receipt the store rejects on its own is dropped after a few tries; the rest get through", async () => {
    const { store, writer, logs } = setup();
    store.rejects.add("r2");
    for (let i = 1; i <= 3; i++) writer.write(r(i));
    for (let attempt = 1; attempt <= 3; attempt++) await assert.rejects(writer.flush());
    assert.equal(writer.stats().buffered, 3);
    await writer.flush();
    assert.deepEqual((await store.list({ limit: 10 })).map((x) => x.requestId), ["r3", "r1"]);
    assert.equal(writer.stats().dropped, 1);
    assert.match(logs.join("\n"), /rejected receipt r2; dropped/);
    await writer.close();
  });

  test("with the store down, isolation drops nothing", async () => {
    const { store, writer } = setup();
    store.down = true;
    writer.write(r(1));
    writer.write(r(2));
    for (let attempt = 1; attempt <= 5; attempt++) await assert.rejects(writer.flush());
    assert.deepEqual(writer.stats(), { buffered: 2, dropped: 0, consecutiveFailures: 5 });
    store.down = false;
    await writer.close();
    assert.equal(store.batches.flat().length, 2);
  });

  test("close with the store still down reports the loss and still closes", async () => {
    const { store, writer, logs } = setup();
    store.down = true;
    writer.write(r(1));
    await writer.close();
    assert.ok(store.closed);
    assert.match(logs.at(-1) ?? "", /1 receipt\(s\) that could not be written/);
    assert.equal(writer.stats().dropped, 1);
  });
});

describe("ReceiptWriter: feedback", () => {
  const fb = (i: number, extra: Partial<Feedback> = {}): Feedback => ({
    id: `fb${i}`,
    recordedAt: 5000 + i,
    taskId: "t1",
    requestId: null,
    outcome: "completed",
    humanTakeover: null,
    humanEditMinutes: null,
    note: null,
    keyId: null,
    ...extra,
  });

  test("is buffered, then written with the receipts of its flush", async () => {
    const { store, writer } = setup();
    writer.write(r(1));
    writer.writeFeedback(fb(1));
    writer.write(r(2));
    assert.equal(writer.stats().buffered, 3);
    assert.deepEqual(await store.listFeedback({ limit: 10 }), []);
    await writer.flush();
    assert.deepEqual(store.events, ["insert:2", "feedback:1"]);
    assert.deepEqual(await store.listFeedback({ limit: 10 }), [fb(1)]);
    assert.equal(writer.stats().buffered, 0);
    await writer.close();
  });

  test("survives a store that is down, and is retried with the receipts", async () => {
    const { store, writer } = setup({ flushIntervalMs: 5 });
    store.down = true;
    writer.writeFeedback(fb(1));
    await assert.rejects(writer.flush(), /disk I\/O error/);
    assert.equal(writer.stats().buffered, 1);
    store.down = false;
    await sleep(60);
    assert.deepEqual((await store.listFeedback({ limit: 10 })).map((f) => f.id), ["fb1"]);
    await writer.close();
  });

  test("one the store rejects on its own is dropped and named; the rest get through", async () => {
    const { store, writer, logs } = setup();
    store.rejects.add("fb2");
    writer.writeFeedback(fb(1));
    writer.writeFeedback(fb(2));
    writer.write(r(3));
    for (let attempt = 1; attempt <= 3; attempt++) await assert.rejects(writer.flush());
    await writer.flush();
    assert.deepEqual((await store.listFeedback({ limit: 10 })).map((f) => f.id), ["fb1"]);
    assert.ok(await store.get("r3"));
    assert.deepEqual(writer.stats(), { buffered: 0, dropped: 1, consecutiveFailures: 0 });
    assert.match(logs.join("\n"), /rejected feedback fb2; dropped/);
    await writer.close();
  });

  test("after close it is dropped and counted", async () => {
    const { writer, logs } = setup();
    await writer.close();
    writer.writeFeedback(fb(1));
    assert.equal(writer.stats().dropped, 1);
    assert.match(logs.join("\n"), /feedback fb1 arrived after the ledger was closed/);
  });
});
