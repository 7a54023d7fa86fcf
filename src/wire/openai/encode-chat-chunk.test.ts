import assert from "node:assert/strict";
import { test } from "node:test";
import type { StreamEvent } from "../../core/stream-event.ts";
import { GatewayError } from "../../core/errors.ts";
import { encodeChatChunk, initialChunkEncoderState } from "./encode-chat-chunk.ts";

interface Choice {
  index: number;
  delta: Record<string, unknown>;
  logprobs: null;
  finish_reason: string | null;
}

interface Chunk {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Choice[];
  usage?: Record<string, unknown>;
}

const FALLBACK = { id: "chatcmpl-fallback", model: "fallback-model", created: 1_700_000_000 };
const START: StreamEvent = { type: "start", id: "chatcmpl-up", model: "gpt-5.4-2026-01-01", created: 1_760_000_000 };
const USAGE = { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5, reasoningTokens: 1 };

/** Runs the step function over `events` the way the edge does, collecting the chunks. */
function encodeAll(events: StreamEvent[]): Chunk[] {
  let state = initialChunkEncoderState(FALLBACK);
  const chunks: Chunk[] = [];
  for (const event of events) {
    const step = encodeChatChunk(state, event);
    state = step.state;
    if (step.chunk) chunks.push(step.chunk as unknown as Chunk);
  }
  return chunks;
}

const deltas = (chunks: Chunk[]): Record<string, unknown>[] => chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
const roleCount = (chunks: Chunk[]): number => deltas(chunks).filter((d) => Object.hasOwn(d, "role")).length;

const roleCases: { name: string; events: StreamEvent[] }[] = [
  { name: "start then text", events: [START, { type: "text-delta", delta: "Hel" }, { type: "text-delta", delta: "lo" }, { type: "finish", finishReason: { unified: "stop", raw: "stop" } }] },
  { name: "text without a start event", events: [{ type: "text-delta", delta: "Hel" }, { type: "text-delta", delta: "lo" }] },
  { name: "reasoning first", events: [{ type: "reasoning-delta", delta: "think" }, { type: "text-delta", delta: "answer" }] },
  { name: "refusal first", events: [{ type: "refusal-delta", delta: "no" }, { type: "refusal-delta", delta: "pe" }] },
  { name: "tool call first", events: [{ type: "tool-call-delta", index: 0, id: "c1", name: "f", argumentsDelta: "" }, { type: "tool-call-delta", index: 0, argumentsDelta: "{}" }] },
];
for (const c of roleCases) {
  test(`role assistant appears exactly once, on the first chunk: ${c.name}`, () => {
    const chunks = encodeAll(c.events);
    assert.equal(roleCount(chunks), 1);
    assert.equal(chunks[0]?.choices[0]?.delta["role"], "assistant");
  });
}

test("start adopts the upstream's id, model and created for every later chunk", () => {
  const chunks = encodeAll([START, { type: "text-delta", delta: "a" }, { type: "finish", finishReason: { unified: "stop", raw: "stop" } }, { type: "usage", usage: USAGE }]);
  assert.equal(chunks.length, 4);
  for (const chunk of chunks) {
    assert.equal(chunk.id, "chatcmpl-up");
    assert.equal(chunk.model, "gpt-5.4-2026-01-01");
    assert.equal(chunk.created, 1_760_000_000);
    assert.equal(chunk.object, "chat.completion.chunk");
  }
  assert.deepEqual(chunks[0]?.choices, [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]);
});

test("without a start event the fallback id, model and created are used", () => {
  const [chunk] = encodeAll([{ type: "text-delta", delta: "x" }]);
  assert.equal(chunk?.id, FALLBACK.id);
  assert.equal(chunk?.model, FALLBACK.model);
  assert.equal(chunk?.created, FALLBACK.created);
});

test("text, reasoning and refusal deltas land in content, reasoning_content and refusal", () => {
  const chunks = encodeAll([START, { type: "reasoning-delta", delta: "r" }, { type: "text-delta", delta: "t" }, { type: "refusal-delta", delta: "f" }]);
  assert.deepEqual(deltas(chunks).slice(1), [{ reasoning_content: "r" }, { content: "t" }, { refusal: "f" }]);
  for (const chunk of chunks) assert.equal(chunk.choices[0]?.finish_reason, null);
});

test("tool-call deltas: id, type and name only on the first piece of each call", () => {
  const chunks = encodeAll([
    START,
    { type: "tool-call-delta", index: 0, id: "call_a", name: "weather", argumentsDelta: "" },
    { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":' },
    { type: "tool-call-delta", index: 0, argumentsDelta: '"Oslo"}' },
    { type: "tool-call-delta", index: 1, id: "call_b", name: "time", argumentsDelta: "{}" },
    { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
  ]);
  const calls = deltas(chunks).flatMap((d) => (d["tool_calls"] as Record<string, unknown>[] | undefined) ?? []);
  assert.deepEqual(calls, [
    { index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "" } },
    { index: 0, function: { arguments: '{"city":' } },
    { index: 0, function: { arguments: '"Oslo"}' } },
    { index: 1, id: "call_b", type: "function", function: { name: "time", arguments: "{}" } },
  ]);
  assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, "tool_calls");
});

test("the arguments of a call, joined, are what the upstream sent", () => {
  const pieces = ['{"a"', ":", "1", "}"];
  const chunks = encodeAll([
    { type: "tool-call-delta", index: 0, id: "c", name: "f", argumentsDelta: pieces[0] ?? "" },
    ...pieces.slice(1).map((p): StreamEvent => ({ type: "tool-call-delta", index: 0, argumentsDelta: p })),
  ]);
  const joined = deltas(chunks)
    .flatMap((d) => d["tool_calls"] as { function: { arguments: string } }[])
    .map((c) => c.function.arguments)
    .join("");
  assert.equal(joined, '{"a":1}');
});

const finishCases: [StreamEvent & { type: "finish" }, string][] = [
  [{ type: "finish", finishReason: { unified: "stop", raw: "stop" } }, "stop"],
  [{ type: "finish", finishReason: { unified: "length", raw: "max_tokens" } }, "length"],
  [{ type: "finish", finishReason: { unified: "content_filter", raw: "SAFETY" } }, "content_filter"],
  [{ type: "finish", finishReason: { unified: "other", raw: "weird" } }, "stop"],
];
for (const [event, wire] of finishCases) {
  test(`finish chunk (${event.finishReason.unified}): empty delta, finish_reason ${wire}`, () => {
    const chunks = encodeAll([START, event]);
    assert.deepEqual(chunks[1]?.choices, [{ index: 0, delta: {}, logprobs: null, finish_reason: wire }]);
  });
}

test("usage chunk: empty choices and the usage, after the finish chunk", () => {
  const chunks = encodeAll([START, { type: "text-delta", delta: "x" }, { type: "finish", finishReason: { unified: "stop", raw: "stop" } }, { type: "usage", usage: USAGE }]);
  const last = chunks.at(-1);
  assert.deepEqual(last?.choices, []);
  assert.deepEqual(last?.usage, {
    prompt_tokens: 10,
    completion_tokens: 5,
    total_tokens: 15,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 1 },
  });
  for (const chunk of chunks.slice(0, -1)) assert.equal(Object.hasOwn(chunk, "usage"), false);
});

test("an error event is not a chunk and leaves the state alone", () => {
  const state = initialChunkEncoderState(FALLBACK);
  const step = encodeChatChunk(state, { type: "error", error: new GatewayError("network", "connection reset") });
  assert.equal(step.chunk, null);
  assert.deepEqual(step.state, state);
});

test("the step is pure: the state passed in is never changed", () => {
  const state = initialChunkEncoderState(FALLBACK);
  const frozen = Object.freeze({ ...state });
  encodeChatChunk(frozen, START);
  encodeChatChunk(frozen, { type: "text-delta", delta: "x" });
  assert.deepEqual(frozen, { ...FALLBACK, roleSent: false });
});
