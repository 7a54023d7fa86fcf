import assert from "node:assert/strict";
import { test } from "node:test";
import { mapOpenAIUsage } from "./map-openai-usage.ts";

test("OpenAI usage with cached and reasoning tokens", () => {
  assert.deepEqual(
    mapOpenAIUsage({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 192 },
    }),
    { inputTokens: 2006, cachedInputTokens: 1920, cacheWriteTokens: 0, outputTokens: 300, reasoningTokens: 192 },
  );
});

test("DeepSeek answers that only report prompt_cache_hit_tokens", () => {
  assert.deepEqual(mapOpenAIUsage({ prompt_tokens: 495, completion_tokens: 144, total_tokens: 639, prompt_cache_hit_tokens: 320 }), {
    inputTokens: 495,
    cachedInputTokens: 320,
    cacheWriteTokens: 0,
    outputTokens: 144,
    reasoningTokens: 0,
  });
});

test("xAI's reasoning outside completion_tokens is added to the output; counted-in reasoning is not added twice", () => {
  const xai = mapOpenAIUsage({ prompt_tokens: 307, completion_tokens: 26, total_tokens: 588, completion_tokens_details: { reasoning_tokens: 255 } });
  assert.equal(xai.outputTokens, 281);
  const openai = mapOpenAIUsage({ prompt_tokens: 15, completion_tokens: 78, total_tokens: 93, completion_tokens_details: { reasoning_tokens: 64 } });
  assert.equal(openai.outputTokens, 78);
  const noTotal = mapOpenAIUsage({ prompt_tokens: 15, completion_tokens: 78, completion_tokens_details: { reasoning_tokens: 64 } });
  assert.equal(noTotal.outputTokens, 78);
});

test("missing and null counts are zero", () => {
  assert.deepEqual(mapOpenAIUsage({ prompt_tokens: null, prompt_tokens_details: null }), {
    inputTokens: 0,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
  });
});
