/** A source of numbers in [0, 1), like `Math.random`. Passed in so decisions can be replayed. */
export type Random = () => number;

/**
 * mulberry32: a tiny, fast 32-bit PRNG. Good enough for jitter and tests; not for secrets.
 * The same seed always yields the same sequence.
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
