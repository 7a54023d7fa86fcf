import { DatabaseSync } from "node:sqlite";

export interface ReceiptCount {
  table: string | null;
  count: number | null;
  /** Receipts per final status (ok, client_closed, error, …), when the table has a status column. */
  byStatus: Record<string, number>;
  /** Receipts per lane (`(none)` when no lane was involved), when the table has a lane column. */
  byLane: Record<string, number>;
}

/**
 * How many receipts the SQLite ledger holds. The table is looked up rather than assumed, so a
 * rename in the ledger shows here as "no table" instead of a crash.
 */
export function countReceipts(ledgerPath: string): ReceiptCount {
  const db = new DatabaseSync(ledgerPath, { readOnly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
    const table = tables.includes("receipts") ? "receipts" : (tables.find((t) => t.toLowerCase().includes("receipt")) ?? null);
    if (table === null) return { table: null, count: null, byStatus: {}, byLane: {} };
    const quoted = `"${table.replaceAll('"', '""')}"`;
    const row = db.prepare(`SELECT count(*) AS n FROM ${quoted}`).get() as { n: number };
    const columns = (db.prepare(`PRAGMA table_info(${quoted})`).all() as { name: string }[]).map((c) => c.name);
    const byStatus: Record<string, number> = {};
    if (columns.includes("status")) {
      for (const s of db.prepare(`SELECT status, count(*) AS n FROM ${quoted} GROUP BY status ORDER BY n DESC`).all() as { status: string; n: number }[]) {
        byStatus[s.status] = Number(s.n);
      }
    }
    const byLane: Record<string, number> = {};
    if (columns.includes("lane")) {
      for (const l of db.prepare(`SELECT lane, count(*) AS n FROM ${quoted} GROUP BY lane ORDER BY n DESC`).all() as { lane: string | null; n: number }[]) {
        byLane[l.lane ?? "(none)"] = Number(l.n);
      }
    }
    return { table, count: Number(row.n), byStatus, byLane };
  } finally {
    db.close();
  }
}

/** Just the number of receipts, or null without a receipts table: cheap enough to read between runs. */
export function countReceiptRows(ledgerPath: string): number | null {
  const db = new DatabaseSync(ledgerPath, { readOnly: true });
  try {
    return Number((db.prepare("SELECT count(*) AS n FROM receipts").get() as { n: number }).n);
  } catch {
    return null;
  } finally {
    db.close();
  }
}
