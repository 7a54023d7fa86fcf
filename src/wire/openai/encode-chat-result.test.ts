import assert from "node:assert/strict";
import { test } from "node:test";
import type { FinishReason, UnifiedFinishReason } from "../../core/finish-reason.ts";
import type { ChatResult } from "../../core/result.ts";
import { encodeChatResult, toOpenAIFinishReason, toOpenAIUsage } from "./encode-chat-result.ts";

const finish = (unified: UnifiedFinishReason, raw: string | null = unified): FinishReason => ({ unified, raw });

function result(fields: Partial<ChatResult> = {}): ChatResult {
  return {
    id: "chatcmpl-1",
    model: "gpt-5.4-2026-01-01",
    created: 1_760_000_000,
    content: "Hello.",
    toolCalls: [],
    finishReason: finish("stop"),
    usage: { inputTokens: 12, cachedInputTokens: 4, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: 2 },
    ...fields,
  };
}

const finishCases: [UnifiedFinishReason, string][] = [
  ["stop", "stop"],
  ["length", "length"],
  ["tool_calls", "tool_calls"],
  ["content_filter", "content_filter"],
  // OpenAI has no `error` or `other`; both read as a plain stop.
  ["error", "stop"],
  ["other", "stop"],
];
for (const [unified, wire] of finishCases) {
  test(`finish reason ${unified} → ${wire}`, () => {
    assert.equal(toOpenAIFinishReason(finish(unified, "whatever")), wire);
  });
}

test("usage: total is input + output, cached and reasoning tokens in their details", () => {
  assert.deepEqual(toOpenAIUsage({ inputTokens: 100, cachedInputTokens: 30, cacheWriteTokens: 5, outputTokens: 40, reasoningTokens: 25 }), {
    prompt_tokens: 100,
    completion_tokens: 40,
    total_tokens: 140,
    prompt_tokens_details: { cached_tokens: 30 },
    completion_tokens_details: { reasoning_tokens: 25 },
  });
});

test("a text answer becomes a complete chat.completion", () => {
  assert.deepEqual(encodeChatResult(result()), {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1_760_000_000,
    model: "gpt-5.4-2026-01-01",
    choices: [{ index: 0, message: { role: "assistant", content: "Hello.", refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: {
      prompt_tokens: 12,
      completion_tokens: 7,
      total_tokens: 19,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    },
  });
});

test("tool calls carry id, type function, name and arguments, in order", () => {
  const body = encodeChatResult(
    result({
      content: null,
      finishReason: finish("tool_calls"),
      toolCalls: [
        { id: "call_a", name: "weather", arguments: '{"city":"Oslo"}' },
        { id: "call_b", name: "time", arguments: "{}" },
      ],
    }),
  );
  const choice = (body["choices"] as { message: Record<string, unknown>; finish_reason: string }[])[0];
  assert.equal(choice?.finish_reason, "tool_calls");
  assert.equal(choice?.message["content"], null);
  assert.deepEqual(choice?.message["tool_calls"], [
    { id: "call_a", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
    { id: "call_b", type: "function", function: { name: "time", arguments: "{}" } },
  ]);
});

test("no tool calls: no tool_calls key at all (an empty array confuses some clients)", () => {
  const message = (encodeChatResult(result())["choices"] as { message: Record<string, unknown> }[])[0]?.message;
  assert.equal(Object.hasOwn(message ?? {}, "tool_calls"), false);
});

test("reasoning goes to reasoning_content only when there is some", () => {
  const withReasoning = (encodeChatResult(result({ reasoning: "step 1" }))["choices"] as { message: Record<string, unknown> }[])[0]?.message;
  assert.equal(withReasoning?.["reasoning_content"], "step 1");
  const without = (encodeChatResult(result())["choices"] as { message: Record<string, unknown> }[])[0]?.message;
  assert.equal(Object.hasOwn(without ?? {}, "reasoning_content"), false);
});

test("a refusal is passed on", () => {
  const message = (encodeChatResult(result({ content: null, refusal: "I can't help with that." }))["choices"] as { message: Record<string, unknown> }[])[0]?.message;
  assert.equal(message?.["refusal"], "I can't help with that.");
  assert.equal(message?.["content"], null);
});

test("no usage reported: no usage key (not zeros)", () => {
  assert.equal(Object.hasOwn(encodeChatResult(result({ usage: null })), "usage"), false);
});

test("an upstream body already in OpenAI form is returned as it came", () => {
  const openaiBody = { id: "x", object: "chat.completion", choices: [], provider_specific: { keep: true } };
  assert.equal(encodeChatResult(result({ openaiBody })), openaiBody);
});
