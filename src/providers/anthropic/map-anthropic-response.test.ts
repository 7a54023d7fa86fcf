import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import { mapAnthropicResponse, type AnthropicResponseContext } from "./map-anthropic-response.ts";

const context: AnthropicResponseContext = { provider: "anthropic", status: 200, requestModel: "claude-x", nowSeconds: 1_700_000_000, jsonTool: null };

test("blocks: text joined, thinking as reasoning, client tool calls only; model from the request when absent", () => {
  const result = mapAnthropicResponse(
    {
      id: "msg_1",
      content: [
        { type: "thinking", thinking: "First, ", signature: "s1" },
        { type: "redacted_thinking", data: "opaque" },
        { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } },
        { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [] },
        { type: "thinking", thinking: "then.", signature: "s2" },
        { type: "text", text: "Here " },
        { type: "text", text: "it is." },
        { type: "tool_use", id: "toolu_1", name: "lookup", input: { id: 7 } },
      ],
      stop_reason: "pause_turn",
      usage: { input_tokens: 3, cache_read_input_tokens: 10, cache_creation_input_tokens: 20, output_tokens: 4 },
    },
    context,
  );
  assert.deepEqual(result, {
    id: "msg_1",
    model: "claude-x",
    created: 1_700_000_000,
    content: "Here it is.",
    reasoning: "First, then.",
    toolCalls: [{ id: "toolu_1", name: "lookup", arguments: '{"id":7}' }],
    finishReason: { unified: "other", raw: "pause_turn" },
    usage: { inputTokens: 33, cachedInputTokens: 10, cacheWriteTokens: 20, outputTokens: 4, reasoningTokens: 0 },
  });
});

test("the json_schema tool's input is the whole content, without the text around it", () => {
  const result = mapAnthropicResponse(
    {
      id: "msg_2",
      model: "claude-3-haiku-20240307",
      content: [
        { type: "text", text: "I'll answer with the tool." },
        { type: "tool_use", id: "toolu_2", name: "answer", input: { a: 1 } },
      ],
      stop_reason: "tool_use",
    },
    { ...context, jsonTool: "answer" },
  );
  assert.equal(result.content, '{"a":1}');
  assert.deepEqual(result.toolCalls, []);
  assert.deepEqual(result.finishReason, { unified: "stop", raw: "tool_use" });
  assert.equal(result.usage, null);
});

test("stop reasons", () => {
  const table: [string | null, string][] = [
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["pause_turn", "other"],
    ["something_new", "other"],
    [null, "other"],
  ];
  for (const [raw, unified] of table) {
    const result = mapAnthropicResponse({ content: [], stop_reason: raw }, context);
    assert.deepEqual(result.finishReason, { unified, raw }, String(raw));
  }
});

test("JSON that is not a message is a bad_response", () => {
  assert.throws(
    () => mapAnthropicResponse({ id: "msg_3", content: "hello" }, context),
    (err: unknown) => err instanceof GatewayError && err.kind === "bad_response" && /^provider anthropic answered with JSON that is not a message \(status 200\): content: /.test(err.message),
  );
});
