import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { SAMPLE_TEXTS } from "./estimate-samples.test.ts";
import { estimateTextTokens } from "./estimate-text-tokens.ts";

const exact = (text: string): number => countTokens(text, { disallowedSpecial: new Set() });

describe("estimateTextTokens", () => {
  test("stays within the calibrated error of the exact o200k count on every kind of text", () => {
    const errors: number[] = [];
    for (const [kind, text] of Object.entries(SAMPLE_TEXTS)) {
      const error = estimateTextTokens(text) / exact(text) - 1;
      errors.push(Math.abs(error));
      // The bounds estimate-request.ts relies on: at most 28% under, 40% over.
      assert.ok(error > -0.28 && error < 0.4, `${kind}: estimate off by ${(error * 100).toFixed(1)}%`);
    }
    const mean = errors.reduce((a, b) => a + b) / errors.length;
    assert.ok(mean < 0.15, `mean error ${(mean * 100).toFixed(1)}%`);
  });

  test("a fixed characters-per-token ratio would be far off where this is not", () => {
    const chinese = SAMPLE_TEXTS["chinese"] ?? "";
    assert.ok(Math.abs(chinese.length / 4 / exact(chinese) - 1) > 0.6);
    assert.ok(Math.abs(estimateTextTokens(chinese) / exact(chinese) - 1) < 0.2);
  });

  test("a long text is sampled, and the sample agrees with reading all of it", () => {
    const long = Object.values(SAMPLE_TEXTS).join("\n\n").repeat(12);
    const sampled = estimateTextTokens(long);
    const full = estimateTextTokens(long, long.length);
    assert.ok(long.length > 50_000);
    assert.ok(Math.abs(sampled / full - 1) < 0.1, `sampled ${sampled}, full ${full}`);
    assert.ok(Math.abs(full / exact(long) - 1) < 0.15);
  });

  test("empty and tiny texts", () => {
    assert.equal(estimateTextTokens(""), 0);
    assert.equal(estimateTextTokens("hi"), 1);
    assert.ok(estimateTextTokens("12345678") >= 2);
  });
});
