import type { Config } from "../config/schema.ts";
import type { FinishReason } from "../core/finish-reason.ts";
import type { ChatResult } from "../core/result.ts";
import type { Plan, Target } from "../router/plan.ts";
import type { IdempotencyStore } from "../state/idempotency-store.ts";
import { MemoryIdempotencyStore } from "../state/memory-idempotency-store.ts";
import { MemoryResponseCache } from "../state/memory-response-cache.ts";
import type { ResponseCacheStore } from "../state/response-cache-store.ts";

/**
 * What an idempotency key replays: the finished request's response exactly as its client got it
 * (the JSON text, or the whole SSE text of a stream), and enough of it for the replay's receipt.
 */
export interface IdempotentResponse {
  requestId: string;
  requestedModel: string | null;
  plan: Plan | null;
  /** The target that answered (null when the response came from nowhere a receipt names). */
  target: Target | null;
  finishReason: FinishReason | null;
  stream: boolean;
  /** The response body: a JSON text, or a stream's SSE text. */
  body: string;
}

/** What the response cache keeps: the core answer, so any wire format and stream or not can use it. */
export interface CachedAnswer {
  result: ChatResult;
  target: Target;
}

/** The stores of finished responses: idempotent replays and the exact-match response cache. */
export interface ResponseStores {
  readonly idempotency: IdempotencyStore<IdempotentResponse>;
  readonly cache: ResponseCacheStore<CachedAnswer>;
}

/** One process's stores, bounded by `resilience.idempotency` and `resilience.cache`. */
export function createMemoryResponseStores(config: Config, clock: () => number): ResponseStores {
  const { idempotency, cache } = config.resilience;
  return {
    idempotency: new MemoryIdempotencyStore<IdempotentResponse>({ ttlMs: idempotency.ttl_s * 1000, maxEntries: idempotency.max_entries, clock }),
    cache: new MemoryResponseCache<CachedAnswer>({ maxEntries: cache.max_entries, clock }),
  };
}
