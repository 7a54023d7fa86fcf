/**
 * The most recent latency samples of one deployment (e.g. time to first token), in a fixed-size
 * ring, with percentiles. `addSample` writes into the ring in place (a copy per sample cost every
 * request three arrays of 128 numbers). No clock inside — old samples leave only by being
 * overwritten, so a quiet deployment keeps its last picture.
 */
export interface LatencyWindow {
  readonly capacity: number;
  /** At most `capacity` samples; once full, `next` is where the oldest sits. */
  readonly samples: number[];
  next: number;
}

export function createLatencyWindow(capacity = 128): LatencyWindow {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  return { capacity, samples: [], next: 0 };
}

/** Adds a sample in place, over the oldest once the ring is full; returns the same window. */
export function addSample(window: LatencyWindow, ms: number): LatencyWindow {
  if (!Number.isFinite(ms) || ms < 0) return window;
  window.samples[window.next] = ms;
  window.next = (window.next + 1) % window.capacity;
  return window;
}

/** Nearest-rank percentile (`p` in 0..100) of the samples, or null when there are none. */
export function percentile(window: LatencyWindow, p: number): number | null {
  return nearestRank(sorted(window), p);
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
}

export function latencySummary(window: LatencyWindow): LatencySummary {
  const s = sorted(window);
  return { count: s.length, p50: nearestRank(s, 50), p95: nearestRank(s, 95) };
}

export interface AdaptiveTimeoutInput {
  window: LatencyWindow;
  /** How many times the p95 an attempt may take before it is given up. */
  factor: number;
  minMs: number;
  /** The configured timeout; also what is used until there are `minSamples` samples. */
  maxMs: number;
  minSamples?: number;
}

/** clamp(p95 × factor, minMs, maxMs): a slow-to-start attempt is cut off before the configured limit. */
export function adaptiveTimeoutMs(input: AdaptiveTimeoutInput): number {
  const { window, factor, minMs, maxMs } = input;
  const minSamples = input.minSamples ?? 20;
  const p95 = window.samples.length >= Math.max(1, minSamples) ? percentile(window, 95) : null;
  if (p95 === null) return maxMs;
  return Math.min(maxMs, Math.max(minMs, Math.ceil(p95 * factor)));
}

function sorted(window: LatencyWindow): number[] {
  return window.samples.slice().sort((a, b) => a - b);
}

function nearestRank(sortedSamples: readonly number[], p: number): number | null {
  if (sortedSamples.length === 0) return null;
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sortedSamples.length);
  return sortedSamples[Math.max(0, rank - 1)] ?? null;
}
