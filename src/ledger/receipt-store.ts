import type { Receipt } from "./receipt.ts";

export interface ListReceiptsQuery {
  /** Newest first (by `createdAt`, ties by request id, descending), at most this many. */
  limit: number;
  taskId?: string;
  /** Only receipts created at or after this Unix millisecond. */
  since?: number;
}

/**
 * Where receipts are kept. Implementations: SQLite (default) and, later, Postgres. Every
 * implementation runs the same conformance suite.
 */
export interface ReceiptStore {
  /**
   * Writes a batch atomically. A receipt whose request id is already stored replaces it, so a
   * batch retried after an unclear failure is not an error.
   */
  insertMany(receipts: readonly Receipt[]): Promise<void>;
  get(requestId: string): Promise<Receipt | null>;
  list(query: ListReceiptsQuery): Promise<Receipt[]>;
  close(): Promise<void>;
}
