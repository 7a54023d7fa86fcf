import { Worker } from "node:worker_threads";
import type { Feedback } from "./feedback.ts";
import type { ReportQuery, ReportResult } from "./ledger-report.ts";
import type { Receipt } from "./receipt.ts";
import { packReceipt } from "./pack-receipt.ts";
import { ValuePacker } from "./packed-values.ts";
import type { ListFeedbackQuery, ListReceiptsQuery, ReceiptStore } from "./receipt-store.ts";
import type { ScopeSpend, TimeRange } from "./spend-by-scope.ts";

type StoreCall =
  /** Receipts packed into bytes (`packReceipt`): see pack-receipt.ts for why. */
  | { op: "insertPacked"; bytes: Uint8Array }
  | { op: "get"; requestId: string }
  | { op: "list"; query: ListReceiptsQuery }
  | { op: "insertFeedback"; feedback: readonly Feedback[] }
  | { op: "listFeedback"; query: ListFeedbackQuery }
  | { op: "report"; query: ReportQuery }
  | { op: "spendByScope"; ranges: readonly TimeRange[] }
  | { op: "close" };

export type StoreRequest = StoreCall & { id: number };

/** What each call answers with, by op. */
export type StoreValue = Receipt | Receipt[] | Feedback[] | ReportResult | ScopeSpend[] | null;

export type StoreReply = { id: number; ok: true; value: StoreValue } | { id: number; ok: false; error: string };

type Pending = { resolve: (value: StoreValue) => void; reject: (err: Error) => void };

/** The worker's own file, whether this runs from the TypeScript sources or the built JS. */
const WORKER_URL = new URL(`./sqlite-receipt-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

/**
 * The SQLite ledger behind a worker thread: the same store, but its synchronous writes block the
 * worker instead of the gateway's event loop. Resolves once the ledger is open, or rejects with
 * the reason it could not be opened.
 */
export async function openWorkerReceiptStore(path: string): Promise<ReceiptStore> {
  const worker = new Worker(WORKER_URL, { workerData: { path } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let failure: Error | null = null;

  const failAll = (err: Error): void => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on("error", failAll);
  worker.on("exit", (code) => {
    if (!closed) failAll(new Error(`the ledger worker stopped (exit code ${code})`));
  });

  const opened = await new Promise<StoreReply>((resolve) => {
    worker.once("message", resolve);
    worker.once("error", (err) => resolve({ id: 0, ok: false, error: err.message }));
  });
  if (!opened.ok) {
    closed = true;
    await worker.terminate();
    throw new Error(opened.error);
  }
  worker.on("message", (reply: StoreReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.value);
    else p.reject(new Error(reply.error));
  });
  // An idle ledger must not keep the process alive; a call under way does (see below).
  worker.unref();
  const packer = new ValuePacker();

  async function call(request: StoreCall, transfer: ArrayBuffer[] = []): Promise<StoreValue> {
    if (failure) throw failure;
    if (closed) throw new Error("the receipt store is closed");
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    try {
      return await new Promise<StoreValue>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ ...request, id } satisfies StoreRequest, transfer);
      });
    } finally {
      if (pending.size === 0) worker.unref();
    }
  }

  return {
    async insertMany(receipts) {
      if (receipts.length === 0) return;
      for (const r of receipts) packReceipt(r, packer);
      const bytes = packer.bytes();
      packer.clear();
      await call({ op: "insertPacked", bytes }, [bytes.buffer]);
    },
    async get(requestId) {
      return (await call({ op: "get", requestId })) as Receipt | null;
    },
    async list(query) {
      return (await call({ op: "list", query })) as Receipt[];
    },
    async insertFeedback(feedback) {
      if (feedback.length > 0) await call({ op: "insertFeedback", feedback });
    },
    async listFeedback(query) {
      return (await call({ op: "listFeedback", query })) as Feedback[];
    },
    async report(query) {
      return (await call({ op: "report", query })) as ReportResult;
    },
    async spendByScope(ranges) {
      return (await call({ op: "spendByScope", ranges })) as ScopeSpend[];
    },
    async close() {
      if (closed) return;
      try {
        if (!failure) await call({ op: "close" });
      } finally {
        closed = true;
        await worker.terminate();
      }
    },
  };
}
