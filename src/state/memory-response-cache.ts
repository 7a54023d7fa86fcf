import type { CacheEntry, CacheSetOptions, ResponseCacheOptions, ResponseCacheStore } from "./response-cache-store.ts";

interface Slot<V> {
  value: V;
  storedAt: number;
  freshUntil: number;
  keepUntil: number;
}

/** The response cache of one process: a Map in least-recently-used order (the oldest use first). */
export class MemoryResponseCache<V> implements ResponseCacheStore<V> {
  private readonly options: ResponseCacheOptions;
  private readonly slots = new Map<string, Slot<V>>();

  constructor(options: ResponseCacheOptions) {
    this.options = options;
  }

  get(key: string): Promise<CacheEntry<V> | null> {
    const slot = this.slots.get(key);
    if (!slot) return Promise.resolve(null);
    const now = this.options.clock();
    if (now >= slot.keepUntil) {
      this.slots.delete(key);
      return Promise.resolve(null);
    }
    const fresh = now < slot.freshUntil;
    if (fresh) {
      this.slots.delete(key);
      this.slots.set(key, slot);
    }
    return Promise.resolve({ value: slot.value, ageMs: now - slot.storedAt, fresh });
  }

  set(key: string, value: V, options: CacheSetOptions): Promise<void> {
    const now = this.options.clock();
    this.slots.delete(key);
    this.slots.set(key, { value, storedAt: now, freshUntil: now + options.ttlMs, keepUntil: now + options.ttlMs + options.staleMs });
    // Routes have TTLs of their own, so the order is by use, not by expiry: the bound evicts,
    // and an expired entry elsewhere goes when it is next looked up or reaches the front.
    for (const [k, slot] of this.slots) {
      if (slot.keepUntil > now && this.slots.size <= this.options.maxEntries) break;
      this.slots.delete(k);
    }
    return Promise.resolve();
  }

  /** Entries held (for tests and metrics). */
  get size(): number {
    return this.slots.size;
  }
}
