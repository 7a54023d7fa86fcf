import assert from "node:assert/strict";
import { test } from "node:test";
import type { StreamEvent } from "../../core/stream-event.ts";
import { endOpenAIStream, initialOpenAIStreamState, stepOpenAIStream, type OpenAIStreamState, type SseMessage } from "./openai-stream-step.ts";

function run(messages: (string | SseMessage)[]): { state: OpenAIStreamState; events: StreamEvent[] } {
  let state = initialOpenAIStreamState("p");
  const events: StreamEvent[] = [];
  for (const m of messages) {
    const step = stepOpenAIStream(state, typeof m === "string" ? { data: m } : m);
    state = step.state;
    events.push(...step.events);
  }
  return { state, events };
}

const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 5, model: "m-1", choices, ...extra });

test("start, deltas, finish and usage in order; empty deltas produce nothing", () => {
  const { state, events } = run([
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
    chunk([{ index: 0, delta: { reasoning_content: "think" } }]),
    chunk([{ index: 0, delta: { content: "Hi" } }]),
    chunk([{ index: 0, delta: { refusal: "no" } }]),
    chunk([{ index: 0, delta: {}, finish_reason: "stop" }]),
    chunk([], { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
    "[DONE]",
  ]);
  assert.deepEqual(events, [
    { type: "start", id: "c1", model: "m-1", created: 5 },
    { type: "reasoning-delta", delta: "think" },
    { type: "text-delta", delta: "Hi" },
    { type: "refusal-delta", delta: "no" },
    { type: "finish", finishReason: { unified: "stop", raw: "stop" } },
    { type: "usage", usage: { inputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 2, reasoningTokens: 0 } },
  ]);
  assert.equal(state.done, true);
  assert.deepEqual(endOpenAIStream(state), []);
});

test("a tool call's first piece carries id and name, later pieces only arguments", () => {
  const { events } = run([
    chunk([{ index: 0, delta: { tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "b", arguments: "" } }] } }]),
    chunk([{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: '{"x"' } }] } }]),
    chunk([{ index: 0, delta: { tool_calls: [{ index: 1, id: "call_b", function: { arguments: "" } }] } }]),
    chunk([{ index: 0, delta: { tool_calls: [{ index: 1, function: { arguments: ":1}" } }] }, finish_reason: "function_call" }]),
  ]);
  assert.deepEqual(events.slice(1), [
    { type: "tool-call-delta", index: 1, id: "call_b", name: "b", argumentsDelta: "" },
    { type: "tool-call-delta", index: 1, argumentsDelta: '{"x"' },
    { type: "tool-call-delta", index: 1, argumentsDelta: ":1}" },
    { type: "finish", finishReason: { unified: "tool_calls", raw: "function_call" } },
  ]);
});

test("Azure's prompt-filter preamble (empty id, no choices) is not the start", () => {
  const preamble = JSON.stringify({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: [] });
  const step = stepOpenAIStream(initialOpenAIStreamState("azure"), { data: preamble });
  assert.deepEqual(step.events, []);
  assert.equal(step.state.started, false);
});

test("only the first finish_reason is passed on (OpenRouter repeats it)", () => {
  const { events } = run([chunk([{ index: 0, delta: {}, finish_reason: "length" }]), chunk([{ index: 0, delta: {}, finish_reason: "length" }])]);
  assert.equal(events.filter((e) => e.type === "finish").length, 1);
});

test("an error object as data ends the stream with a classified error, usage first when present", () => {
  const { state, events } = run([
    chunk([{ index: 0, delta: { content: "a" } }]),
    JSON.stringify({ error: { message: "The server had an error", type: "server_error", code: null }, usage: { prompt_tokens: 4, completion_tokens: 1 } }),
    chunk([{ index: 0, delta: { content: "ignored" } }]),
  ]);
  assert.equal(state.done, true);
  const [usage, error] = events.slice(-2);
  assert.equal(usage?.type, "usage");
  assert.ok(error?.type === "error");
  assert.equal(error.error.kind, "upstream_5xx");
  assert.match(error.error.message, /^p: error in stream server_error: The server had an error$/);
  assert.equal(events.some((e) => e.type === "text-delta" && e.delta === "ignored"), false);
});

test("`event: error` is an error even without an error key, and even when not JSON", () => {
  const json = run([{ event: "error", data: JSON.stringify({ message: "Overloaded", type: "overloaded_error" }) }]).events;
  assert.ok(json[0]?.type === "error");
  assert.equal(json[0].error.kind, "overloaded");
  const text = run([{ event: "error", data: "upstream exploded" }]).events;
  assert.ok(text[0]?.type === "error");
  assert.equal(text[0].error.kind, "upstream_5xx");
  assert.match(text[0].error.message, /upstream exploded/);
});

test("an unparseable or misshapen chunk is a bad_response error", () => {
  const broken = run(['{"id":"c1","choices":[{"delta":{"content":"Hi']).events;
  assert.ok(broken[0]?.type === "error");
  assert.equal(broken[0].error.kind, "bad_response");
  assert.match(broken[0].error.message, /provider p sent a stream chunk that is not JSON/);
  const misshapen = run([JSON.stringify({ id: "c1", choices: "nope" })]).events;
  assert.ok(misshapen[0]?.type === "error");
  assert.equal(misshapen[0].error.kind, "bad_response");
  assert.match(misshapen[0].error.message, /unexpected shape: choices/);
});

test("ending without [DONE] is clean after a finish_reason, an error before it", () => {
  const finished = run([chunk([{ index: 0, delta: { content: "a" }, finish_reason: "stop" }])]);
  assert.deepEqual(endOpenAIStream(finished.state), []);
  const cut = run([chunk([{ index: 0, delta: { content: "a" } }])]);
  const [end] = endOpenAIStream(cut.state);
  assert.ok(end?.type === "error");
  assert.equal(end.error.kind, "network");
  assert.equal(end.error.provider, "p");
});

test("the step is pure: the given state is never changed", () => {
  const state = initialOpenAIStreamState("p");
  const frozen = JSON.stringify(state);
  stepOpenAIStream(state, { data: chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: "x", function: { name: "f" } }] } }]) });
  assert.equal(JSON.stringify(state), frozen);
});
