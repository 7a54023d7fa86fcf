import type { Feedback } from "./feedback.ts";
import type { Receipt } from "./receipt.ts";
import type { ReceiptStore } from "./receipt-store.ts";

export interface ReceiptWriterOptions {
  store: ReceiptStore;
  /** A backlog this large starts a flush at once instead of waiting for the timer. */
  maxBatch?: number;
  /**
   * Receipts per store transaction; the event loop gets a turn between transactions. In WAL
   * mode with synchronous=NORMAL a commit costs no fsync, so small slices cost no throughput
   * (measured: the same ~60 µs per receipt at 100 or 500 per transaction on a busy 2-core box,
   * where 500 blocked the loop for ~23 ms and 100 for ~4 ms).
   */
  sliceSize?: number;
  /** How long a receipt may wait in memory before it is flushed. */
  flushIntervalMs?: number;
  /**
   * Receipts still waiting behind a slice that make its write urgent (`InsertOptions.urgent`):
   * a store that writes in the background has fallen behind and writes at full priority until
   * fewer wait. Default: four slices.
   */
  urgentBacklog?: number;
  /**
   * Receipts held in memory while the store keeps failing. Past this, the oldest are dropped
   * (and counted, and logged) so that a dead disk cannot take the gateway's memory with it.
   */
  maxBuffered?: number;
  /** Upper bound of the backoff between retries while the store keeps failing. */
  maxRetryDelayMs?: number;
  /** Where failures are reported; stderr by default. */
  log?: (line: string) => void;
}

export interface ReceiptWriterStats {
  /** Written but not yet in the store. */
  buffered: number;
  /** Dropped since start because the buffer was full or the store would not take them. */
  dropped: number;
  /** Failed flush attempts in a row (0 when the store is healthy). */
  consecutiveFailures: number;
}

/** What waits to be written: receipts and task outcomes share one queue, one bound and one retry. */
type Entry = { seq: number; type: "receipt"; receipt: Receipt } | { seq: number; type: "feedback"; feedback: Feedback };

/** The default `urgentBacklog`, in slices. */
export const URGENT_BACKLOG_SLICES = 4;

/** After this many failures in a row, a failing batch is retried receipt by receipt. */
const ISOLATE_AFTER_FAILURES = 3;
/** While failing, one log line per this many failures (plus the first). */
const LOG_EVERY_FAILURES = 10;

/**
 * The batched writer on the hot path. `write` only buffers; flushes run off a timer (or at
 * once when `maxBatch` receipts wait), in transactions of at most `sliceSize` receipts with a
 * turn of the event loop between them, because SQLite writes are synchronous.
 *
 * Failures never reach the request path: a failed flush is logged and retried with backoff
 * (the receipts stay buffered and readable through `get`). If the store stays down the buffer
 * fills to `maxBuffered` and the oldest receipts are dropped. A receipt the store rejects on
 * its own (while others in its batch are accepted) is dropped and named in the log, so one bad
 * row cannot block the ledger. Task outcomes (`writeFeedback`) travel the same way.
 */
export class ReceiptWriter {
  private readonly store: ReceiptStore;
  private readonly maxBatch: number;
  private readonly sliceSize: number;
  private readonly flushIntervalMs: number;
  private readonly urgentBacklog: number;
  private readonly maxBuffered: number;
  private readonly maxRetryDelayMs: number;
  private readonly log: (line: string) => void;

  /** Entries not yet in the store, oldest first: `inFlight` are being written, `buffer` wait. */
  private buffer: Entry[] = [];
  private inFlight: Entry[] = [];
  private seq = 0;
  /** Feedback entries in `buffer` and `inFlight`. */
  private bufferedFeedback = 0;
  private dropped = 0;
  private lateWrites = 0;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private draining: Promise<void> | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(options: ReceiptWriterOptions) {
    this.store = options.store;
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.sliceSize = Math.max(1, Math.min(this.maxBatch, options.sliceSize ?? 100));
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 100);
    this.urgentBacklog = Math.max(0, options.urgentBacklog ?? URGENT_BACKLOG_SLICES * this.sliceSize);
    this.maxBuffered = Math.max(this.maxBatch, options.maxBuffered ?? 100_000);
    this.maxRetryDelayMs = Math.max(this.flushIntervalMs, options.maxRetryDelayMs ?? 5_000);
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Buffers a receipt. Never blocks, never throws. */
  write(receipt: Receipt): void {
    if (this.closed) {
      this.dropped++;
      if (this.lateWrites++ === 0) this.log(`switchyard: receipt ${receipt.requestId} arrived after the ledger was closed; dropped (further ones silently)`);
      return;
    }
    this.buffer.push({ seq: ++this.seq, type: "receipt", receipt });
    this.enqueued();
  }

  /** Buffers a task outcome (from /v1/feedback), written with the receipts. Never blocks, never throws. */
  writeFeedback(feedback: Feedback): void {
    if (this.closed) {
      this.dropped++;
      this.log(`switchyard: feedback ${feedback.id} arrived after the ledger was closed; dropped`);
      return;
    }
    this.buffer.push({ seq: ++this.seq, type: "feedback", feedback });
    this.bufferedFeedback++;
    this.enqueued();
  }

  private enqueued(): void {
    this.enforceBound();
    if (this.buffer.length >= this.maxBatch && this.failures === 0) this.scheduleNow();
    else this.schedule(this.flushIntervalMs);
  }

  /**
   * A receipt that may not have reached the store yet (the latest written), else the store's.
   * Reads are rare next to writes: they look through what waits rather than every write
   * keeping an index of it.
   */
  async get(requestId: string): Promise<Receipt | null> {
    return latestReceipt(this.buffer, requestId) ?? latestReceipt(this.inFlight, requestId) ?? this.store.get(requestId);
  }

  /** Writes everything buffered when called; rejects if the store fails (receipts stay buffered). */
  async flush(): Promise<void> {
    const upTo = this.seq;
    while (this.oldestPendingSeq() <= upTo) await this.drain();
  }

  /** Flushes everything (retrying once, receipt by receipt), then closes the store. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.cancelTimers();
      try {
        await this.flush().catch(() => this.flush());
      } catch {
        const lost = this.buffer.length + this.inFlight.length;
        const feedback = this.bufferedFeedback;
        this.dropped += lost;
        this.buffer = [];
        this.inFlight = [];
        this.bufferedFeedback = 0;
        const what = `${lost - feedback} receipt(s)${feedback > 0 ? ` and ${feedback} feedback` : ""}`;
        this.log(`switchyard: closing the ledger with ${what} that could not be written; they are lost`);
      }
      await this.store.close();
    })();
    return this.closing;
  }

  stats(): ReceiptWriterStats {
    return { buffered: this.buffer.length + this.inFlight.length, dropped: this.dropped, consecutiveFailures: this.failures };
  }

  private oldestPendingSeq(): number {
    return this.inFlight[0]?.seq ?? this.buffer[0]?.seq ?? Number.POSITIVE_INFINITY;
  }

  private drain(): Promise<void> {
    this.draining ??= this.drainLoop().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    this.cancelTimers();
    // What waits now. Receipts written meanwhile go with the next flush (their timer is set as
    // they arrive), in full slices rather than a trickle of small ones.
    let left = this.buffer.length;
    while (left > 0 && this.buffer.length > 0) {
      const slice = this.buffer.splice(0, Math.min(this.sliceSize, left));
      left -= slice.length;
      this.inFlight = slice;
      try {
        const isolate = this.failures >= ISOLATE_AFTER_FAILURES || (this.closed && this.failures > 0);
        await (isolate ? this.insertIsolating(slice) : this.insertSlice(slice));
      } catch (err) {
        this.inFlight = [];
        this.buffer = slice.concat(this.buffer);
        this.enforceBound();
        this.onFailure(err);
        throw err;
      }
      this.inFlight = [];
      this.forget(slice);
      this.onSuccess();
      if (this.buffer.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Receipts, then feedback: each kind in one transaction. A retry rewrites both (writes replace by id). */
  private async insertSlice(slice: readonly Entry[]): Promise<void> {
    const receipts: Receipt[] = [];
    const feedback: Feedback[] = [];
    for (const e of slice) {
      if (e.type === "receipt") receipts.push(e.receipt);
      else feedback.push(e.feedback);
    }
    // Behind, or closing: the rest must not wait for a CPU to fall idle.
    const urgent = this.closed || this.buffer.length >= this.urgentBacklog;
    if (receipts.length > 0) await this.store.insertMany(receipts, { urgent });
    if (feedback.length > 0) await this.store.insertFeedback(feedback);
  }

  /**
   * Inserts entries one at a time. Ones the store rejects while it accepts others are dropped;
   * if it accepts none, the store is down and the whole slice fails.
   */
  private async insertIsolating(slice: Entry[]): Promise<void> {
    const rejected: Array<{ entry: Entry; err: unknown }> = [];
    for (const entry of slice) {
      try {
        await this.insertSlice([entry]);
      } catch (err) {
        rejected.push({ entry, err });
      }
    }
    if (rejected.length === 0) return;
    if (rejected.length === slice.length) throw rejected[0]?.err;
    for (const { entry, err } of rejected) {
      this.dropped++;
      this.log(`switchyard: the receipt store rejected ${describe(entry)}; dropped: ${message(err)}`);
    }
  }

  private onFailure(err: unknown): void {
    this.failures++;
    const delay = Math.min(this.maxRetryDelayMs, this.flushIntervalMs * 2 ** (this.failures - 1));
    if (this.failures === 1 || this.failures % LOG_EVERY_FAILURES === 0) {
      this.log(
        `switchyard: writing receipts failed (attempt ${this.failures}; ${this.buffer.length + this.inFlight.length - this.bufferedFeedback} buffered, ` +
          `${this.dropped} dropped so far); retrying in ${delay} ms: ${message(err)}`,
      );
    }
    if (!this.closed) this.schedule(delay, true);
  }

  private onSuccess(): void {
    if (this.failures > 0) this.log(`switchyard: writing receipts works again after ${this.failures} failed attempt(s)`);
    this.failures = 0;
  }

  /** Entries that left the queue, written or dropped. */
  private forget(entries: Entry[]): void {
    for (const entry of entries) {
      if (entry.type === "feedback") this.bufferedFeedback--;
    }
  }

  private enforceBound(): void {
    const excess = this.buffer.length - this.maxBuffered;
    if (excess <= 0) return;
    this.forget(this.buffer.splice(0, excess));
    const before = this.dropped;
    this.dropped += excess;
    if (before === 0 || Math.floor(before / 1000) !== Math.floor(this.dropped / 1000)) {
      this.log(`switchyard: receipt buffer full (${this.maxBuffered}); dropping the oldest (${this.dropped} dropped so far)`);
    }
  }

  private scheduleNow(): void {
    if (this.immediate || this.draining) return;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.drain().catch(() => {}); // logged and rescheduled in onFailure
    });
    this.immediate.unref();
  }

  private schedule(delayMs: number, replace = false): void {
    if (this.closed) return;
    if (this.timer && !replace) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.drain().catch(() => {});
    }, delayMs);
    this.timer.unref();
  }

  private cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }
}

/** The receipt with this id written last among `entries`, or null. */
function latestReceipt(entries: readonly Entry[], requestId: string): Receipt | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as Entry;
    if (entry.type === "receipt" && entry.receipt.requestId === requestId) return entry.receipt;
  }
  return null;
}

function describe(entry: Entry): string {
  return entry.type === "receipt" ? `receipt ${entry.receipt.requestId}` : `feedback ${entry.feedback.id}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
