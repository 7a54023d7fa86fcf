/** A span of time: from `startMs` (inclusive) to `endMs` (exclusive), Unix milliseconds. */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

/**
 * Spend in one time range, as budgets count it: a receipt's cost, or its pre-flight estimate where
 * a stream was cut off before its usage was known (what `settleReservation` charges); tokens are
 * input + output.
 */
export interface WindowSpend {
  /** Integer micro-USD. */
  costMicroUsd: number;
  tokens: number;
  requests: number;
  /** Receipts whose cost (and estimate) is unknown: not in `costMicroUsd`. */
  costUnknown: number;
}

/** The spend of one (route, key) pair, one entry per range asked for, in order. */
export interface ScopeSpend {
  route: string | null;
  keyId: string | null;
  windows: WindowSpend[];
}

/** Which receipts a budget counts: every one, or a route's, or a key's. */
export interface SpendFilter {
  route?: string;
  keyId?: string;
}

export function emptySpend(): WindowSpend {
  return { costMicroUsd: 0, tokens: 0, requests: 0, costUnknown: 0 };
}

/** Adds up the rows a filter selects, in range `index`. */
export function sumSpend(rows: readonly ScopeSpend[], filter: SpendFilter, index: number): WindowSpend {
  const total = emptySpend();
  for (const row of rows) {
    if (filter.route !== undefined && row.route !== filter.route) continue;
    if (filter.keyId !== undefined && row.keyId !== filter.keyId) continue;
    const w = row.windows[index];
    if (!w) continue;
    total.costMicroUsd += w.costMicroUsd;
    total.tokens += w.tokens;
    total.requests += w.requests;
    total.costUnknown += w.costUnknown;
  }
  return total;
}
