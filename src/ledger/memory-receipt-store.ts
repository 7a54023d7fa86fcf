import type { Feedback } from "./feedback.ts";
import { reportOf, spendOf } from "./memory-ledger-queries.ts";
import type { Receipt } from "./receipt.ts";
import type { ListFeedbackQuery, ListReceiptsQuery, ReceiptStore } from "./receipt-store.ts";

/** A ReceiptStore in process memory, for tests and throwaway runs. Copies in and out. */
export function createMemoryReceiptStore(): ReceiptStore {
  const rows = new Map<string, Receipt>();
  /** By id, in order of writing (a replaced row moves to the end, as in SQLite). */
  const feedback = new Map<string, Feedback>();
  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error("the receipt store is closed");
  };
  return {
    async insertMany(receipts) {
      assertOpen();
      for (const r of receipts) rows.set(r.requestId, structuredClone(r));
    },
    async get(requestId) {
      assertOpen();
      const r = rows.get(requestId);
      return r ? structuredClone(r) : null;
    },
    async list(query: ListReceiptsQuery) {
      assertOpen();
      if (query.limit <= 0) return [];
      return [...rows.values()]
        .filter(
          (r) =>
            (query.taskId === undefined || r.taskId === query.taskId) &&
            (query.since === undefined || r.createdAt >= query.since) &&
            (query.keyId === undefined || r.keyId === query.keyId),
        )
        .sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? 1 : a.requestId > b.requestId ? -1 : 0))
        .slice(0, Math.floor(query.limit))
        .map((r) => structuredClone(r));
    },
    async insertFeedback(items) {
      assertOpen();
      for (const f of items) {
        feedback.delete(f.id);
        feedback.set(f.id, structuredClone(f));
      }
    },
    async listFeedback(query: ListFeedbackQuery) {
      assertOpen();
      if (query.limit <= 0) return [];
      const written = [...feedback.values()];
      return written
        .map((f, order) => ({ f, order }))
        .filter(({ f }) => (query.taskId === undefined || f.taskId === query.taskId) && (query.requestId === undefined || f.requestId === query.requestId))
        .sort((a, b) => b.f.recordedAt - a.f.recordedAt || b.order - a.order)
        .slice(0, Math.floor(query.limit))
        .map(({ f }) => structuredClone(f));
    },
    async report(query) {
      assertOpen();
      return reportOf(rows.values(), feedback.values(), query);
    },
    async spendByScope(ranges) {
      assertOpen();
      return spendOf(rows.values(), ranges);
    },
    async close() {
      closed = true;
    },
  };
}
