/** An entry found in the response cache. */
export interface CacheEntry<V> {
  value: V;
  /** Milliseconds since it was stored. */
  ageMs: number;
  /** Within its TTL. A stale entry is only kept to answer when every target fails. */
  fresh: boolean;
}

export interface CacheSetOptions {
  /** How long the entry answers requests. */
  ttlMs: number;
  /** How much longer it is kept, stale, as a last resort (0: dropped at its TTL). */
  staleMs: number;
}

/**
 * The exact-match response cache: answers by a key the caller derives from the request. It holds a
 * bounded number of entries and drops the least recently used past that bound. Values must survive
 * JSON (a shared store serialises them).
 */
export interface ResponseCacheStore<V> {
  /** The entry under `key`, fresh or stale-but-kept; null when there is none. A fresh hit counts as a use. */
  get(key: string): Promise<CacheEntry<V> | null>;
  /** Stores (or replaces) the entry under `key`. */
  set(key: string, value: V, options: CacheSetOptions): Promise<void>;
}

export interface ResponseCacheOptions {
  maxEntries: number;
  /** Wall-clock milliseconds. */
  clock: () => number;
}
