import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, describe, test } from "node:test";
import { makeReceipt } from "./make-receipt.ts";
import { runReceiptStoreConformance } from "./receipt-store.conformance.ts";
import { openSqliteReceiptStore } from "./sqlite-receipt-store.ts";

const root = mkdtempSync(join(tmpdir(), "switchyard-ledger-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(root, `db-${++n}`, "ledger.db");

runReceiptStoreConformance("sqlite (file)", () => openSqliteReceiptStore(freshPath()));
runReceiptStoreConformance("sqlite (:memory:)", () => openSqliteReceiptStore(":memory:"));

describe("openSqliteReceiptStore", () => {
  test("creates missing folders and keeps receipts across reopen", async () => {
    const path = join(root, "nested", "deeper", "ledger.db");
    const first = openSqliteReceiptStore(path);
    await first.insertMany([makeReceipt()]);
    await first.close();
    const second = openSqliteReceiptStore(path);
    assert.deepEqual(await second.get(makeReceipt().requestId), makeReceipt());
    await second.close();
  });

  test("uses WAL, records its schema version and indexes created_at and task_id", async () => {
    const path = freshPath();
    await openSqliteReceiptStore(path).close();
    const db = new DatabaseSync(path);
    try {
      assert.equal((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "wal");
      assert.equal((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version, 1);
      const plan = (sql: string): string =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join("; ");
      assert.match(plan("SELECT receipt FROM receipts WHERE task_id = 'x' ORDER BY created_at DESC LIMIT 5"), /receipts_task_id/);
      assert.match(plan("SELECT receipt FROM receipts WHERE created_at >= 5 ORDER BY created_at DESC LIMIT 5"), /receipts_created_at/);
    } finally {
      db.close();
    }
  });

  test("refuses a ledger written by a newer schema", () => {
    const path = freshPath();
    openSqliteReceiptStore(path).close();
    const db = new DatabaseSync(path);
    db.exec("PRAGMA user_version = 99");
    db.close();
    assert.throws(() => openSqliteReceiptStore(path), /schema version 99 is newer/);
  });

  test("reads rows written before a field existed, with that field absent", async () => {
    const path = freshPath();
    const store = openSqliteReceiptStore(path);
    await store.insertMany([makeReceipt({ requestId: "old" })]);
    await store.close();
    const db = new DatabaseSync(path);
    const { warnings: _w, attempts: _a, ...older } = makeReceipt({ requestId: "old" });
    db.prepare("UPDATE receipts SET receipt = ? WHERE request_id = 'old'").run(JSON.stringify(older));
    db.close();
    const reopened = openSqliteReceiptStore(path);
    const got = await reopened.get("old");
    assert.deepEqual(got?.warnings, []);
    assert.deepEqual(got?.attempts, []);
    await reopened.close();
  });

  test("a failing batch leaves nothing behind", async () => {
    const store = openSqliteReceiptStore(freshPath());
    const bad = makeReceipt({ requestId: "bad", status: null as unknown as "ok" }); // violates NOT NULL
    await assert.rejects(store.insertMany([makeReceipt({ requestId: "good" }), bad]));
    assert.equal(await store.get("good"), null);
    await store.insertMany([makeReceipt({ requestId: "good" })]);
    assert.ok(await store.get("good"));
    await store.close();
  });

  test("calls after close fail clearly", async () => {
    const store = openSqliteReceiptStore(freshPath());
    await store.close();
    await assert.rejects(store.get("x"), /closed/);
    await assert.rejects(store.insertMany([makeReceipt()]), /closed/);
  });
});

describe("opening one ledger from several connections", () => {
  test("the schema is created once and both can write", async () => {
    const path = freshPath();
    const a = openSqliteReceiptStore(path);
    const b = openSqliteReceiptStore(path);
    await a.insertMany([makeReceipt({ requestId: "from-a" })]);
    await b.insertMany([makeReceipt({ requestId: "from-b" })]);
    assert.ok(await a.get("from-b"));
    assert.ok(await b.get("from-a"));
    await Promise.all([a.close(), b.close()]);
  });
});
