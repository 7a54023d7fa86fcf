/**
 * Where budget counters live: in memory for one process (the default), Redis when several
 * replicas share budgets. A reservation holds an estimate against every budget a request touches
 * at once — all or nothing — so concurrent requests cannot overspend any of them by more than one
 * request's estimate; `settle` replaces the estimate with what was actually used, `release`
 * gives it back.
 */
export interface BudgetLine {
  /** Names the budget and its window, e.g. `usd|route:coding|day|2026-11-24`. */
  key: string;
  limit: number;
  /** What this request may use (integer micro-USD or tokens). */
  amount: number;
  /** When the window ends: the counter may be forgotten after it. */
  expiresAtMs: number;
}

export type ReserveResult =
  | { ok: true; ticket: string }
  /** `line` is the index of the first budget that had no room; `used` = settled + reserved there. */
  | { ok: false; line: number; used: number };

export interface BudgetUsage {
  settled: number;
  reserved: number;
}

export interface BudgetStore {
  reserve(lines: readonly BudgetLine[], nowMs: number): Promise<ReserveResult>;
  /** `actual[i]` is what line i really used; a missing entry releases that line's reservation. */
  settle(ticket: string, actual: readonly number[]): Promise<void>;
  release(ticket: string): Promise<void>;
  usage(key: string, nowMs: number): Promise<BudgetUsage>;
  /** Adds spend recorded before this process started (from the ledger), without a reservation. */
  add(key: string, amount: number, expiresAtMs: number): Promise<void>;
}
