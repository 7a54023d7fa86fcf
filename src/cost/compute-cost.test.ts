import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Usage } from "../core/usage.ts";
import { computeCostMicroUsd, formatUsd } from "./compute-cost.ts";
import { resolvePrice, type ResolvedPrice } from "./resolve-price.ts";

function usage(partial: Partial<Usage>): Usage {
  return { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, ...partial };
}

function configured(price: { input: number; output: number; cached_input?: number; cache_write?: number; reasoning?: number }): ResolvedPrice {
  const resolved = resolvePrice({ modelId: "m", upstreamModel: "m", configured: price });
  assert.ok(resolved);
  return resolved;
}

describe("computeCostMicroUsd", () => {
  test("null when the price is unknown", () => {
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 100, outputTokens: 10 }), null), null);
  });

  test("zero usage costs zero", () => {
    assert.equal(computeCostMicroUsd(usage({}), configured({ input: 5, output: 30 })), 0);
  });

  test("bills cache reads at the cached rate", () => {
    // gpt-4o: 600 uncached × 2.50 + 400 cached × 1.25 + 200 out × 10.00 (USD / 1M) = 0.004 USD
    const price = resolvePrice({ modelId: "gpt-4o", upstreamModel: "gpt-4o" });
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 200 }), price), 4000);
  });

  test("bills cache writes at the cache-write rate", () => {
    // claude-sonnet-4-6: 2000 × 3 + 6000 × 0.30 + 2000 × 3.75 + 500 × 15 = 22 800 micro-USD
    const price = resolvePrice({ modelId: "claude-sonnet-4.6", upstreamModel: "claude-sonnet-4-6" });
    const u = usage({ inputTokens: 10_000, cachedInputTokens: 6000, cacheWriteTokens: 2000, outputTokens: 500 });
    assert.equal(computeCostMicroUsd(u, price), 22_800);
  });

  test("cached and cache-write rates default to the input rate", () => {
    const price = configured({ input: 2, output: 8 });
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 1000, cachedInputTokens: 600, cacheWriteTokens: 400 }), price), 2000);
  });

  test("reasoning tokens are part of output: billed once, at the reasoning rate when there is one", () => {
    const u = usage({ inputTokens: 100, outputTokens: 300, reasoningTokens: 200 });
    // 100 × 1 + 100 × 4 + 200 × 8
    assert.equal(computeCostMicroUsd(u, configured({ input: 1, output: 4, reasoning: 8 })), 2100);
    // 100 × 1 + 300 × 4
    assert.equal(computeCostMicroUsd(u, configured({ input: 1, output: 4 })), 1300);
  });

  test("rounds once at the end, half up", () => {
    // 1 token at 0.40 USD/1M in and out: 0.4 + 0.4 micro-USD = 0.8 → 1 (rounding each would give 0)
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 1, outputTokens: 1 }), configured({ input: 0.4, output: 0.4 })), 1);
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 1 }), configured({ input: 0.5, output: 0 })), 1);
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 1 }), configured({ input: 0.499999, output: 0 })), 0);
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 3 }), configured({ input: 0.5, output: 0 })), 2);
  });

  test("stays exact where floats would not", () => {
    // 0.1 + 0.2 style: 1 000 000 tokens at 0.1 and 0.2 USD/1M
    const price = configured({ input: 0.1, output: 0.2 });
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }), price), 300_000);
    // large enough that tokens × price exceeds 2^53
    const pro = configured({ input: 150, output: 600 });
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 40_000_003, outputTokens: 10_000_001 }), pro), 12_000_001_050);
  });

  test("long-context tier prices the whole request once input passes the threshold", () => {
    const price = resolvePrice({ modelId: "gpt-5.4", upstreamModel: "gpt-5.4" });
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 272_000 }), price), 680_000); // 2.50
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 272_001, outputTokens: 1000 }), price), 1_382_505); // 5.00 + 22.50
  });

  test("inconsistent usage is clamped, never negative", () => {
    const price = configured({ input: 1, output: 1, cached_input: 0.5 });
    // more cached tokens than input tokens: all input counted as cached
    assert.equal(computeCostMicroUsd(usage({ inputTokens: 100, cachedInputTokens: 500 }), price), 50);
    // more reasoning than output: reasoning capped at output
    assert.equal(computeCostMicroUsd(usage({ outputTokens: 10, reasoningTokens: 50 }), configured({ input: 1, output: 1, reasoning: 2 })), 20);
    assert.equal(computeCostMicroUsd(usage({ inputTokens: -5, outputTokens: Number.NaN }), price), 0);
  });
});

describe("formatUsd", () => {
  test("six decimal places", () => {
    assert.equal(formatUsd(1234), "0.001234");
    assert.equal(formatUsd(0), "0.000000");
    assert.equal(formatUsd(12_345_678), "12.345678");
    assert.equal(formatUsd(1_000_000), "1.000000");
    assert.equal(formatUsd(-5), "-0.000005");
  });
});

describe("computeCostMicroUsd arithmetic", () => {
  /** The reference: every term in BigInt, rounded half up once. */
  function reference(u: Usage, p: { input: number; output: number; cached_input: number }): number {
    const cached = BigInt(Math.min(u.cachedInputTokens, u.inputTokens));
    const sum = (BigInt(u.inputTokens) - cached) * BigInt(Math.round(p.input * 1e6)) + cached * BigInt(Math.round(p.cached_input * 1e6)) + BigInt(u.outputTokens) * BigInt(Math.round(p.output * 1e6));
    return Number((sum + 500_000n) / 1_000_000n);
  }

  test("exact and rounded half up, on boundaries and at random, below and beyond 2^53", () => {
    const cases: Array<[Usage, { input: number; output: number; cached_input: number }]> = [
      // 1 token at $0.5/M: 0.5 µUSD rounds up to 1; at $0.499999/M it rounds down to 0.
      [usage({ inputTokens: 1 }), { input: 0.5, output: 0, cached_input: 0 }],
      [usage({ inputTokens: 1 }), { input: 0.499999, output: 0, cached_input: 0 }],
      [usage({ inputTokens: 3, outputTokens: 1 }), { input: 0.5, output: 0.5, cached_input: 0 }],
      // Beyond 2^53 µUSD×1e6: 10^9 tokens at $10,000/M.
      [usage({ inputTokens: 1_000_000_000, outputTokens: 999_999_999 }), { input: 10_000, output: 20_000.000001, cached_input: 0 }],
    ];
    let seed = 7;
    const next = (max: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % max;
    };
    for (let i = 0; i < 500; i++) {
      const input = next(2_000_000);
      cases.push([
        usage({ inputTokens: input, cachedInputTokens: next(input + 1), outputTokens: next(200_000) }),
        { input: next(100_000_000) / 1e6, output: next(400_000_000) / 1e6, cached_input: next(50_000_000) / 1e6 },
      ]);
    }
    for (const [u, p] of cases) {
      assert.equal(computeCostMicroUsd(u, configured(p)), reference(u, p), JSON.stringify({ u, p }));
    }
  });
});

