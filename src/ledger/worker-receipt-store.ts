import { Worker } from "node:worker_threads";
import type { Feedback } from "./feedback.ts";
import type { ReportQuery, ReportResult } from "./ledger-report.ts";
import type { Receipt } from "./receipt.ts";
import { packReceipt } from "./pack-receipt.ts";
import { ValuePacker } from "./packed-values.ts";
import type { ListFeedbackQuery, ListReceiptsQuery, ReceiptStore } from "./receipt-store.ts";
import type { ScopeSpend, TimeRange } from "./spend-by-scope.ts";
import { CAN_LOWER_THREAD_PRIORITY, type BackgroundPriority } from "./thread-priority.ts";

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

/** What a ledger thread starts with. */
export interface LedgerThreadData {
  path: string;
  /** The thread writes receipts in the background: it lowers its own priority. */
  background: boolean;
}

/** A ledger thread's first message: whether the ledger opened, and the thread's priority. */
export type OpenReply = { ok: true; priority: BackgroundPriority } | { ok: false; error: string };

/** Receipts per transaction for a writer in front of this store: its threads take large slices and few messages. */
export const LEDGER_SLICE_SIZE = 500;

/** The worker's own file, whether this runs from the TypeScript sources or the built JS. */
const WORKER_URL = new URL(`./sqlite-receipt-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);

export interface WorkerReceiptStore extends ReceiptStore {
  /** The priority receipts are written at while the writer keeps up (`normal`: no background thread). */
  readonly backgroundPriority: BackgroundPriority;
  /** Background writes that went unanswered for `starvedAfterMs` and were written again at normal priority. */
  readonly starvedWrites: number;
}

export interface WorkerReceiptStoreOptions {
  /** Write receipts from a thread at the lowest priority (default true). */
  background?: boolean;
  /**
   * A background write still unanswered after this long means its thread gets no CPU at all (a
   * machine, or a CPU quota, with none to spare): the slice is written again at normal priority,
   * and so is every slice for `starvedCooldownMs`. Writes replace by request id, so the late
   * background write changes nothing. Default 1,000 ms (a slice takes a few).
   */
  starvedAfterMs?: number;
  /** Default 30 s. */
  starvedCooldownMs?: number;
  /** Where a starved background thread is reported; stderr by default. */
  log?: (line: string) => void;
}

/**
 * The SQLite ledger behind worker threads: the same store, but its synchronous writes block a
 * worker instead of the gateway's event loop. Resolves once the ledger is open, or rejects with
 * the reason it could not be opened.
 *
 * Two threads, each with its own connection. Receipts are written by a background thread at the
 * lowest priority the OS gives (thread-priority.ts), so that writing them takes only CPU time
 * that answering requests leaves over: at full priority its bursts of inserts compete with the
 * event loop for the CPU and slow every request on a busy machine. Reads, feedback and urgent
 * writes (a writer that has fallen behind, or is closing) go to a thread at normal priority, so
 * that neither a read nor the ledger's progress waits for an idle CPU; so do all writes for a
 * while after a background write went unanswered too long (`starvedAfterMs`). ReceiptWriter has
 * one write under way at a time, so the two connections contend for SQLite's write lock only
 * when a starved background write is taken over (the takeover then waits, or fails and is
 * retried, until the late write commits).
 */
export async function openWorkerReceiptStore(path: string, options: WorkerReceiptStoreOptions = {}): Promise<WorkerReceiptStore> {
  const foreground = await startLedgerThread({ path, background: false });
  let background: LedgerThread | null = null;
  // Where no thread can lower its priority, a second one would only be a copy of the first.
  if (options.background !== false && CAN_LOWER_THREAD_PRIORITY) {
    try {
      background = await startLedgerThread({ path, background: true });
    } catch (err) {
      await foreground.close();
      throw err;
    }
    // Nor where this one could not (neither chrt nor nice was allowed).
    if (background.priority === "normal") {
      await background.close();
      background = null;
    }
  }
  const starvedAfterMs = options.starvedAfterMs ?? 1_000;
  const starvedCooldownMs = options.starvedCooldownMs ?? 30_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let starvedWrites = 0;
  /** Until when (performance.now()) every write goes to the foreground thread. */
  let starvedUntil = 0;
  const packer = new ValuePacker();
  const pack = (receipts: readonly Receipt[]): Uint8Array<ArrayBuffer> => {
    for (const r of receipts) packReceipt(r, packer);
    const bytes = packer.bytes();
    packer.clear();
    return bytes;
  };
  const insertVia = (thread: LedgerThread, receipts: readonly Receipt[]): Promise<StoreValue> => {
    const bytes = pack(receipts);
    return thread.call({ op: "insertPacked", bytes }, [bytes.buffer]);
  };

  return {
    backgroundPriority: background?.priority ?? "normal",
    get starvedWrites() {
      return starvedWrites;
    },
    async insertMany(receipts, insertOptions) {
      if (receipts.length === 0) return;
      if (background === null || background.failed || insertOptions?.urgent === true || performance.now() < starvedUntil) {
        await insertVia(foreground, receipts);
        return;
      }
      const written = insertVia(background, receipts);
      let timer: NodeJS.Timeout | undefined;
      const starved = new Promise<"starved">((resolve) => {
        // Then one more turn of the loop: after a stall of this thread, a reply that is already
        // waiting is read (poll phase) before the timeout counts (check phase).
        timer = setTimeout(() => setImmediate(resolve, "starved"), starvedAfterMs);
      });
      try {
        if ((await Promise.race([written, starved])) !== "starved") return;
      } finally {
        clearTimeout(timer);
      }
      // It ends (or fails) whenever the thread gets a CPU; the slice is written here meanwhile.
      written.catch(() => undefined);
      starvedWrites++;
      starvedUntil = performance.now() + starvedCooldownMs;
      log(
        `switchyard: the ledger's background thread had not written a batch after ${starvedAfterMs} ms (no idle CPU); receipts are written at normal priority ` +
          `for the next ${Math.round(starvedCooldownMs / 1000)} s`,
      );
      await insertVia(foreground, receipts);
    },
    async get(requestId) {
      return (await foreground.call({ op: "get", requestId })) as Receipt | null;
    },
    async list(query) {
      return (await foreground.call({ op: "list", query })) as Receipt[];
    },
    async insertFeedback(feedback) {
      if (feedback.length > 0) await foreground.call({ op: "insertFeedback", feedback });
    },
    async listFeedback(query) {
      return (await foreground.call({ op: "listFeedback", query })) as Feedback[];
    },
    async report(query) {
      return (await foreground.call({ op: "report", query })) as ReportResult;
    },
    async spendByScope(ranges) {
      return (await foreground.call({ op: "spendByScope", ranges })) as ScopeSpend[];
    },
    async close() {
      try {
        await background?.close();
      } finally {
        await foreground.close();
      }
    },
  };
}

/** One worker thread with its own connection to the ledger. */
interface LedgerThread {
  readonly priority: BackgroundPriority;
  /** True once the thread stopped on its own: every call fails. */
  readonly failed: boolean;
  call(request: StoreCall, transfer?: ArrayBuffer[]): Promise<StoreValue>;
  /** Closes the connection and ends the thread; later calls are refused. */
  close(): Promise<void>;
}

async function startLedgerThread(data: LedgerThreadData): Promise<LedgerThread> {
  const worker = new Worker(WORKER_URL, { workerData: data });
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

  const opened = await new Promise<OpenReply>((resolve) => {
    worker.once("message", resolve);
    worker.once("error", (err) => resolve({ ok: false, error: err.message }));
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
    priority: opened.priority,
    get failed() {
      return failure !== null;
    },
    call,
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
