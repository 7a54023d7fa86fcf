import type { Receipt } from "./receipt.ts";
import type { ListReceiptsQuery, ReceiptStore } from "./receipt-store.ts";

/** A ReceiptStore in process memory, for tests and throwaway runs. Copies in and out. */
export function createMemoryReceiptStore(): ReceiptStore {
  const rows = new Map<string, Receipt>();
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
        .filter((r) => (query.taskId === undefined || r.taskId === query.taskId) && (query.since === undefined || r.createdAt >= query.since))
        .sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? 1 : a.requestId > b.requestId ? -1 : 0))
        .slice(0, Math.floor(query.limit))
        .map((r) => structuredClone(r));
    },
    async close() {
      closed = true;
    },
  };
}
