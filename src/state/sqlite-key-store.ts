import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { migrateSqlite } from "../ledger/sqlite-migrate.ts";
import {
  issueKey,
  KeyStoreError,
  type KeyRecord,
  type KeySpec,
  type KeyStore,
  type RevokeResult,
} from "./key-store.ts";

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run. Append
 * new migrations; never edit one that has shipped. A name is unique only among keys that are
 * not revoked, so a revoked key's name can be issued again.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE keys (
     id         TEXT PRIMARY KEY,
     name       TEXT NOT NULL,
     prefix     TEXT NOT NULL,
     hash       TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER,
     budget     TEXT NOT NULL,
     rate_limit TEXT NOT NULL,
     routes     TEXT
   );
   CREATE UNIQUE INDEX keys_active_name ON keys (name) WHERE revoked_at IS NULL;`,
];

/** The CLI and the gateway write rarely and briefly; waiting a little beats failing. */
const BUSY_TIMEOUT_MS = 2_000;

/** Where the SQLite key store lives: `keys.db` beside the SQLite ledger (in memory with an in-memory ledger). */
export function keyStorePathFor(ledgerPath: string): string {
  return ledgerPath === ":memory:" ? ":memory:" : join(dirname(ledgerPath), "keys.db");
}

export interface SqliteKeyStoreOptions {
  /** Wall-clock Unix milliseconds. Default `Date.now`. */
  clock?: () => number;
}

/**
 * Opens (creating it and its folder if needed) a SQLite key store. `path` may be `:memory:`.
 * WAL lets `switchyard keys` write while a gateway reads.
 */
export function openSqliteKeyStore(path: string, options: SqliteKeyStoreOptions = {}): KeyStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    migrateSqlite(db, { path, what: "key store", migrations: MIGRATIONS });
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteKeyStore(db, options.clock ?? Date.now);
}

interface Row {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
  budget: string;
  rate_limit: string;
  routes: string | null;
}

function fromRow(row: Row): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    budget: JSON.parse(row.budget) as KeyRecord["budget"],
    rateLimit: JSON.parse(row.rate_limit) as KeyRecord["rateLimit"],
    routes: row.routes === null ? null : (JSON.parse(row.routes) as string[]),
  };
}

const SELECT = "SELECT id, name, prefix, hash, created_at, revoked_at, budget, rate_limit, routes FROM keys";

class SqliteKeyStore implements KeyStore {
  private readonly db: DatabaseSync;
  private readonly clock: () => number;
  private readonly statements: {
    insert: StatementSync;
    all: StatementSync;
    byId: StatementSync;
    byActiveName: StatementSync;
    byLatestName: StatementSync;
    byHash: StatementSync;
    revoke: StatementSync;
    count: StatementSync;
    dataVersion: StatementSync;
  };
  /**
   * The last `list()` and the `PRAGMA data_version` it was read at: a gateway re-reads the keys
   * every few seconds, and while no connection has written, the answer is the same.
   */
  private listed: { version: number; records: KeyRecord[] } | null = null;

  constructor(db: DatabaseSync, clock: () => number) {
    this.db = db;
    this.clock = clock;
    this.statements = {
      insert: db.prepare("INSERT INTO keys (id, name, prefix, hash, created_at, revoked_at, budget, rate_limit, routes) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)"),
      all: db.prepare(`${SELECT} ORDER BY created_at, rowid`),
      byId: db.prepare(`${SELECT} WHERE id = ?`),
      byActiveName: db.prepare(`${SELECT} WHERE name = ? AND revoked_at IS NULL`),
      byLatestName: db.prepare(`${SELECT} WHERE name = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`),
      byHash: db.prepare(`${SELECT} WHERE hash = ?`),
      revoke: db.prepare("UPDATE keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
      count: db.prepare("SELECT COUNT(*) AS n FROM keys"),
      dataVersion: db.prepare("PRAGMA data_version"),
    };
  }

  async create(spec: KeySpec): Promise<{ record: KeyRecord; secret: string }> {
    this.assertOpen();
    const { record, secret } = issueKey(spec, this.clock());
    try {
      this.statements.insert.run(
        record.id, record.name, record.prefix, record.hash, record.createdAt,
        JSON.stringify(record.budget), JSON.stringify(record.rateLimit), record.routes === null ? null : JSON.stringify(record.routes),
      );
    } catch (err) {
      if (isUniqueViolation(err, "keys.name")) {
        throw new KeyStoreError("duplicate_name", `A key named '${record.name}' already exists; revoke it first or choose another name.`);
      }
      throw err;
    }
    this.listed = null;
    return { record, secret };
  }

  async list(): Promise<KeyRecord[]> {
    this.assertOpen();
    // data_version changes when another connection commits; this connection's own writes clear `listed`.
    const version = Number((this.statements.dataVersion.get() as { data_version: number }).data_version);
    if (this.listed?.version !== version) {
      this.listed = { version, records: (this.statements.all.all() as unknown as Row[]).map(fromRow) };
    }
    return this.listed.records.map((r) => ({ ...r, budget: { ...r.budget }, rateLimit: { ...r.rateLimit }, routes: r.routes && [...r.routes] }));
  }

  async revoke(idOrName: string): Promise<RevokeResult> {
    this.assertOpen();
    const s = this.statements;
    const row = (s.byId.get(idOrName) ?? s.byActiveName.get(idOrName) ?? s.byLatestName.get(idOrName)) as Row | undefined;
    if (!row) return { type: "not_found" };
    const record = fromRow(row);
    if (record.revokedAt !== null) return { type: "already_revoked", record };
    const revokedAt = this.clock();
    const changed = Number(s.revoke.run(revokedAt, record.id).changes);
    this.listed = null;
    if (changed === 0) {
      // Another process revoked it between the read and the write.
      const now = s.byId.get(record.id) as Row | undefined;
      return { type: "already_revoked", record: now ? fromRow(now) : record };
    }
    return { type: "revoked", record: { ...record, revokedAt } };
  }

  async findByHash(hash: string): Promise<KeyRecord | null> {
    this.assertOpen();
    const row = this.statements.byHash.get(hash) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async count(): Promise<number> {
    this.assertOpen();
    return Number((this.statements.count.get() as { n: number }).n);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  private assertOpen(): void {
    if (!this.db.isOpen) throw new Error("the key store is closed");
  }
}

function isUniqueViolation(err: unknown, column: string): boolean {
  return err instanceof Error && /UNIQUE constraint failed/i.test(err.message) && err.message.includes(column);
}
