/**
 * A claim on an idempotency key: the request holding it runs; other requests with the same key
 * and the same fingerprint wait for it to finish. Only its holder can complete or release it.
 */
export interface IdempotencyClaim {
  readonly key: string;
  readonly fingerprint: string;
  /** Tells this claim apart from a later one on the same key. */
  readonly token: string;
}

/** What a request with an idempotency key does. */
export type IdempotencyBegin<V> =
  /** Nobody finished this key: run the request, then `complete` or `release` the claim. */
  | { type: "claimed"; claim: IdempotencyClaim }
  /** A request with this key and fingerprint finished: answer with what it stored. */
  | { type: "replay"; value: V }
  /** The key is held, or was used, by a request with another fingerprint. */
  | { type: "conflict" };

/**
 * Where finished requests wait to be replayed by their idempotency key. Entries expire after the
 * store's TTL, and a store holds a bounded number of them. Values must survive JSON (a shared
 * store serialises them).
 */
export interface IdempotencyStore<V> {
  /**
   * Claims `key` for a request whose endpoint and body hash to `fingerprint`, or says what to do
   * instead. While another request holds the key with the same fingerprint, this waits for it:
   * when that one completes, the answer is a replay; when it is released, this request claims
   * the key in turn. Rejects with the signal's reason when `signal` aborts while waiting.
   */
  begin(key: string, fingerprint: string, signal?: AbortSignal): Promise<IdempotencyBegin<V>>;
  /** Stores the finished request's answer under its claim and lets its waiters replay it. */
  complete(claim: IdempotencyClaim, value: V): Promise<void>;
  /** Gives the key up without storing anything (the request failed): the next request runs for real. */
  release(claim: IdempotencyClaim): Promise<void>;
}

export interface IdempotencyStoreOptions {
  /** How long a finished request can be replayed. */
  ttlMs: number;
  /** Most finished requests kept; past it the oldest are dropped. */
  maxEntries: number;
  /** Wall-clock milliseconds. */
  clock: () => number;
}
