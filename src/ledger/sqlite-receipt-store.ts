import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { decodeReceipt } from "./decode-receipt.ts";
import type { Receipt } from "./receipt.ts";
import type { ListReceiptsQuery, ReceiptStore } from "./receipt-store.ts";

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. The
 * whole receipt is kept as JSON (the truth); the columns beside it exist to be filtered, sorted
 * and summed on. Append new migrations; never edit one that has shipped.
 */
const MIGRATIONS: readonly string[] = [
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
];

const BUSY_TIMEOUT_MS = 250;

const COLUMNS = [
  "request_id", "created_at", "task_id", "key_id", "route", "lane", "rollout", "arm", "model", "provider",
  "upstream_model", "status", "http_status", "error_kind", "input_tokens", "output_tokens", "cost_micro_usd",
  "latency_ms", "simulated", "receipt",
] as const;

function row(r: Receipt): SQLInputValue[] {
  return [
    r.requestId, r.createdAt, r.taskId, r.keyId, r.route, r.lane, r.rollout, r.arm, r.model, r.provider,
    r.upstreamModel, r.status, r.httpStatus, r.errorKind, r.inputTokens, r.outputTokens, r.costMicroUsd,
    r.latencyMs, r.simulated ? 1 : 0, JSON.stringify(r),
  ];
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
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    migrate(db, path);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteReceiptStore(db);
}

function migrate(db: DatabaseSync, path: string): void {
  if (schemaVersion(db, path) === MIGRATIONS.length) return;
  // Several processes may open a new ledger at once (cluster workers): each step re-reads the
  // version under the write lock, so a migration runs exactly once.
  for (;;) {
    db.exec("BEGIN IMMEDIATE");
    try {
      const version = schemaVersion(db, path);
      if (version === MIGRATIONS.length) {
        db.exec("COMMIT");
        return;
      }
      db.exec(MIGRATIONS[version] ?? "");
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec("COMMIT");
    } catch (err) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw err;
    }
  }
}

function schemaVersion(db: DatabaseSync, path: string): number {
  const version = Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
  if (version > MIGRATIONS.length) {
    throw new Error(`${path}: ledger schema version ${version} is newer than this Switchyard knows (${MIGRATIONS.length}); upgrade Switchyard to read it.`);
  }
  return version;
}

class SqliteReceiptStore implements ReceiptStore {
  private readonly db: DatabaseSync;
  private readonly insert: StatementSync;
  private readonly getOne: StatementSync;
  /** One prepared statement per filter shape, so each can use its index. */
  private readonly listStatements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
    this.insert = db.prepare(`INSERT OR REPLACE INTO receipts (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`);
    this.getOne = db.prepare("SELECT receipt FROM receipts WHERE request_id = ?");
  }

  async insertMany(receipts: readonly Receipt[]): Promise<void> {
    this.assertOpen();
    if (receipts.length === 0) return;
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const r of receipts) this.insert.run(...row(r));
      this.db.exec("COMMIT");
    } catch (err) {
      if (this.db.isTransaction) this.db.exec("ROLLBACK");
      throw err;
    }
  }

  async get(requestId: string): Promise<Receipt | null> {
    this.assertOpen();
    const found = this.getOne.get(requestId) as { receipt: string } | undefined;
    return found ? decodeReceipt(found.receipt) : null;
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
    const sql = `SELECT receipt FROM receipts${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, request_id DESC LIMIT ?`;
    let statement = this.listStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.listStatements.set(sql, statement);
    }
    const rows = statement.all(...params, Math.floor(query.limit)) as Array<{ receipt: string }>;
    return rows.map((r) => decodeReceipt(r.receipt));
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  private assertOpen(): void {
    if (!this.db.isOpen) throw new Error("the receipt store is closed");
  }
}
