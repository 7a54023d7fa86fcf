import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { BUNDLED_PRICES, PRICE_TABLE_DATE } from "./price-table.ts";
import { resolvePrice, stripDatedSuffix } from "./resolve-price.ts";

describe("resolvePrice", () => {
  test("a configured price wins and fills defaults", () => {
    const price = resolvePrice({ modelId: "gpt-4o", upstreamModel: "gpt-4o", configured: { input: 5, output: 30, cached_input: 0.5 } });
    assert.deepEqual(price, {
      input: 5_000_000,
      cachedInput: 500_000,
      cacheWrite: 5_000_000,
      output: 30_000_000,
      reasoning: null,
      longContext: null,
      source: "config",
      matched: null,
    });
  });

  test("exact upstream id first, then the model id", () => {
    assert.equal(resolvePrice({ modelId: "claude-opus-4.7", upstreamModel: "claude-opus-4-7" })?.matched, "claude-opus-4-7");
    assert.equal(resolvePrice({ modelId: "gpt-4o-mini", upstreamModel: "my-azure-deployment" })?.matched, "gpt-4o-mini");
    // upstream wins over the model id when both are known
    assert.equal(resolvePrice({ modelId: "gpt-4o", upstreamModel: "gpt-4o-mini" })?.matched, "gpt-4o-mini");
  });

  test("dated suffixes are stripped", () => {
    assert.equal(resolvePrice({ modelId: "x", upstreamModel: "gpt-4o-2024-08-06" })?.matched, "gpt-4o");
    assert.equal(resolvePrice({ modelId: "x", upstreamModel: "claude-sonnet-4-6-20260101" })?.matched, "claude-sonnet-4-6");
    assert.equal(resolvePrice({ modelId: "x", upstreamModel: "claude-haiku-4-5@20251001" })?.matched, "claude-haiku-4-5");
    assert.equal(resolvePrice({ modelId: "gpt-5.4-mini-2026-03-17", upstreamModel: "unknown" })?.matched, "gpt-5.4-mini");
  });

  test("ids are matched case-insensitively", () => {
    assert.equal(resolvePrice({ modelId: "x", upstreamModel: "GPT-4o" })?.matched, "gpt-4o");
  });

  test("unknown models resolve to null, not zero", () => {
    assert.equal(resolvePrice({ modelId: "sim-mini", upstreamModel: "sim-mini" }), null);
    assert.equal(resolvePrice({ modelId: "gpt-4o-turbo-ultra", upstreamModel: "gpt-4o-turbo-ultra" }), null);
    assert.equal(resolvePrice({ modelId: "toString", upstreamModel: "constructor" }), null);
  });

  test("bundled prices carry the table date as their source", () => {
    const price = resolvePrice({ modelId: "gpt-5.5", upstreamModel: "gpt-5.5" });
    assert.equal(price?.source, `bundled:${PRICE_TABLE_DATE}`);
    assert.match(PRICE_TABLE_DATE, /^\d{4}-\d{2}-\d{2}$/);
  });

  test("a few bundled prices, as micro-USD per 1M tokens", () => {
    const pick = (id: string) => {
      const p = resolvePrice({ modelId: id, upstreamModel: id });
      assert.ok(p, id);
      return [p.input, p.cachedInput, p.cacheWrite, p.output];
    };
    assert.deepEqual(pick("gpt-5.5"), [5_000_000, 500_000, 5_000_000, 30_000_000]);
    assert.deepEqual(pick("gpt-5.4-mini"), [750_000, 75_000, 750_000, 4_500_000]);
    assert.deepEqual(pick("claude-opus-4-7"), [5_000_000, 500_000, 6_250_000, 25_000_000]);
    assert.deepEqual(pick("claude-haiku-4-5"), [1_000_000, 100_000, 1_250_000, 5_000_000]);
    assert.deepEqual(pick("gemini-2.5-flash"), [300_000, 30_000, 300_000, 2_500_000]);
    assert.deepEqual(pick("deepseek-v4-pro"), [435_000, 3625, 435_000, 870_000]);
    assert.deepEqual(resolvePrice({ modelId: "gemini-2.5-pro", upstreamModel: "gemini-2.5-pro" })?.longContext, {
      aboveInputTokens: 200_000,
      input: 2_500_000,
      cachedInput: 250_000,
      cacheWrite: 2_500_000,
      output: 15_000_000,
      reasoning: null,
    });
  });

  test("every bundled price is a whole number of micro-USD and cites a source", () => {
    for (const [id, p] of Object.entries(BUNDLED_PRICES)) {
      for (const usd of [p.input, p.output, p.cachedInput, p.cacheWrite, p.reasoning, p.longContext?.input, p.longContext?.output]) {
        if (usd === undefined) continue;
        assert.ok(Number.isInteger(Math.round(usd * 1e6)) && Math.abs(usd * 1e6 - Math.round(usd * 1e6)) < 1e-6, `${id}: ${usd}`);
      }
      assert.ok(p.source.length > 0, id);
      assert.equal(id, id.toLowerCase());
    }
  });
});

describe("stripDatedSuffix", () => {
  test("strips OpenAI, Anthropic and Vertex dates only", () => {
    assert.equal(stripDatedSuffix("gpt-4o-2024-08-06"), "gpt-4o");
    assert.equal(stripDatedSuffix("claude-opus-4-7-20260416"), "claude-opus-4-7");
    assert.equal(stripDatedSuffix("claude-sonnet-4-5@20250929"), "claude-sonnet-4-5");
    assert.equal(stripDatedSuffix("gpt-5.4"), "gpt-5.4");
    assert.equal(stripDatedSuffix("o4-mini"), "o4-mini");
    assert.equal(stripDatedSuffix("gemini-2.5-flash-preview-09-2025"), "gemini-2.5-flash-preview-09-2025");
  });
});

// Cross-checks entries against the maintained tables this one was built from, when they are
// present (they live outside the repository: ../shared/pricing).
const LITELLM = new URL("../../../shared/pricing/litellm/model_prices_and_context_window.json", import.meta.url);

describe("bundled prices agree with litellm", { skip: existsSync(LITELLM) ? false : "shared price tables not present" }, () => {
  test("input, cached input, cache write and output", () => {
    const table = JSON.parse(readFileSync(LITELLM, "utf8")) as Record<string, Record<string, unknown>>;
    const checked: Array<[string, string]> = [
      ["gpt-5.5", "gpt-5.5"],
      ["gpt-5.4", "gpt-5.4"],
      ["gpt-5.4-nano", "gpt-5.4-nano"],
      ["gpt-5-mini", "gpt-5-mini"],
      ["gpt-4.1", "gpt-4.1"],
      ["o4-mini", "o4-mini"],
      ["claude-opus-4-7", "claude-opus-4-7"],
      ["claude-sonnet-4-6", "claude-sonnet-4-6"],
      ["claude-haiku-4-5", "claude-haiku-4-5"],
      ["gemini-3.1-pro-preview", "gemini/gemini-3.1-pro-preview"],
      ["gemini-2.5-flash", "gemini/gemini-2.5-flash"],
      ["deepseek-chat", "deepseek/deepseek-chat"],
      ["deepseek-v4-pro", "deepseek/deepseek-v4-pro"],
    ];
    // litellm writes 0 where a provider bills no separate rate (DeepSeek cache writes); ours leaves it out
    const perMillion = (entry: Record<string, unknown>, key: string): number | undefined =>
      typeof entry[key] === "number" && entry[key] !== 0 ? Math.round((entry[key] as number) * 1e12) / 1e6 : undefined;
    for (const [ours, theirs] of checked) {
      const entry = table[theirs];
      assert.ok(entry, theirs);
      const p = BUNDLED_PRICES[ours];
      assert.ok(p, ours);
      assert.equal(p.input, perMillion(entry, "input_cost_per_token"), `${ours} input`);
      assert.equal(p.output, perMillion(entry, "output_cost_per_token"), `${ours} output`);
      assert.equal(p.cachedInput, perMillion(entry, "cache_read_input_token_cost"), `${ours} cached`);
      assert.equal(p.cacheWrite, perMillion(entry, "cache_creation_input_token_cost"), `${ours} cache write`);
    }
  });
});
