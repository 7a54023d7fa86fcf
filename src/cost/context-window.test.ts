import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { ChatRequest } from "../core/request.ts";
import { checkFits } from "./context-window-check.ts";
import { contextWindowOf } from "./context-window-of.ts";
import { CONTEXT_WINDOWS } from "./context-windows.ts";
import { preloadO200k } from "./estimate-o200k.ts";
import { estimateRequest, type RequestEstimate } from "./estimate-request.ts";
import { BUNDLED_PRICES } from "./price-table.ts";

describe("contextWindowOf", () => {
  test("the configured window wins over the bundled table", () => {
    assert.deepEqual(contextWindowOf("gpt-4o", "gpt-4o", 64_000), { tokens: 64_000, source: "config" });
  });

  test("the bundled table by upstream id, by model id, then without a dated suffix", () => {
    assert.deepEqual(contextWindowOf("fast", "gpt-4o-mini"), { tokens: 128_000, source: "bundled:gpt-4o-mini" });
    assert.deepEqual(contextWindowOf("claude-opus-4-7", "my-proxy-name"), { tokens: 1_000_000, source: "bundled:claude-opus-4-7" });
    assert.deepEqual(contextWindowOf("sonnet", "claude-sonnet-4-5-20250929"), { tokens: 1_000_000, source: "bundled:claude-sonnet-4-5" });
    assert.deepEqual(contextWindowOf("o", "GPT-4o-2024-08-06"), { tokens: 128_000, source: "bundled:gpt-4o" });
  });

  test("unknown models have no window, not a guessed one", () => {
    assert.equal(contextWindowOf("llama", "meta-llama/Llama-3.3-70B-Instruct"), null);
    assert.equal(contextWindowOf("constructor", "toString"), null);
  });

  test("every model in the bundled price table has a bundled window", () => {
    const missing = Object.keys(BUNDLED_PRICES).filter((id) => !Object.hasOwn(CONTEXT_WINDOWS, id));
    assert.deepEqual(missing, []);
  });
});

describe("checkFits", () => {
  before(async () => {
    await preloadO200k();
  });

  const prompt = (words: number, more: Partial<ChatRequest> = {}): ChatRequest => ({
    model: "gpt-4o",
    messages: [{ role: "user", content: "The quick brown fox jumps over the lazy dog. ".repeat(words / 10) }],
    stream: false,
    extra: {},
    ...more,
  });
  const fits = (request: ChatRequest, providerType: "openai" | "anthropic" = "openai", contextWindow = 128_000): string | null =>
    checkFits(estimateRequest({ request, providerType, price: null, contextWindow, modelId: request.model }));

  test("a prompt that fits passes; an unknown window never refuses", () => {
    assert.equal(fits(prompt(50_000)), null);
    assert.equal(checkFits(estimateRequest({ request: prompt(500_000), providerType: "openai", price: null, contextWindow: null })), null);
  });

  test("a prompt over the window is refused before the call, with what to do", () => {
    assert.equal(
      fits(prompt(140_000)),
      "the prompt is 140,007 tokens; model gpt-4o's context window is 128,000 tokens: shorten the prompt",
    );
  });

  test("with max_tokens: the prompt and the output cap must fit together", () => {
    assert.equal(fits(prompt(100_000, { maxOutputTokens: 16_000 })), null);
    assert.equal(
      fits(prompt(120_000, { maxOutputTokens: 16_000 })),
      "the prompt is 120,007 tokens and the output cap 16,000; model gpt-4o's context window is 128,000 tokens: shorten the prompt or lower max_tokens",
    );
  });

  test("an estimate that is not exact refuses only what cannot fit at the low end of its range", () => {
    // Claude: o200k × 1.15 puts 180k o200k tokens over 200k, but the ratio can be as low as 0.95.
    const claude = prompt(180_000, { model: "claude-haiku-4-5" });
    assert.equal(fits(claude, "anthropic", 200_000), null);
    const message = fits(prompt(230_000, { model: "claude-haiku-4-5" }), "anthropic", 200_000);
    assert.match(message ?? "", /^the prompt is about 264,\d{3} tokens; model claude-haiku-4-5's context window is 200,000 tokens: shorten the prompt$/);
    // Anthropic stops at the window instead of refusing a large max_tokens.
    assert.equal(fits(prompt(150_000, { model: "claude-haiku-4-5", maxOutputTokens: 64_000 }), "anthropic", 200_000), null);
  });

  test("the message names the configured model", () => {
    const e: RequestEstimate = { ...estimateRequest({ request: prompt(10), providerType: "openai", price: null, contextWindow: 10, modelId: "cheap" }) };
    assert.match(checkFits(e) ?? "", /model cheap's context window is 10 tokens/);
  });
});
