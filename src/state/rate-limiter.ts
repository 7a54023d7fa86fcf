/** Requests and tokens per minute for one scope (a key, a route). */
export interface RateLimits {
  requestsPerMinute?: number | undefined;
  tokensPerMinute?: number | undefined;
}

export type RateDecision = { ok: true } | { ok: false; limit: "requests_per_minute" | "tokens_per_minute"; retryAfterMs: number };

/** Rate limits behind an interface: in memory for one process, Redis for several replicas. */
export interface RateLimiter {
  /** Counts one request of `tokens` (an estimate) against `scope`, or says how long to wait. */
  take(scope: string, limits: RateLimits, tokens: number, nowMs: number): RateDecision;
  /** Corrects a request's token count once its real usage is known (may be negative). */
  adjust(scope: string, tokenDelta: number, nowMs: number): void;
}

interface Window {
  /** Start of the current minute (fixed windows of 60 s). */
  startMs: number;
  requests: number;
  tokens: number;
  prevRequests: number;
  prevTokens: number;
}

const MINUTE_MS = 60_000;
const MAX_SCOPES = 100_000;

/**
 * A sliding minute approximated from two fixed minutes (Cloudflare's sliding-window counter):
 * what the previous minute counted, weighted by how much of it still overlaps the last 60 s, plus
 * the current minute. Two numbers per limit per scope, constant time, and within a few per cent of
 * an exact log for steady traffic.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();

  take(scope: string, limits: RateLimits, tokens: number, nowMs: number): RateDecision {
    const w = this.window(scope, nowMs);
    const overlap = 1 - (nowMs - w.startMs) / MINUTE_MS;
    const rpm = limits.requestsPerMinute;
    if (rpm !== undefined && w.prevRequests * overlap + w.requests + 1 > rpm) {
      return { ok: false, limit: "requests_per_minute", retryAfterMs: waitMs(w, overlap, w.prevRequests, w.requests, 1, rpm, nowMs) };
    }
    const tpm = limits.tokensPerMinute;
    if (tpm !== undefined && w.prevTokens * overlap + w.tokens + tokens > tpm && w.prevTokens * overlap + w.tokens > 0) {
      // A single request larger than the whole limit is let through on an idle minute rather than refused forever.
      return { ok: false, limit: "tokens_per_minute", retryAfterMs: waitMs(w, overlap, w.prevTokens, w.tokens, tokens, tpm, nowMs) };
    }
    w.requests += 1;
    w.tokens += tokens;
    return { ok: true };
  }

  adjust(scope: string, tokenDelta: number, nowMs: number): void {
    const w = this.windows.get(scope);
    if (!w) return;
    this.roll(w, nowMs);
    w.tokens = Math.max(0, w.tokens + tokenDelta);
  }

  private window(scope: string, nowMs: number): Window {
    let w = this.windows.get(scope);
    if (!w) {
      if (this.windows.size >= MAX_SCOPES) this.windows.clear();
      w = { startMs: nowMs - (nowMs % MINUTE_MS), requests: 0, tokens: 0, prevRequests: 0, prevTokens: 0 };
      this.windows.set(scope, w);
    }
    this.roll(w, nowMs);
    return w;
  }

  private roll(w: Window, nowMs: number): void {
    const start = nowMs - (nowMs % MINUTE_MS);
    if (start === w.startMs) return;
    const adjacent = start - w.startMs === MINUTE_MS;
    w.prevRequests = adjacent ? w.requests : 0;
    w.prevTokens = adjacent ? w.tokens : 0;
    w.requests = 0;
    w.tokens = 0;
    w.startMs = start;
  }
}

/**
 * How long until `prev × overlap(t) + current + need ≤ limit`: the previous minute's weight falls
 * linearly; if that is not enough, the wait runs into the next minute, where today's count becomes
 * the falling one.
 */
function waitMs(w: Window, overlap: number, prev: number, current: number, need: number, limit: number, nowMs: number): number {
  const room = limit - current - need;
  const endOfMinute = w.startMs + MINUTE_MS - nowMs;
  if (room >= 0 && prev > 0) {
    const targetOverlap = room / prev;
    return Math.max(1, Math.ceil((overlap - targetOverlap) * MINUTE_MS));
  }
  // Next minute: current becomes prev with overlap 1 → falls linearly over that minute.
  const nextRoom = limit - need;
  if (current <= 0) return Math.max(1, endOfMinute);
  const targetOverlap = Math.max(0, Math.min(1, nextRoom / current));
  return Math.max(1, Math.ceil(endOfMinute + (1 - targetOverlap) * MINUTE_MS));
}
