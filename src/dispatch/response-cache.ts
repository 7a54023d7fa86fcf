import type { Config } from "../config/schema.ts";
import { GatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import type { Plan } from "../router/plan.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { responseCacheKey } from "./response-keys.ts";
import type { CachedAnswer, ResponseStores } from "./response-stores.ts";
import { routeOf } from "../config/route-of.ts";

/**
 * How long past its TTL a cached answer may still answer on a `cache.fallback` route, when every
 * target failed. Bounded so that an outage is bridged, but a day-old answer is never passed off.
 */
export const CACHE_FALLBACK_STALE_MS = 60 * 60 * 1000;

/** How one request uses its route's response cache. */
export interface CachePolicy {
  key: string;
  ttlMs: number;
  /** Serve the cached answer (within CACHE_FALLBACK_STALE_MS past its TTL) when every target fails. */
  fallback: boolean;
}

/**
 * The cache policy of a request on its route, or null when the route has no `cache` or the
 * request does not qualify (`when: deterministic` takes temperature 0 or a seed). Hashes the
 * request only when it qualifies.
 */
export function cachePolicyFor(config: Config, plan: Plan, request: ChatRequest): CachePolicy | null {
  const route = routeOf(config, plan.route);
  const cache = route?.cache;
  if (cache === undefined || plan.route === null) return null;
  if (cache.when === "deterministic" && request.temperature !== 0 && request.seed === undefined) return null;
  return { key: responseCacheKey(plan.route, request), ttlMs: cache.ttl_s * 1000, fallback: cache.fallback };
}

/** A fresh cached answer for the request, or null. */
export async function lookupCache(stores: ResponseStores, policy: CachePolicy): Promise<CachedAnswer | null> {
  const entry = await stores.cache.get(policy.key);
  return entry?.fresh ? entry.value : null;
}

/** Keeps an answer that reached its client whole, unless it failed the route's validation. */
export async function storeInCache(stores: ResponseStores, policy: CachePolicy, draft: ReceiptDraft, answer: CachedAnswer): Promise<void> {
  if (draft.validationFailures > 0) return;
  // The parsed copy of an OpenAI body is dropped: `openaiText` (forwarded first) says the same.
  const { openaiBody: _parsed, ...result }: ChatResult = answer.result;
  await stores.cache.set(policy.key, { result, target: answer.target }, { ttlMs: policy.ttlMs, staleMs: policy.fallback ? CACHE_FALLBACK_STALE_MS : 0 });
}

/** Marks the draft as answered by a cached answer: no attempt, no cost, the answering model kept. */
export function answerFromCache(draft: ReceiptDraft, answer: CachedAnswer): void {
  draft.cacheHit = true;
  draft.target = answer.target;
  // Nothing was used this time: with no usage the receipt's cost is 0.
  draft.usage = null;
  draft.upstreamModelReported = answer.result.model;
  draft.finishReason = answer.result.finishReason;
  draft.toolCalls = answer.result.toolCalls.length;
  draft.ttftMs = draft.elapsedMs();
}

/**
 * The last link of a `cache.fallback` route's chain: after every target failed with a provider
 * failure (not the client's own error, not a client that left), the cached answer — fresh, or
 * stale within CACHE_FALLBACK_STALE_MS — applied to the draft; else null.
 */
export async function cacheFallback(stores: ResponseStores, policy: CachePolicy, draft: ReceiptDraft, failure: unknown, signal: AbortSignal): Promise<CachedAnswer | null> {
  if (!policy.fallback || signal.aborted || !(failure instanceof GatewayError) || !failure.fallback) return null;
  const entry = await stores.cache.get(policy.key);
  if (entry === null) return null;
  const age = Math.round(entry.ageMs / 1000);
  draft.warnings.push(
    `every target failed (${failure.kind}): answered from the response cache, stored ${age} s ago${entry.fresh ? "" : " and past its TTL"}. Last error: ${failure.message}`,
  );
  answerFromCache(draft, entry.value);
  return entry.value;
}
