import type { IdempotencyBegin, IdempotencyClaim, IdempotencyStore, IdempotencyStoreOptions } from "./idempotency-store.ts";

interface Pending {
  fingerprint: string;
  token: string;
  /** Resolves when the claim is completed or released. */
  settled: Promise<void>;
  settle: () => void;
}

interface Finished<V> {
  fingerprint: string;
  value: V;
  expiresAt: number;
}

/**
 * The idempotency store of one process. Claims in flight are kept apart from finished entries:
 * only finished ones count against `maxEntries` (claims are bounded by the requests in flight),
 * so eviction never takes a key from under a request that holds it. Finished entries sit in
 * insertion order, which with one TTL is also their expiry order: the oldest go first.
 */
export class MemoryIdempotencyStore<V> implements IdempotencyStore<V> {
  private readonly options: IdempotencyStoreOptions;
  private readonly pending = new Map<string, Pending>();
  private readonly finished = new Map<string, Finished<V>>();
  private tokens = 0;

  constructor(options: IdempotencyStoreOptions) {
    this.options = options;
  }

  async begin(key: string, fingerprint: string, signal?: AbortSignal): Promise<IdempotencyBegin<V>> {
    for (;;) {
      signal?.throwIfAborted();
      const done = this.finishedEntry(key);
      if (done) return done.fingerprint === fingerprint ? { type: "replay", value: done.value } : { type: "conflict" };
      const holder = this.pending.get(key);
      if (!holder) return { type: "claimed", claim: this.claim(key, fingerprint) };
      if (holder.fingerprint !== fingerprint) return { type: "conflict" };
      await settledOrAborted(holder.settled, signal);
    }
  }

  complete(claim: IdempotencyClaim, value: V): Promise<void> {
    const holder = this.holderOf(claim);
    if (holder) {
      this.pending.delete(claim.key);
      const now = this.options.clock();
      this.finished.delete(claim.key);
      this.finished.set(claim.key, { fingerprint: claim.fingerprint, value, expiresAt: now + this.options.ttlMs });
      this.trim(now);
      holder.settle();
    }
    return Promise.resolve();
  }

  release(claim: IdempotencyClaim): Promise<void> {
    const holder = this.holderOf(claim);
    if (holder) {
      this.pending.delete(claim.key);
      holder.settle();
    }
    return Promise.resolve();
  }

  /** Finished entries held (for tests and metrics). */
  get size(): number {
    return this.finished.size;
  }

  private claim(key: string, fingerprint: string): IdempotencyClaim {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const token = String(++this.tokens);
    this.pending.set(key, { fingerprint, token, settled, settle });
    return { key, fingerprint, token };
  }

  private holderOf(claim: IdempotencyClaim): Pending | undefined {
    const holder = this.pending.get(claim.key);
    return holder?.token === claim.token ? holder : undefined;
  }

  private finishedEntry(key: string): Finished<V> | undefined {
    const entry = this.finished.get(key);
    if (entry && entry.expiresAt <= this.options.clock()) {
      this.finished.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops expired entries from the front, then the oldest past the bound. */
  private trim(now: number): void {
    for (const [key, entry] of this.finished) {
      if (entry.expiresAt > now && this.finished.size <= this.options.maxEntries) break;
      this.finished.delete(key);
    }
  }
}

function settledOrAborted(settled: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return settled;
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    void settled.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
