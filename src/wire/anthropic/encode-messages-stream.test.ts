import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { StreamEvent } from "../../core/stream-event.ts";
import type { MessagesEncodeOptions } from "./encode-messages-result.ts";
import { encodeMessagesStreamEvent, endMessagesStream, initialMessagesStreamState, type MessagesStreamEvent } from "./encode-messages-stream.ts";
import { createMessagesStreamWriter, sseEvent } from "./messages-stream-writer.ts";

const OPTIONS: MessagesEncodeOptions = { fallbackId: "msg_gateway", fallbackModel: "fallback-model", includeThinking: false, stopSequences: [] };
const START: StreamEvent = { type: "start", id: "chatcmpl-up", model: "gpt-5.4-2026-01-01", created: 1 };
const STOP: StreamEvent = { type: "finish", finishReason: { unified: "stop", raw: "stop" } };
const USAGE: StreamEvent = { type: "usage", usage: { inputTokens: 100, cachedInputTokens: 60, cacheWriteTokens: 0, outputTokens: 12, reasoningTokens: 0 } };
const text = (delta: string): StreamEvent => ({ type: "text-delta", delta });

/** Runs the step over `events` and ends the stream, the way the edge does. */
function encodeAll(events: StreamEvent[], options: Partial<MessagesEncodeOptions> = {}): MessagesStreamEvent[] {
  let state = initialMessagesStreamState({ ...OPTIONS, ...options });
  const out: MessagesStreamEvent[] = [];
  for (const event of events) {
    const step = encodeMessagesStreamEvent(state, event);
    state = step.state;
    out.push(...step.events);
  }
  return [...out, ...endMessagesStream(state)];
}

/** A compact trace: event type, with the block index and kind where there is one. */
function trace(events: MessagesStreamEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case "content_block_start":
        return `start ${e.index} ${e.content_block.type}`;
      case "content_block_delta":
        return `delta ${e.index} ${e.delta.type}`;
      case "content_block_stop":
        return `stop ${e.index}`;
      default:
        return e.type;
    }
  });
}

test("a text stream: message_start, one text block, message_delta, message_stop", () => {
  const events = encodeAll([START, text("Hel"), text("lo"), STOP, USAGE]);
  assert.deepEqual(trace(events), ["message_start", "start 0 text", "delta 0 text_delta", "delta 0 text_delta", "stop 0", "message_delta", "message_stop"]);
  const start = events[0];
  assert.ok(start?.type === "message_start");
  assert.equal(start.message.id, "msg_gateway", "a non-Anthropic upstream id is replaced");
  assert.equal(start.message.model, "gpt-5.4-2026-01-01", "the reported model");
  assert.deepEqual(start.message.content, []);
  assert.equal(start.message.stop_reason, null);
  const deltas = events.flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []));
  assert.deepEqual(deltas, ["Hel", "lo"]);
  const end = events.at(-2);
  assert.ok(end?.type === "message_delta");
  assert.deepEqual(end.delta, { stop_reason: "end_turn", stop_sequence: null });
  assert.deepEqual(end.usage, { input_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 60, output_tokens: 12 });
});

test("message_start waits for the first output, so it carries usage reported up front", () => {
  const early: StreamEvent = { type: "usage", usage: { inputTokens: 25, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 } };
  let state = initialMessagesStreamState(OPTIONS);
  for (const event of [{ ...START, id: "msg_01upstream" }, early]) {
    const step = encodeMessagesStreamEvent(state, event);
    assert.deepEqual(step.events, []);
    state = step.state;
  }
  const step = encodeMessagesStreamEvent(state, text("Hi"));
  const start = step.events[0];
  assert.ok(start?.type === "message_start");
  assert.equal(start.message.id, "msg_01upstream", "an Anthropic upstream's id is kept");
  assert.equal(start.message.usage.input_tokens, 25);
});

test("the model falls back to the target's when the upstream sends no start", () => {
  const start = encodeAll([text("x"), STOP])[0];
  assert.ok(start?.type === "message_start");
  assert.equal(start.message.model, "fallback-model");
});

test("tool calls: one tool_use block each, the previous block closed first, arguments as input_json_delta", () => {
  const events = encodeAll([
    START,
    text("Checking."),
    { type: "tool-call-delta", index: 0, id: "call_a", name: "weather", argumentsDelta: "" },
    { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":' },
    { type: "tool-call-delta", index: 0, argumentsDelta: '"Paris"}' },
    { type: "tool-call-delta", index: 1, id: "call_b", name: "time", argumentsDelta: "{}" },
    { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
    USAGE,
  ]);
  assert.deepEqual(trace(events), [
    "message_start",
    "start 0 text", "delta 0 text_delta", "stop 0",
    "start 1 tool_use", "delta 1 input_json_delta", "delta 1 input_json_delta", "stop 1",
    "start 2 tool_use", "delta 2 input_json_delta", "stop 2",
    "message_delta", "message_stop",
  ]);
  const starts = events.flatMap((e) => (e.type === "content_block_start" ? [e.content_block] : []));
  assert.deepEqual(starts.slice(1), [
    { type: "tool_use", id: "call_a", name: "weather", input: {} },
    { type: "tool_use", id: "call_b", name: "time", input: {} },
  ]);
  const json = events.flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "input_json_delta" && e.index === 1 ? [e.delta.partial_json] : []));
  assert.equal(json.join(""), '{"city":"Paris"}');
  const end = events.at(-2);
  assert.ok(end?.type === "message_delta");
  assert.equal(end.delta.stop_reason, "tool_use");
});

test("a late piece of an earlier tool call still names that call's block", () => {
  const events = encodeAll([
    { type: "tool-call-delta", index: 0, id: "a", name: "f", argumentsDelta: "{" },
    { type: "tool-call-delta", index: 1, id: "b", name: "g", argumentsDelta: "{}" },
    { type: "tool-call-delta", index: 0, argumentsDelta: "}" },
    { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
  ]);
  const late = events.filter((e) => e.type === "content_block_delta").at(-1);
  assert.ok(late?.type === "content_block_delta");
  assert.equal(late.index, 0);
});

test("reasoning becomes a thinking block only when the client turned thinking on", () => {
  const events: StreamEvent[] = [START, { type: "reasoning-delta", delta: "Let me think." }, text("Answer."), STOP];
  assert.deepEqual(trace(encodeAll(events)), ["message_start", "start 0 text", "delta 0 text_delta", "stop 0", "message_delta", "message_stop"]);
  const withThinking = encodeAll(events, { includeThinking: true });
  assert.deepEqual(trace(withThinking), [
    "message_start", "start 0 thinking", "delta 0 thinking_delta", "stop 0", "start 1 text", "delta 1 text_delta", "stop 1", "message_delta", "message_stop",
  ]);
  const first = withThinking[1];
  assert.ok(first?.type === "content_block_start");
  assert.deepEqual(first.content_block, { type: "thinking", thinking: "", signature: "" });
});

test("empty deltas open no block; a refusal is text", () => {
  assert.deepEqual(trace(encodeAll([START, text(""), STOP])), ["message_start", "message_delta", "message_stop"]);
  const refused = encodeAll([{ type: "refusal-delta", delta: "No." }, { type: "finish", finishReason: { unified: "content_filter", raw: "content_filter" } }]);
  assert.deepEqual(trace(refused), ["message_start", "start 0 text", "delta 0 text_delta", "stop 0", "message_delta", "message_stop"]);
  const end = refused.at(-2);
  assert.ok(end?.type === "message_delta");
  assert.equal(end.delta.stop_reason, "refusal");
});

test("stop reasons and the stop sequence reach message_delta", () => {
  const lengthEnd = encodeAll([text("x"), { type: "finish", finishReason: { unified: "length", raw: "length" } }]).at(-2);
  assert.ok(lengthEnd?.type === "message_delta");
  assert.equal(lengthEnd.delta.stop_reason, "max_tokens");
  const seqEnd = encodeAll([text("x"), { type: "finish", finishReason: { unified: "stop", raw: "stop_sequence" } }], { stopSequences: ["END"] }).at(-2);
  assert.ok(seqEnd?.type === "message_delta");
  assert.deepEqual(seqEnd.delta, { stop_reason: "stop_sequence", stop_sequence: "END" });
});

test("the step never changes the state it is given", () => {
  const state = initialMessagesStreamState(OPTIONS);
  const frozen = JSON.stringify(state);
  encodeMessagesStreamEvent(state, text("x"));
  encodeMessagesStreamEvent(state, { type: "tool-call-delta", index: 0, id: "a", name: "f", argumentsDelta: "{}" });
  endMessagesStream(state);
  assert.equal(JSON.stringify(state), frozen);
});

test("the writer frames events as `event:` + `data:`, and a broken stream ends with an error event, no message_stop", () => {
  assert.equal(sseEvent({ type: "message_stop" }), 'event: message_stop\ndata: {"type":"message_stop"}\n\n');
  const writer = createMessagesStreamWriter(OPTIONS);
  const head = writer.batch([{ events: [START] }, { events: [text("Hi")] }]);
  assert.match(head, /^event: message_start\ndata: .*\n\nevent: content_block_start\n/);
  const broken = writer.fail(new GatewayError("overloaded", "upstream overloaded"));
  assert.equal(broken, 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"upstream overloaded"}}\n\n');
  assert.doesNotMatch(broken, /message_stop/);
  assert.match(writer.fail(new GatewayError("network", "socket hang up")), /"type":"api_error"/);
  assert.match(writer.end(), /event: content_block_stop[\s\S]*event: message_delta[\s\S]*event: message_stop\n/);
});
