/**
 * A sliding window of time buckets, oldest first, as the circuit breaker and the retry budget
 * count in it: `buckets` buckets of `windowMs / buckets` each, a bucket's `index` being
 * floor(nowMs / bucket length). Pure: every function returns new arrays.
 */
export interface WindowShape {
  windowMs: number;
  /** How many buckets the window is counted in. */
  buckets: number;
}

export interface TimeBucket {
  readonly index: number;
}

export function bucketIndex(shape: WindowShape, nowMs: number): number {
  return Math.floor(nowMs / (shape.windowMs / shape.buckets));
}

/** The buckets still inside the window at `nowMs` (the array itself when none has left). */
export function liveBuckets<B extends TimeBucket>(buckets: readonly B[], shape: WindowShape, nowMs: number): readonly B[] {
  const oldest = bucketIndex(shape, nowMs) - shape.buckets + 1;
  const first = buckets.findIndex((b) => b.index >= oldest);
  if (first === 0) return buckets;
  return first < 0 ? [] : buckets.slice(first);
}

/**
 * The window with one more count in its current bucket: `add(bucket, index, arg)` makes the
 * bucket of `index` that adds `arg` to `bucket` (null: a new one). Buckets that left the window
 * are dropped. A clock that steps back lands in the newest bucket rather than reopening an old one.
 */
export function addToBuckets<B extends TimeBucket, A>(
  buckets: readonly B[],
  shape: WindowShape,
  nowMs: number,
  add: (bucket: B | null, index: number, arg: A) => B,
  arg: A,
): readonly B[] {
  const index = bucketIndex(shape, nowMs);
  const newest = buckets[buckets.length - 1];
  // The common case: the newest bucket is the current one and none has left the window yet.
  if (newest !== undefined && newest.index >= index && (buckets[0] as B).index > index - shape.buckets) {
    const next = buckets.slice();
    next[next.length - 1] = add(newest, newest.index, arg);
    return next;
  }
  const live = liveBuckets(buckets, shape, nowMs);
  const last = live[live.length - 1];
  if (last !== undefined && last.index >= index) return [...live.slice(0, -1), add(last, last.index, arg)];
  return [...live, add(null, index, arg)];
}
