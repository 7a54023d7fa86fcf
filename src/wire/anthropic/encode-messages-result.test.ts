import assert from "node:assert/strict";
import { test } from "node:test";
import type { FinishReason } from "../../core/finish-reason.ts";
import type { ChatResult } from "../../core/result.ts";
import { encodeMessagesResult, toAnthropicStopReason, toAnthropicUsage, type AnthropicStopReason, type MessagesEncodeOptions } from "./encode-messages-result.ts";

const OPTIONS: MessagesEncodeOptions = { fallbackId: "msg_gateway", fallbackModel: "gpt-4.1-nano", includeThinking: false, stopSequences: [] };
const USAGE = { inputTokens: 100, cachedInputTokens: 30, cacheWriteTokens: 20, outputTokens: 40, reasoningTokens: 0 };

const result = (fields: Partial<ChatResult> = {}): ChatResult => ({
  id: "chatcmpl-1",
  model: "gpt-4.1-nano-2025-04-14",
  created: 1,
  content: "Hello.",
  toolCalls: [],
  finishReason: { unified: "stop", raw: "stop" },
  usage: USAGE,
  ...fields,
});

test("a text answer becomes an Anthropic message", () => {
  const { message, warnings } = encodeMessagesResult(result(), OPTIONS);
  assert.deepEqual(message, {
    id: "msg_gateway",
    type: "message",
    role: "assistant",
    model: "gpt-4.1-nano-2025-04-14",
    content: [{ type: "text", text: "Hello." }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 50, cache_creation_input_tokens: 20, cache_read_input_tokens: 30, output_tokens: 40 },
  });
  assert.deepEqual(warnings, []);
});

test("an upstream msg_ id is kept; the model falls back to the target's when none was reported", () => {
  const { message } = encodeMessagesResult(result({ id: "msg_01abc", model: "" }), OPTIONS);
  assert.equal(message.id, "msg_01abc");
  assert.equal(message.model, "gpt-4.1-nano");
});

test("blocks come as thinking, text, tool_use; tool input is the parsed arguments", () => {
  const { message } = encodeMessagesResult(
    result({
      reasoning: "The user wants weather.",
      content: "Checking.",
      toolCalls: [
        { id: "call_1", name: "weather", arguments: '{"city":"Paris"}' },
        { id: "call_2", name: "time", arguments: "" },
      ],
      finishReason: { unified: "tool_calls", raw: "tool_calls" },
    }),
    { ...OPTIONS, includeThinking: true },
  );
  assert.deepEqual(message.content, [
    { type: "thinking", thinking: "The user wants weather.", signature: "" },
    { type: "text", text: "Checking." },
    { type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
    { type: "tool_use", id: "call_2", name: "time", input: {} },
  ]);
  assert.equal(message.stop_reason, "tool_use");
});

test("reasoning is left out when the client did not turn thinking on", () => {
  const { message } = encodeMessagesResult(result({ reasoning: "hidden", content: "Answer." }), OPTIONS);
  assert.deepEqual(message.content, [{ type: "text", text: "Answer." }]);
});

test("a refusal is sent as text; no content at all is an empty list", () => {
  const refused = encodeMessagesResult(result({ content: null, refusal: "I can't help with that.", finishReason: { unified: "content_filter", raw: "content_filter" } }), OPTIONS);
  assert.deepEqual(refused.message.content, [{ type: "text", text: "I can't help with that." }]);
  assert.equal(refused.message.stop_reason, "refusal");
  assert.deepEqual(encodeMessagesResult(result({ content: null }), OPTIONS).message.content, []);
});

test("arguments that are not a JSON object become an empty input, with a warning", () => {
  const { message, warnings } = encodeMessagesResult(result({ toolCalls: [{ id: "c", name: "f", arguments: '{"city": "Par' }] }), OPTIONS);
  assert.deepEqual(message.content.at(-1), { type: "tool_use", id: "c", name: "f", input: {} });
  assert.match(warnings[0] ?? "", /tool call c \(f\) had arguments that are not a JSON object/);
});

const stopCases: { reason: FinishReason; expected: AnthropicStopReason }[] = [
  { reason: { unified: "stop", raw: "stop" }, expected: "end_turn" },
  { reason: { unified: "stop", raw: null }, expected: "end_turn" },
  { reason: { unified: "length", raw: "length" }, expected: "max_tokens" },
  { reason: { unified: "length", raw: "MAX_TOKENS" }, expected: "max_tokens" },
  { reason: { unified: "tool_calls", raw: "tool_calls" }, expected: "tool_use" },
  { reason: { unified: "content_filter", raw: "content_filter" }, expected: "refusal" },
  { reason: { unified: "content_filter", raw: "SAFETY" }, expected: "refusal" },
  { reason: { unified: "error", raw: "error" }, expected: "end_turn" },
  { reason: { unified: "other", raw: "weird" }, expected: "end_turn" },
  // An Anthropic upstream's own reason passes as it came.
  { reason: { unified: "stop", raw: "stop_sequence" }, expected: "stop_sequence" },
  { reason: { unified: "stop", raw: "end_turn" }, expected: "end_turn" },
  { reason: { unified: "other", raw: "pause_turn" }, expected: "pause_turn" },
  { reason: { unified: "length", raw: "model_context_window_exceeded" }, expected: "model_context_window_exceeded" },
];
for (const c of stopCases) {
  test(`stop_reason: ${c.reason.unified}/${String(c.reason.raw)} → ${c.expected}`, () => {
    assert.equal(toAnthropicStopReason(c.reason), c.expected);
  });
}

test("stop_sequence is named when it is known which one hit", () => {
  const hit = result({ finishReason: { unified: "stop", raw: "stop_sequence" } });
  assert.equal(encodeMessagesResult(hit, { ...OPTIONS, stopSequences: ["END"] }).message.stop_sequence, "END");
  assert.equal(encodeMessagesResult(hit, { ...OPTIONS, stopSequences: ["END", "###"] }).message.stop_sequence, null);
  assert.equal(encodeMessagesResult(result(), { ...OPTIONS, stopSequences: ["END"] }).message.stop_sequence, null);
});

test("usage: input excludes cache reads and writes; thinking tokens are detailed when there are any", () => {
  assert.deepEqual(toAnthropicUsage(null), { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 });
  assert.deepEqual(toAnthropicUsage({ inputTokens: 339, cachedInputTokens: 320, cacheWriteTokens: 0, outputTokens: 83, reasoningTokens: 39 }), {
    input_tokens: 19,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 320,
    output_tokens: 83,
    output_tokens_details: { thinking_tokens: 39 },
  });
  // Never negative, whatever an upstream reports.
  assert.equal(toAnthropicUsage({ inputTokens: 5, cachedInputTokens: 10, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 }).input_tokens, 0);
});
