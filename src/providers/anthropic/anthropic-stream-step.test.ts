import assert from "node:assert/strict";
import { test } from "node:test";
import type { StreamEvent } from "../../core/stream-event.ts";
import { endAnthropicStream, initialAnthropicStreamState, stepAnthropicStream, type AnthropicStreamState } from "./anthropic-stream-step.ts";

const initial = (jsonTool: string | null = null): AnthropicStreamState => initialAnthropicStreamState({ provider: "anthropic", nowSeconds: 1_700_000_000, jsonTool });

/** Runs events (objects, framed as the API frames them) through the step; returns all core events and the last state. */
function run(events: readonly unknown[], state = initial()): { state: AnthropicStreamState; out: StreamEvent[] } {
  const out: StreamEvent[] = [];
  for (const event of events) {
    const data = typeof event === "string" ? event : JSON.stringify(event);
    const type = typeof event === "object" && event !== null && "type" in event ? String(event.type) : undefined;
    const step = stepAnthropicStream(state, { event: type, data });
    state = step.state;
    out.push(...step.events);
  }
  return { state, out };
}

const START = { type: "message_start", message: { id: "msg_1", model: "claude-x-1", usage: { input_tokens: 10, cache_read_input_tokens: 4, output_tokens: 1 } } };
const blockStart = (index: number, block: Record<string, unknown>) => ({ type: "content_block_start", index, content_block: block });
const blockDelta = (index: number, delta: Record<string, unknown>) => ({ type: "content_block_delta", index, delta });
const stop = (index: number) => ({ type: "content_block_stop", index });

test("tool calls are numbered among client tool blocks only, whatever their block index", () => {
  const { out } = run([
    START,
    blockStart(0, { type: "text", text: "" }),
    blockDelta(0, { type: "text_delta", text: "Let me look." }),
    stop(0),
    blockStart(1, { type: "tool_use", id: "toolu_a", name: "search", input: {} }),
    blockStart(2, { type: "server_tool_use", id: "srvtoolu_b", name: "web_search", input: {} }),
    blockDelta(2, { type: "input_json_delta", partial_json: '{"query":"x"}' }),
    blockStart(3, { type: "web_search_tool_result", tool_use_id: "srvtoolu_b", content: [] }),
    blockStart(4, { type: "tool_use", id: "toolu_c", name: "fetch", input: { url: "https://a.example" } }),
    blockDelta(1, { type: "input_json_delta", partial_json: '{"q":' }),
    blockDelta(1, { type: "input_json_delta", partial_json: '"y"}' }),
    stop(1),
    stop(4),
  ]);
  assert.deepEqual(out, [
    { type: "start", id: "msg_1", model: "claude-x-1", created: 1_700_000_000 },
    { type: "text-delta", delta: "Let me look." },
    { type: "tool-call-delta", index: 0, id: "toolu_a", name: "search", argumentsDelta: "" },
    { type: "tool-call-delta", index: 1, id: "toolu_c", name: "fetch", argumentsDelta: '{"url":"https://a.example"}' },
    { type: "tool-call-delta", index: 0, argumentsDelta: '{"q":' },
    { type: "tool-call-delta", index: 0, argumentsDelta: '"y"}' },
  ]);
});

test("start waits for the first event with content; pings and signatures carry nothing", () => {
  const { out, state } = run([START, { type: "ping" }, blockStart(0, { type: "thinking", thinking: "" }), blockDelta(0, { type: "signature_delta", signature: "abc" })]);
  assert.deepEqual(out, []);
  assert.notEqual(state.pendingStart, null);
  const done = run([{ type: "message_stop" }], state);
  assert.deepEqual(done.out, [{ type: "start", id: "msg_1", model: "claude-x-1", created: 1_700_000_000 }]);
  assert.equal(done.state.done, true);
  assert.deepEqual(endAnthropicStream(done.state), []);
});

test("message_delta: finish, then the usage merged with message_start's", () => {
  const { out } = run([START, { type: "message_delta", delta: { stop_reason: "max_tokens" }, usage: { output_tokens: 50 } }, { type: "message_start", message: { id: "msg_2" } }]);
  assert.deepEqual(out, [
    { type: "start", id: "msg_1", model: "claude-x-1", created: 1_700_000_000 },
    { type: "finish", finishReason: { unified: "length", raw: "max_tokens" } },
    { type: "usage", usage: { inputTokens: 14, cachedInputTokens: 4, cacheWriteTokens: 0, outputTokens: 50, reasoningTokens: 0 } },
  ]);
});

test("an error event ends the stream with the classified error; later events are ignored", () => {
  const { out, state } = run([
    START,
    blockStart(0, { type: "text", text: "Hel" }),
    { type: "error", error: { details: null, type: "overloaded_error", message: "Overloaded" } },
    blockDelta(0, { type: "text_delta", text: "lo" }),
  ]);
  assert.deepEqual(
    out.map((e) => e.type),
    // The usage message_start reported comes first: those tokens were spent.
    ["start", "text-delta", "usage", "error"],
  );
  const last = out.at(-1);
  assert.ok(last?.type === "error");
  assert.equal(last.error.kind, "overloaded");
  assert.equal(last.error.retryable, true);
  assert.equal(state.done, true);
  assert.deepEqual(endAnthropicStream(state), []);
});

test("garbage, and a body that ends before message_stop, are errors", () => {
  const garbage = run([START, "<html>oops</html>"]);
  const error = garbage.out.at(-1);
  assert.ok(error?.type === "error");
  assert.equal(error.error.kind, "bad_response");
  assert.equal(error.error.message, "provider anthropic sent a stream event that is not JSON: <html>oops</html>");
  assert.equal(run([{ nope: 1 }]).out[0]?.type, "error");

  const cut = run([START, blockStart(0, { type: "text", text: "" }), blockDelta(0, { type: "text_delta", text: "Hi" })]);
  const [usage, end] = endAnthropicStream(cut.state);
  assert.equal(usage?.type, "usage", "the usage message_start reported is passed on before the error");
  assert.ok(end?.type === "error");
  assert.equal(end.error.kind, "network");
  assert.equal(end.error.message, "anthropic: the stream ended before it was complete (no message_stop)");
});

test("the json_schema tool streams as text; text around it and empty input are handled", () => {
  const { out } = run(
    [
      START,
      blockStart(0, { type: "text", text: "Sure: " }),
      blockStart(1, { type: "tool_use", id: "toolu_j", name: "answer", input: {} }),
      stop(1),
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 3 } },
    ],
    initial("answer"),
  );
  assert.deepEqual(
    out.filter((e) => e.type !== "usage"),
    [
      { type: "start", id: "msg_1", model: "claude-x-1", created: 1_700_000_000 },
      { type: "text-delta", delta: "{}" },
      { type: "finish", finishReason: { unified: "stop", raw: "tool_use" } },
    ],
  );
});
