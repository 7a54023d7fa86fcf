import { parentPort, workerData } from "node:worker_threads";
import { unpackReceipts } from "./pack-receipt.ts";
import type { ReceiptStore } from "./receipt-store.ts";
import { openSqliteReceiptStore } from "./sqlite-receipt-store.ts";
import { lowerThreadPriority } from "./thread-priority.ts";
import type { LedgerThreadData, OpenReply, StoreReply, StoreRequest } from "./worker-receipt-store.ts";

/*
 * A thread that owns a connection to the SQLite ledger: node:sqlite is synchronous, so its
 * inserts run here instead of on the gateway's event loop. The first message says whether the
 * ledger opened, and at what priority this thread runs.
 */
const port = parentPort;
if (!port) throw new Error("sqlite-receipt-worker must run as a worker thread");

const data = workerData as LedgerThreadData;
let store: ReceiptStore | null = null;
try {
  store = openSqliteReceiptStore(data.path);
  port.postMessage({ ok: true, priority: data.background ? lowerThreadPriority() : "normal" } satisfies OpenReply);
} catch (err) {
  port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) } satisfies OpenReply);
}

if (store) {
  const open = store;
  port.on("message", (request: StoreRequest) => {
    void handle(open, request).then((reply) => port.postMessage(reply));
  });
}

async function handle(s: ReceiptStore, request: StoreRequest): Promise<StoreReply> {
  try {
    switch (request.op) {
      case "insertPacked":
        await s.insertMany(unpackReceipts(request.bytes));
        return { id: request.id, ok: true, value: null };
      case "get":
        return { id: request.id, ok: true, value: await s.get(request.requestId) };
      case "list":
        return { id: request.id, ok: true, value: await s.list(request.query) };
      case "insertFeedback":
        await s.insertFeedback(request.feedback);
        return { id: request.id, ok: true, value: null };
      case "listFeedback":
        return { id: request.id, ok: true, value: await s.listFeedback(request.query) };
      case "report":
        return { id: request.id, ok: true, value: await s.report(request.query) };
      case "spendByScope":
        return { id: request.id, ok: true, value: await s.spendByScope(request.ranges) };
      case "close":
        await s.close();
        return { id: request.id, ok: true, value: null };
      default: {
        const never: never = request;
        return never;
      }
    }
  } catch (err) {
    return { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
