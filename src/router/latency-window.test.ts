import assert from "node:assert/strict";
import { test } from "node:test";
import { adaptiveTimeoutMs, addSample, createLatencyWindow, latencySummary, percentile, type LatencyWindow } from "./latency-window.ts";
import { seededRandom } from "./random.ts";

const windowOf = (samples: readonly number[], capacity = 128): LatencyWindow => samples.reduce(addSample, createLatencyWindow(capacity));
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test("latency window: nearest-rank percentiles", () => {
  const table: Array<[name: string, samples: number[], p: number, expected: number | null]> = [
    ["empty", [], 50, null],
    ["one sample", [42], 50, 42],
    ["one sample, p95", [42], 95, 42],
    ["1..100 p50", oneTo(100), 50, 50],
    ["1..100 p95", oneTo(100), 95, 95],
    ["1..100 p99", oneTo(100), 99, 99],
    ["1..100 p100", oneTo(100), 100, 100],
    ["1..100 p0 is the minimum", oneTo(100), 0, 1],
    ["1..10 p95 rounds up to the max", oneTo(10), 95, 10],
    ["1..20 p95", oneTo(20), 95, 19],
    ["order does not matter", [5, 1, 4, 2, 3], 50, 3],
    ["outlier shows at p95, not p50", [...Array.from({ length: 19 }, () => 100), 5000], 95, 100],
    ["outliers past 5%", [...Array.from({ length: 18 }, () => 100), 5000, 5000], 95, 5000],
  ];
  for (const [name, samples, p, expected] of table) assert.equal(percentile(windowOf(samples), p), expected, name);
});

test("latency window: a full ring forgets the oldest samples", () => {
  const w = windowOf([...Array.from({ length: 10 }, () => 10_000), ...oneTo(10)], 10);
  assert.equal(w.samples.length, 10);
  assert.deepEqual(latencySummary(w), { count: 10, p50: 5, p95: 10 });
  assert.deepEqual(latencySummary(windowOf(oneTo(25), 10)), { count: 10, p50: 20, p95: 25 });
});

test("latency window: samples go into the ring in place, and bad samples are dropped", () => {
  const w0 = createLatencyWindow(2);
  assert.equal(addSample(w0, 10), w0);
  assert.deepEqual(w0.samples, [10]);
  addSample(addSample(w0, 20), 30);
  assert.deepEqual(w0.samples, [30, 20]);
  for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) addSample(w0, bad);
  assert.deepEqual(w0.samples, [30, 20]);
  assert.throws(() => createLatencyWindow(0), RangeError);
});

test("latency window: p95 of a seeded distribution", () => {
  const random = seededRandom(11);
  const samples = Array.from({ length: 1000 }, () => Math.floor(random() * 1000));
  const w = windowOf(samples, 1000);
  const { p50, p95 } = latencySummary(w);
  assert.ok(p50 !== null && Math.abs(p50 - 500) < 40, `p50 ${p50}`);
  assert.ok(p95 !== null && Math.abs(p95 - 950) < 20, `p95 ${p95}`);
});

test("adaptiveTimeoutMs: clamp(p95 × factor, min, max), configured max until enough samples", () => {
  const steady = windowOf(Array.from({ length: 50 }, () => 800));
  const table: Array<[name: string, window: LatencyWindow, factor: number, minSamples: number | undefined, expected: number]> = [
    ["p95 × factor inside the bounds", steady, 3, undefined, 2400],
    ["clamped up to min", windowOf(Array.from({ length: 50 }, () => 100)), 3, undefined, 1000],
    ["clamped down to max", windowOf(Array.from({ length: 50 }, () => 9000)), 3, undefined, 20_000],
    ["no samples: the configured max", createLatencyWindow(), 3, undefined, 20_000],
    ["too few samples (default 20)", windowOf(Array.from({ length: 19 }, () => 800)), 3, undefined, 20_000],
    ["enough samples at 20", windowOf(Array.from({ length: 20 }, () => 800)), 3, undefined, 2400],
    ["minSamples lowered", windowOf([800]), 3, 1, 2400],
    ["minSamples 0 still needs one sample", createLatencyWindow(), 3, 0, 20_000],
    ["fractional result rounds up", steady, 1.2501, undefined, 1001],
  ];
  for (const [name, window, factor, minSamples, expected] of table) {
    assert.equal(adaptiveTimeoutMs({ window, factor, minMs: 1000, maxMs: 20_000, ...(minSamples !== undefined && { minSamples }) }), expected, name);
  }
});
