import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from "node:sqlite";
import { taskKey, type Feedback, type FeedbackOutcome } from "./feedback.ts";
import type { ReportQuery, ReportResult } from "./ledger-report.ts";
import type { Receipt } from "./receipt.ts";
import { numberOrNull, RECEIPT_COLUMNS, receiptFromRow, receiptRow, textOrNull } from "./receipt-row.ts";
import type { ListFeedbackQuery, ListReceiptsQuery, ReceiptStore } from "./receipt-store.ts";
import type { ScopeSpend, TimeRange } from "./spend-by-scope.ts";
import { sqliteReport, sqliteSpendByScope } from "./sqlite-ledger-queries.ts";
import { migrateSqlite } from "./sqlite-migrate.ts";

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. A
 * receipt's row holds the fields that are filtered, sorted and summed on as columns, and the rest
 * of the receipt as JSON (receipt-row.ts; older rows repeat the columns in the JSON). Append new
 * migrations; never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE receipts (
     request_id     TEXT PRIMARY KEY,
     created_at     INTEGER NOT NULL,
     task_id        TEXT,
     key_id         TEXT,
     route          TEXT,
     lane           TEXT,
     rollout        TEXT,
     arm            TEXT,
     model          TEXT,
     provider       TEXT,
     upstream_model TEXT,
     status         TEXT NOT NULL,
     http_status    INTEGER NOT NULL,
     error_kind     TEXT,
     input_tokens   INTEGER,
     output_tokens  INTEGER,
     cost_micro_usd INTEGER,
     latency_ms     REAL NOT NULL,
     simulated      INTEGER NOT NULL,
     receipt        TEXT NOT NULL
   );
   CREATE INDEX receipts_created_at ON receipts (created_at);
   CREATE INDEX receipts_task_id ON receipts (task_id, created_at);`,
  // 2: what reports and budget sums read (filled in from the JSON of rows written before), and
  // the outcomes of tasks from /v1/feedback — every report kept, the latest per task counted.
  `ALTER TABLE receipts ADD COLUMN ttft_ms REAL;
   ALTER TABLE receipts ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE receipts ADD COLUMN fallbacks INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE receipts ADD COLUMN escalations INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE receipts ADD COLUMN estimated_cost_micro_usd INTEGER;
   UPDATE receipts SET
     ttft_ms = json_extract(receipt, '$.ttftMs'),
     retries = COALESCE(json_extract(receipt, '$.retries'), 0),
     fallbacks = COALESCE(json_extract(receipt, '$.fallbacks'), 0),
     escalations = COALESCE(json_extract(receipt, '$.escalations'), 0),
     estimated_cost_micro_usd = json_extract(receipt, '$.estimatedCostMicroUsd');
   CREATE TABLE feedback (
     id                 TEXT PRIMARY KEY,
     recorded_at        INTEGER NOT NULL,
     task_key           TEXT NOT NULL,
     task_id            TEXT,
     request_id         TEXT,
     outcome            TEXT NOT NULL,
     human_takeover     INTEGER,
     human_edit_minutes REAL,
     note               TEXT,
     key_id             TEXT
   );
   CREATE INDEX feedback_task_key ON feedback (task_key, recorded_at);
   CREATE INDEX feedback_request_id ON feedback (request_id, recorded_at);`,
];

const BUSY_TIMEOUT_MS = 250;
/** Every column a receipt is read back from (`receiptFromRow`). */
const SELECT_RECEIPTS = `SELECT ${RECEIPT_COLUMNS.join(", ")} FROM receipts`;
export const LEDGER_PAGE_SIZE = 16_384;

const FEEDBACK_COLUMNS = [
  "id", "recorded_at", "task_key", "task_id", "request_id", "outcome", "human_takeover", "human_edit_minutes", "note", "key_id",
] as const;

function feedbackRow(f: Feedback): SQLInputValue[] {
  return [
    f.id, f.recordedAt, taskKey(f.taskId, f.requestId), f.taskId, f.requestId, f.outcome,
    f.humanTakeover === null ? null : f.humanTakeover ? 1 : 0, f.humanEditMinutes, f.note, f.keyId,
  ];
}

function decodeFeedback(row: Record<string, SQLOutputValue>): Feedback {
  const takeover = numberOrNull(row["human_takeover"]);
  return {
    id: String(row["id"]),
    recordedAt: Number(row["recorded_at"]),
    taskId: textOrNull(row["task_id"]),
    requestId: textOrNull(row["request_id"]),
    outcome: String(row["outcome"]) as FeedbackOutcome,
    humanTakeover: takeover === null ? null : takeover === 1,
    humanEditMinutes: numberOrNull(row["human_edit_minutes"]),
    note: textOrNull(row["note"]),
    keyId: textOrNull(row["key_id"]),
  };
}

/**
 * Opens (creating it and its folder if needed) a SQLite receipt ledger. `path` may be
 * `:memory:`. WAL lets the CLI read while the gateway writes.
 */
export function openSqliteReceiptStore(path: string): ReceiptStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  // A short busy timeout: a write waiting on another process's lock blocks the event loop, and
  // a failed write is retried by the ReceiptWriter anyway.
  const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    // 16 KB pages (SQLite's default is 4 KB) hold ~18 receipts each: a batch writes and
    // checkpoints fewer pages, ~15% less work per receipt. Set before the first table is made; on
    // an existing ledger the pragma changes nothing.
    db.exec(`PRAGMA page_size = ${LEDGER_PAGE_SIZE}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;`);
    migrateSqlite(db, { path, what: "ledger", migrations: MIGRATIONS });
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteStore(db);
}

class SqliteStore implements ReceiptStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly insertOneFeedback: StatementSync;
  private readonly getOne: StatementSync;
  /** One prepared statement per filter shape, so each can use its index. */
  private readonly listStatements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
    this.insert = db.prepare(`INSERT OR REPLACE INTO receipts (${RECEIPT_COLUMNS.join(", ")}) VALUES (${RECEIPT_COLUMNS.map(() => "?").join(", ")})`);
    this.insertOneFeedback = db.prepare(`INSERT OR REPLACE INTO feedback (${FEEDBACK_COLUMNS.join(", ")}) VALUES (${FEEDBACK_COLUMNS.map(() => "?").join(", ")})`);
    this.getOne = db.prepare(`${SELECT_RECEIPTS} WHERE request_id = ?`);
  }

  async insertMany(receipts: readonly Receipt[]): Promise<void> {
    this.assertOpen();
    this.inTransaction(receipts, (r) => this.insert.run(...receiptRow(r)));
  }

  async insertFeedback(feedback: readonly Feedback[]): Promise<void> {
    this.assertOpen();
    this.inTransaction(feedback, (f) => this.insertOneFeedback.run(...feedbackRow(f)));
  }

  async listFeedback(query: ListFeedbackQuery): Promise<Feedback[]> {
    this.assertOpen();
    if (query.limit <= 0) return [];
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (query.taskId !== undefined) {
      where.push("task_key = ? AND task_id = ?");
      params.push(query.taskId, query.taskId);
    }
    if (query.requestId !== undefined) {
      where.push("request_id = ?");
      params.push(query.requestId);
    }
    const sql = `SELECT * FROM feedback${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY recorded_at DESC, rowid DESC LIMIT ?`;
    return this.statement(sql).all(...params, Math.floor(query.limit)).map(decodeFeedback);
  }

  async report(query: ReportQuery): Promise<ReportResult> {
    this.assertOpen();
    return sqliteReport(this.db, query);
  }

  async spendByScope(ranges: readonly TimeRange[]): Promise<ScopeSpend[]> {
    this.assertOpen();
    return sqliteSpendByScope(this.db, ranges);
  }

  private inTransaction<T>(items: readonly T[], write: (item: T) => void): void {
    if (items.length === 0) return;
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const item of items) write(item);
      this.db.exec("COMMIT");
    } catch (err) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw err;
    }
  }

  private statement(sql: string): StatementSync {
    let statement = this.listStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.listStatements.set(sql, statement);
    }
    return statement;
  }

  async get(requestId: string): Promise<Receipt | null> {
    this.assertOpen();
    const found = this.getOne.get(requestId);
    return found ? receiptFromRow(found) : null;
  }

  async list(query: ListReceiptsQuery): Promise<Receipt[]> {
    this.assertOpen();
    if (query.limit <= 0) return [];
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (query.taskId !== undefined) {
      where.push("task_id = ?");
      params.push(query.taskId);
    }
    if (query.since !== undefined) {
      where.push("created_at >= ?");
      params.push(query.since);
    }
    if (query.keyId !== undefined) {
      where.push("key_id = ?");
      params.push(query.keyId);
    }
    const sql = `${SELECT_RECEIPTS}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, request_id DESC LIMIT ?`;
    return this.statement(sql).all(...params, Math.floor(query.limit)).map(receiptFromRow);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  private assertOpen(): void {
    if (!this.db.isOpen) throw new Error("the receipt store is closed");
  }
}
