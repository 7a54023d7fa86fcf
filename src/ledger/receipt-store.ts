import type { Feedback } from "./feedback.ts";
import type { ReportQuery, ReportResult } from "./ledger-report.ts";
import type { Receipt } from "./receipt.ts";
import type { ScopeSpend, TimeRange } from "./spend-by-scope.ts";

export interface ListReceiptsQuery {
  /** Newest first (by `createdAt`, ties by request id, descending), at most this many. */
  limit: number;
  taskId?: string;
  /** Only receipts created at or after this Unix millisecond. */
  since?: number;
  /** Only the receipts of this gateway key. */
  keyId?: string;
}

export interface ListFeedbackQuery {
  /** Newest first (by `recordedAt`, then latest written), at most this many. */
  limit: number;
  /** Feedback that applies to this task. */
  taskId?: string;
  /** Feedback given for this request. */
  requestId?: string;
}

export interface InsertOptions {
  /**
   * Write at full priority: the writer has fallen behind, or is closing. A store that writes in
   * the background (worker-receipt-store.ts) otherwise writes at the lowest priority it can.
   */
  urgent?: boolean;
}

/**
 * Where receipts and task outcomes are kept. Implementations: SQLite (default) and, later,
 * Postgres. Every implementation runs the same conformance suite.
 */
export interface ReceiptStore {
  /**
   * Writes a batch atomically. A receipt whose request id is already stored replaces it, so a
   * batch retried after an unclear failure is not an error.
   */
  insertMany(receipts: readonly Receipt[], options?: InsertOptions): Promise<void>;
  get(requestId: string): Promise<Receipt | null>;
  list(query: ListReceiptsQuery): Promise<Receipt[]>;
  /** Writes feedback atomically, keeping every row; one whose id is already stored replaces it. */
  insertFeedback(feedback: readonly Feedback[]): Promise<void>;
  listFeedback(query: ListFeedbackQuery): Promise<Feedback[]>;
  /** Per-group figures over the receipts of a time range, joined with each task's latest feedback. */
  report(query: ReportQuery): Promise<ReportResult>;
  /**
   * Spend per (route, key) pair in each range, in one pass: enough to total any global, route or
   * key budget in its day and month.
   */
  spendByScope(ranges: readonly TimeRange[]): Promise<ScopeSpend[]>;
  close(): Promise<void>;
}
