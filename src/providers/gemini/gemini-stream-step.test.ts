import assert from "node:assert/strict";
import { test } from "node:test";
import type { StreamEvent } from "../../core/stream-event.ts";
import { assemblePartialArgs, parseJsonPath } from "./assemble-partial-args.ts";
import { endGeminiStream, initialGeminiStreamState, stepGeminiStream, type GeminiStreamState } from "./gemini-stream-step.ts";

function run(messages: unknown[]): { state: GeminiStreamState; events: StreamEvent[] } {
  let state = initialGeminiStreamState({ provider: "g", requestModel: "gemini-x", nowSeconds: 1_700_000_000 });
  const events: StreamEvent[] = [];
  for (const m of messages) {
    const step = stepGeminiStream(state, { data: typeof m === "string" ? m : JSON.stringify(m) });
    state = step.state;
    events.push(...step.events);
  }
  return { state, events: [...events, ...endGeminiStream(state)] };
}

const parts = (list: unknown[], extra: Record<string, unknown> = {}): unknown => ({ candidates: [{ content: { role: "model", parts: list }, ...extra }] });
const usage = (prompt: number, candidates: number, thoughts = 0, cached = 0): unknown => ({
  usageMetadata: { promptTokenCount: prompt, candidatesTokenCount: candidates, thoughtsTokenCount: thoughts, cachedContentTokenCount: cached },
});

test("start, thought and text deltas, finish, then the last usage once", () => {
  const { events } = run([
    { ...(parts([{ text: "plan", thought: true }]) as object), ...(usage(10, 0, 4, 6) as object), responseId: "r1", modelVersion: "gemini-2.5-pro" },
    { ...(parts([{ text: "Hel" }]) as object), ...(usage(10, 1, 4, 6) as object) },
    { ...(parts([{ text: "lo", thoughtSignature: "sig" }], { finishReason: "STOP" }) as object), ...(usage(10, 2, 4, 6) as object) },
  ]);
  assert.deepEqual(events, [
    { type: "start", id: "r1", model: "gemini-2.5-pro", created: 1_700_000_000 },
    { type: "reasoning-delta", delta: "plan" },
    { type: "text-delta", delta: "Hel" },
    { type: "text-delta", delta: "lo" },
    { type: "finish", finishReason: { unified: "stop", raw: "STOP" } },
    { type: "usage", usage: { inputTokens: 10, cachedInputTokens: 6, cacheWriteTokens: 0, outputTokens: 6, reasoningTokens: 4 } },
  ]);
});

test("a fragment without modelVersion or responseId starts with the requested model; empty text is nothing", () => {
  const { events } = run([parts([{ text: "" }]), parts([{ text: "x" }], { finishReason: "MAX_TOKENS" })]);
  assert.deepEqual(events, [
    { type: "start", id: "", model: "gemini-x", created: 1_700_000_000 },
    { type: "text-delta", delta: "x" },
    { type: "finish", finishReason: { unified: "length", raw: "MAX_TOKENS" } },
  ]);
});

test("whole function calls: numbered in order, ids from Gemini when it sends them", () => {
  const { events } = run([
    parts([{ functionCall: { name: "a", args: { x: 1 } } }, { functionCall: { id: "fc-7", name: "b" } }]),
    parts([{ text: "" }], { finishReason: "STOP" }),
  ]);
  assert.deepEqual(events.slice(1), [
    { type: "tool-call-delta", index: 0, id: "call_0", name: "a", argumentsDelta: '{"x":1}' },
    { type: "tool-call-delta", index: 1, id: "fc-7", name: "b", argumentsDelta: "{}" },
    { type: "finish", finishReason: { unified: "tool_calls", raw: "STOP" } },
  ]);
});

test("streamed arguments: nested paths, continued strings, numbers, booleans and nulls", () => {
  const { events } = run([
    parts([{ functionCall: { name: "cook", willContinue: true } }]),
    parts([{ functionCall: { partialArgs: [{ jsonPath: "$.recipe.ingredients[0].name", stringValue: "Lasa", willContinue: true }], willContinue: true } }]),
    parts([{ functionCall: { partialArgs: [{ jsonPath: "$.recipe.ingredients[0].name", stringValue: "gna" }], willContinue: true } }]),
    parts([{ functionCall: { willContinue: true } }]),
    parts([{ functionCall: { partialArgs: [{ jsonPath: "$.recipe.ingredients[1].grams", numberValue: 250 }, { jsonPath: "$.vegan", boolValue: false }, { jsonPath: "$['note']", nullValue: "NULL_VALUE" }], willContinue: true } }]),
    parts([{ functionCall: {} }]),
    parts([{ text: "done" }], { finishReason: "STOP" }),
  ]);
  const calls = events.filter((e) => e.type === "tool-call-delta");
  assert.deepEqual(calls, [
    {
      type: "tool-call-delta",
      index: 0,
      id: "call_0",
      name: "cook",
      argumentsDelta: JSON.stringify({ recipe: { ingredients: [{ name: "Lasagna" }, { grams: 250 }] }, vegan: false, note: null }),
    },
  ]);
  assert.deepEqual(events.at(-1), { type: "finish", finishReason: { unified: "tool_calls", raw: "STOP" } });
});

test("a call left open is passed on when the next call, a text or the finish arrives", () => {
  const { events } = run([
    parts([{ functionCall: { name: "a", willContinue: true } }]),
    parts([{ functionCall: { partialArgs: [{ jsonPath: "$.q", stringValue: "x" }], willContinue: true } }]),
    parts([{ functionCall: { name: "b", willContinue: true } }]),
    parts([{ text: "" }], { finishReason: "STOP" }),
  ]);
  assert.deepEqual(
    events.filter((e) => e.type === "tool-call-delta").map((e) => e.type === "tool-call-delta" && [e.index, e.name, e.argumentsDelta]),
    [
      [0, "a", '{"q":"x"}'],
      [1, "b", "{}"],
    ],
  );
});

test("a blocked prompt: no candidates, a blockReason → content_filter", () => {
  const { events } = run([{ promptFeedback: { blockReason: "SAFETY" }, ...(usage(3, 0) as object) }]);
  assert.deepEqual(events.slice(1), [
    { type: "finish", finishReason: { unified: "content_filter", raw: "SAFETY" } },
    { type: "usage", usage: { inputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 } },
  ]);
});

test("an error message ends the stream; later messages are ignored", () => {
  const { state, events } = run([parts([{ text: "a" }]), { error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } }, parts([{ text: "b" }], { finishReason: "STOP" })]);
  assert.equal(state.done, true);
  const last = events.at(-1);
  assert.ok(last?.type === "error");
  assert.equal(last.error.kind, "upstream_5xx");
  assert.equal(last.error.upstreamStatus, 500);
  assert.deepEqual(events.filter((e) => e.type === "text-delta").length, 1);
});

test("garbage messages and an early end are errors", () => {
  for (const bad of ["not json", JSON.stringify({ candidates: {} }), JSON.stringify({ candidates: [{ content: { parts: [{ text: 5 }] } }] })]) {
    const last = run([bad]).events.at(-1);
    assert.ok(last?.type === "error", bad);
    assert.equal(last.error.kind, "bad_response");
    assert.match(last.error.message, /^provider g sent a stream message/);
  }
  const early = run([{ ...(parts([{ text: "a" }]) as object), ...(usage(4, 1) as object) }]).events;
  assert.deepEqual(early.slice(-2).map((e) => e.type), ["usage", "error"], "the running usage, then the error");
});

test("JSON paths as Gemini writes them", () => {
  assert.deepEqual(parseJsonPath("$.a.b"), ["a", "b"]);
  assert.deepEqual(parseJsonPath("$.items[12].name"), ["items", 12, "name"]);
  assert.deepEqual(parseJsonPath("$['a b'][\"c.d\"]"), ["a b", "c.d"]);
  assert.equal(parseJsonPath("a.b"), null);
  assert.equal(parseJsonPath("$.a["), null);
  assert.deepEqual(parseJsonPath("$"), []);
});

test("continued strings are joined; a new string at a closed path replaces it", () => {
  assert.equal(
    JSON.stringify(assemblePartialArgs([
      { jsonPath: "$.s", stringValue: "ab", willContinue: true },
      { jsonPath: "$.s", stringValue: "cd", willContinue: true },
      { jsonPath: "$.s", stringValue: "" },
      { jsonPath: "$.t", stringValue: "x" },
      { jsonPath: "$.t", stringValue: "y" },
      { jsonPath: "$.list[1]", numberValue: 2 },
      { jsonPath: "$", stringValue: "ignored" },
      { jsonPath: "bad", boolValue: true },
    ])),
    '{"s":"abcd","t":"y","list":[null,2]}',
  );
});
