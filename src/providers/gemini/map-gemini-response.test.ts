import assert from "node:assert/strict";
import { test } from "node:test";
import { mapGeminiResponse } from "./map-gemini-response.ts";

const context = { provider: "gemini", status: 200, requestModel: "gemini-2.5-pro", nowSeconds: 1_700_000_000 };

test("thought parts are reasoning; cached and tool-use prompt tokens; Gemini's own call ids", () => {
  const result = mapGeminiResponse(
    {
      candidates: [
        {
          content: {
            role: "model",
            parts: [
              { text: "**Planning** the lookup", thought: true },
              { text: "Let me look." },
              { functionCall: { id: "fc-1", name: "search", args: { q: "x" } }, thoughtSignature: "c2ln" },
              { functionCall: { name: "open" } },
              { text: "", thoughtSignature: "c2ln" },
            ],
          },
          finishReason: "STOP",
        },
      ],
      usageMetadata: { promptTokenCount: 1000, cachedContentTokenCount: 800, toolUsePromptTokenCount: 50, candidatesTokenCount: 40, thoughtsTokenCount: 60, totalTokenCount: 1150 },
    },
    context,
  );
  assert.deepEqual(result, {
    id: "",
    model: "gemini-2.5-pro",
    created: 1_700_000_000,
    content: "Let me look.",
    reasoning: "**Planning** the lookup",
    toolCalls: [
      { id: "fc-1", name: "search", arguments: '{"q":"x"}' },
      { id: "call_1", name: "open", arguments: "{}" },
    ],
    finishReason: { unified: "tool_calls", raw: "STOP" },
    usage: { inputTokens: 1050, cachedInputTokens: 800, cacheWriteTokens: 0, outputTokens: 100, reasoningTokens: 60 },
  });
});

test("finish reasons, and a candidate without content", () => {
  const finish = (finishReason?: string): unknown =>
    mapGeminiResponse({ candidates: [{ ...(finishReason !== undefined && { finishReason }), index: 0 }], modelVersion: "m", responseId: "r" }, context).finishReason;
  assert.deepEqual(finish("MAX_TOKENS"), { unified: "length", raw: "MAX_TOKENS" });
  for (const raw of ["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"]) assert.deepEqual(finish(raw), { unified: "content_filter", raw });
  assert.deepEqual(finish("MALFORMED_FUNCTION_CALL"), { unified: "other", raw: "MALFORMED_FUNCTION_CALL" });
  assert.deepEqual(finish(undefined), { unified: "other", raw: null });
  const empty = mapGeminiResponse({ candidates: [{ finishReason: "STOP" }] }, context);
  assert.equal(empty.content, null);
  assert.equal(empty.usage, null);
  assert.equal("reasoning" in empty, false);
});
