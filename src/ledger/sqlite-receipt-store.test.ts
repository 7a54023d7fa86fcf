import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, describe, test } from "node:test";
import { makeReceipt } from "./make-receipt.ts";
import { createMemoryReceiptStore } from "./memory-receipt-store.ts";
import { runReceiptStoreConformance } from "./receipt-store.conformance.ts";
import type { ScopeSpend } from "./spend-by-scope.ts";
import { RECEIPT_COLUMNS } from "./receipt-row.ts";
import { LEDGER_PAGE_SIZE, MIGRATIONS, openSqliteReceiptStore } from "./sqlite-receipt-store.ts";

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
      assert.equal((db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size, LEDGER_PAGE_SIZE);
      assert.equal((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version, MIGRATIONS.length);
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

  test("stores each field once: the JSON holds what has no column, and the receipt reads back field for field, in order", async () => {
    const path = freshPath();
    const store = openSqliteReceiptStore(path);
    const full = makeReceipt({ requestId: "full" });
    const sparse = makeReceipt({
      requestId: "sparse", keyId: null, taskId: null, route: null, lane: null, rollout: null, arm: null, model: null, provider: null,
      upstreamModel: null, errorKind: null, inputTokens: null, outputTokens: null, costMicroUsd: null, ttftMs: null, estimatedCostMicroUsd: null,
      status: "rejected", httpStatus: 400, simulated: true, latencyMs: 0.25,
    });
    await store.insertMany([full, sparse]);
    for (const r of [full, sparse]) assert.equal(JSON.stringify(await store.get(r.requestId)), JSON.stringify(r));
    await store.close();
    const db = new DatabaseSync(path);
    try {
      const json = JSON.parse((db.prepare("SELECT receipt FROM receipts WHERE request_id = 'full'").get() as { receipt: string }).receipt) as object;
      const inColumns = new Set(["requestId", "createdAt", "taskId", "keyId", "route", "lane", "rollout", "arm", "model", "provider", "upstreamModel", "status",
        "httpStatus", "errorKind", "inputTokens", "outputTokens", "costMicroUsd", "latencyMs", "simulated", "ttftMs", "retries", "fallbacks", "escalations", "estimatedCostMicroUsd"]);
      assert.equal(inColumns.size, RECEIPT_COLUMNS.length - 1); // every column but `receipt` itself
      assert.deepEqual(Object.keys(json).filter((k) => inColumns.has(k)), []);
      assert.deepEqual(Object.keys(json).length + inColumns.size, Object.keys(full).length);
    } finally {
      db.close();
    }
  });

  test("reads rows whose JSON repeats the columns, as older versions wrote them", async () => {
    const path = freshPath();
    const store = openSqliteReceiptStore(path);
    const r = makeReceipt({ requestId: "old" });
    await store.insertMany([r]);
    await store.close();
    const db = new DatabaseSync(path);
    db.prepare("UPDATE receipts SET receipt = ? WHERE request_id = 'old'").run(JSON.stringify(r));
    db.close();
    const reopened = openSqliteReceiptStore(path);
    assert.equal(JSON.stringify(await reopened.get("old")), JSON.stringify(r));
    await reopened.close();
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

describe("the reports schema (migration 2)", () => {
  test("a ledger written by version 1 is migrated: columns filled in from the JSON, feedback added", async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    db.exec(MIGRATIONS[0] ?? "");
    db.exec("PRAGMA user_version = 1");
    const old = makeReceipt({ requestId: "old", taskId: "t", retries: 2, fallbacks: 1, escalations: 1, ttftMs: 42.5, estimatedCostMicroUsd: 777 });
    db.prepare(
      `INSERT INTO receipts (request_id, created_at, task_id, key_id, route, lane, rollout, arm, model, provider, upstream_model, status, http_status,
         error_kind, input_tokens, output_tokens, cost_micro_usd, latency_ms, simulated, receipt)
       VALUES (?, ?, ?, NULL, ?, NULL, NULL, NULL, ?, ?, NULL, 'ok', 200, NULL, ?, ?, ?, ?, 0, ?)`,
    ).run(old.requestId, old.createdAt, old.taskId, old.route, old.model, old.provider, old.inputTokens, old.outputTokens, old.costMicroUsd, old.latencyMs, JSON.stringify(old));
    db.close();

    const store = openSqliteReceiptStore(path);
    await store.insertFeedback([{ id: "f", recordedAt: old.createdAt + 1, taskId: "t", requestId: null, outcome: "completed", humanTakeover: null, humanEditMinutes: null, note: null, keyId: null }]);
    const { total } = await store.report({ by: "route", sinceMs: old.createdAt, untilMs: old.createdAt + 1 });
    assert.deepEqual(
      { retries: total.retries, fallbacks: total.fallbacks, escalations: total.escalations, ttft: total.ttftMs.p50, done: total.completedTasks, perTask: total.costPerCompletedTaskMicroUsd },
      { retries: 2, fallbacks: 1, escalations: 1, ttft: 42.5, done: 1, perTask: old.costMicroUsd },
    );
    await store.close();
    const raw = new DatabaseSync(path);
    assert.deepEqual({ ...(raw.prepare("SELECT estimated_cost_micro_usd AS e FROM receipts").get() as object) }, { e: 777 });
    raw.close();
  });

  test("a task's latest feedback is found through the index", async () => {
    const path = freshPath();
    await openSqliteReceiptStore(path).close();
    const db = new DatabaseSync(path);
    try {
      const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT rowid FROM feedback WHERE task_key = 'x' ORDER BY recorded_at DESC, rowid DESC LIMIT 1").all() as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join("; ");
      assert.match(plan, /feedback_task_key/);
      assert.doesNotMatch(plan, /TEMP B-TREE/);
    } finally {
      db.close();
    }
  });

  test("on a few thousand random receipts, the SQL report and spend equal the in-memory reference", async () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const choose = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const start = Date.UTC(2026, 0, 1);
    const receipts = Array.from({ length: 3000 }, (_, i) =>
      makeReceipt({
        requestId: `q${i}`,
        createdAt: start + Math.floor(rand() * 10 * 86_400_000),
        taskId: rand() < 0.2 ? null : `t${Math.floor(rand() * 400)}`,
        keyId: choose([null, "k1", "k2"]),
        route: choose([null, "a", "b", "c"]),
        model: choose(["m1", "m2", null]),
        provider: choose(["p1", "p2"]),
        arm: choose([null, "baseline", "candidate"]),
        status: choose(["ok", "ok", "ok", "error", "rejected", "truncated", "client_closed"] as const),
        retries: Math.floor(rand() * 3),
        fallbacks: Math.floor(rand() * 2),
        escalations: Math.floor(rand() * 2),
        inputTokens: rand() < 0.1 ? null : Math.floor(rand() * 5000),
        outputTokens: rand() < 0.1 ? null : Math.floor(rand() * 800),
        costMicroUsd: rand() < 0.1 ? null : Math.floor(rand() * 50_000),
        estimatedCostMicroUsd: rand() < 0.2 ? null : Math.floor(rand() * 60_000),
        latencyMs: Math.round(rand() * 500_000) / 100,
        ttftMs: rand() < 0.3 ? null : Math.round(rand() * 100_000) / 100,
      }),
    );
    const feedback = Array.from({ length: 600 }, (_, i) => ({
      id: `f${i}`,
      recordedAt: start + Math.floor(rand() * 20) * 1000,
      taskId: rand() < 0.1 ? null : `t${Math.floor(rand() * 450)}`,
      requestId: null as string | null,
      outcome: choose(["completed", "failed", "abandoned"] as const),
      humanTakeover: choose([null, true, false]),
      humanEditMinutes: rand() < 0.5 ? null : Math.floor(rand() * 40) / 2,
      note: null,
      keyId: null,
    })).map((f) => (f.taskId === null ? { ...f, requestId: `q${Math.floor(rand() * 3000)}` } : f));
    const sqlite = openSqliteReceiptStore(freshPath());
    const memory = createMemoryReceiptStore();
    for (const store of [sqlite, memory]) {
      await store.insertMany(receipts);
      await store.insertFeedback(feedback);
    }
    for (const by of ["route", "model", "provider", "key", "arm"] as const) {
      const query = { by, sinceMs: start + 86_400_000, untilMs: start + 8 * 86_400_000 };
      assert.deepEqual(await sqlite.report(query), await memory.report(query), by);
    }
    const ranges = [{ startMs: start, endMs: start + 86_400_000 }, { startMs: start + 3 * 86_400_000, endMs: start + 30 * 86_400_000 }];
    const order = (rows: ScopeSpend[]): ScopeSpend[] => rows.sort((x, y) => JSON.stringify([x.route, x.keyId]).localeCompare(JSON.stringify([y.route, y.keyId])));
    assert.deepEqual(order(await sqlite.spendByScope(ranges)), order(await memory.spendByScope(ranges)));
    await sqlite.close();
  });
});
