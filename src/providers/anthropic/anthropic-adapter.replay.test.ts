/**
 * Recorded Anthropic traffic (../shared/fixtures) replayed through a fake upstream: checks both
 * the body the adapter sends and the result or events that come out.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { ChatRequest } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import type { StreamBatch, StreamEvent } from "../../core/stream-event.ts";
import type { Usage } from "../../core/usage.ts";
import { json, sse, startFakeUpstream, text, type FakeUpstream, type Reply } from "../../../test/support/fake-upstream.ts";
import { fixtureChunks, readFixture, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { createAnthropicAdapter, type AnthropicAdapterOptions } from "./anthropic-adapter.ts";

const skip = { skip: skipWithoutFixtures, timeout: 5_000 };
const KEY = "sk-ant-test-0123456789abcdef";
const DIR = "anthropic";

interface Harness {
  upstream: FakeUpstream;
  adapter: ProviderAdapter;
  warnings: string[];
  options: () => CallOptions;
}

async function setup(t: TestContext, reply: Reply, options: Partial<AnthropicAdapterOptions> = {}): Promise<Harness> {
  const upstream = await startFakeUpstream(reply);
  const adapter = createAnthropicAdapter({ name: "anthropic", baseUrl: upstream.url, apiKey: KEY, ...options });
  t.after(async () => {
    await adapter.close?.();
    await upstream.close();
  });
  const warnings: string[] = [];
  const options_ = (): CallOptions => ({ signal: new AbortController().signal, timeoutMs: 3_000, idleTimeoutMs: 3_000, warn: (m) => warnings.push(m) });
  return { upstream, adapter, warnings, options: options_ };
}

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "claude-sonnet-4-5",
  messages: [{ role: "user", content: "Hello" }],
  stream: false,
  extra: {},
  ...extra,
});

async function collect(iterable: AsyncIterable<StreamBatch>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const batch of iterable) {
    assert.ok(batch.length > 0, "a batch is never empty");
    for (const chunk of batch) events.push(...chunk.events);
  }
  return events;
}

async function stream(h: Harness, request: ChatRequest = ask()): Promise<StreamEvent[]> {
  return collect(await h.adapter.chatStream({ ...request, stream: true }, h.options()));
}

const usage = (inputTokens: number, cachedInputTokens: number, cacheWriteTokens: number, outputTokens: number): Usage => ({
  inputTokens,
  cachedInputTokens,
  cacheWriteTokens,
  outputTokens,
  reasoningTokens: 0,
});

function only<T extends StreamEvent["type"]>(events: StreamEvent[], type: T): Extract<StreamEvent, { type: T }>[] {
  return events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type);
}

const joined = (events: StreamEvent[], type: "text-delta" | "reasoning-delta"): string => events.map((e) => (e.type === type ? e.delta : "")).join("");

/** One start first, one finish, usage last, no error. */
function assertCleanStream(events: StreamEvent[], finish: { unified: string; raw: string }, expected: Usage): void {
  assert.equal(events[0]?.type, "start");
  assert.equal(only(events, "start").length, 1);
  assert.deepEqual(only(events, "finish").map((e) => e.finishReason), [finish]);
  assert.deepEqual(only(events, "error"), []);
  assert.deepEqual(only(events, "usage"), [{ type: "usage", usage: expected }]);
  assert.equal(events.at(-1)?.type, "usage");
}

/** The deltas of one kind in a chunks fixture, read straight from the recording. */
function fixtureDeltas(lines: readonly string[], kind: "text_delta" | "thinking_delta" | "input_json_delta"): string {
  const field = { text_delta: "text", thinking_delta: "thinking", input_json_delta: "partial_json" }[kind];
  return lines
    .map((line) => JSON.parse(line) as { type: string; delta?: Record<string, unknown> })
    .map((e) => (e.type === "content_block_delta" && e.delta?.["type"] === kind ? String(e.delta[field]) : ""))
    .join("");
}

function rawSseLines(path: string): string[] {
  return readFixture(path)
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => l.slice(6));
}

/** A recorded request body as this adapter writes it: a lone text block as a string, no `stream: false`. */
function normaliseRecorded(body: Record<string, unknown>): Record<string, unknown> {
  const { stream, messages, ...rest } = body;
  const normalised = (messages as { role: string; content: { type: string; text: string }[] }[]).map((m) =>
    m.content.length === 1 && m.content[0]?.type === "text" ? { role: m.role, content: m.content[0].text } : m,
  );
  return { ...rest, messages: normalised, ...(stream === true && { stream }) };
}

test("text: the request sent (headers, path, default max_tokens) and the whole answer", skip, async (t) => {
  const h = await setup(t, json(readFixtureJson(`${DIR}/anthropic-text.json`)));
  const result = await h.adapter.chat(ask({ temperature: 0.2, topP: 0.9, stop: ["\n\nHuman:"], user: "user-42" }), h.options());
  const sent = h.upstream.requests[0];
  assert.equal(sent?.method, "POST");
  assert.equal(sent?.path, "/v1/messages");
  assert.equal(sent?.headers["x-api-key"], KEY);
  assert.equal(sent?.headers["anthropic-version"], "2023-06-01");
  assert.equal(sent?.headers["content-type"], "application/json");
  assert.equal(sent?.headers.authorization, undefined);
  assert.equal(sent?.headers["anthropic-beta"], undefined);
  assert.deepEqual(sent?.body, {
    model: "claude-sonnet-4-5",
    messages: [{ role: "user", content: "Hello" }],
    max_tokens: 4096,
    temperature: 0.2,
    top_p: 0.9,
    stop_sequences: ["\n\nHuman:"],
    metadata: { user_id: "user-42" },
  });
  assert.deepEqual(h.warnings, []);
  assert.deepEqual(result, {
    id: "msg_01VdEjxAP5ahtHKrrRdNBteQ",
    model: "claude-sonnet-4-5-20250929",
    created: result.created,
    content: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
    toolCalls: [],
    finishReason: { unified: "stop", raw: "end_turn" },
    usage: usage(12, 0, 0, 29),
  } satisfies ChatResult);
  assert.ok(Math.abs(result.created - Date.now() / 1000) < 60);
});

test("text: a stream maps to start, text deltas, finish and usage", skip, async (t) => {
  const lines = fixtureChunks(`${DIR}/anthropic-text.chunks.txt`);
  const h = await setup(t, sse(lines, { format: "anthropic" }));
  const events = await stream(h, ask({ maxOutputTokens: 100 }));
  assert.deepEqual(h.upstream.requests[0]?.body, { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "Hello" }], max_tokens: 100, stream: true });
  assert.equal(h.upstream.requests[0]?.headers.accept, "text/event-stream");
  const start = events[0];
  assert.ok(start?.type === "start");
  assert.equal(start.id, "msg_01QC4g3HwBThD4BaNtBckFDJ");
  assert.equal(start.model, "claude-sonnet-4-5-20250929");
  assert.equal(joined(events, "text-delta"), "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
  assert.equal(joined(events, "text-delta"), fixtureDeltas(lines, "text_delta"));
  assertCleanStream(events, { unified: "stop", raw: "end_turn" }, usage(12, 0, 0, 30));
});

test("thinking: reasoning_effort sends a thinking budget; thinking blocks come back as reasoning", skip, async (t) => {
  {
    const h = await setup(t, json(readFixtureJson(`${DIR}/anthropic-clear-thinking.1.json`)));
    const result = await h.adapter.chat(ask({ reasoningEffort: "medium", messages: [{ role: "user", content: "What is 925 / 5?" }] }), h.options());
    assert.deepEqual(h.upstream.requests[0]?.body, {
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "What is 925 / 5?" }],
      thinking: { type: "enabled", budget_tokens: 4096 },
      max_tokens: 4096 + 4096,
    });
    assert.equal(result.reasoning, "925 divided by 5 = 185");
    assert.equal(result.content, "925 ÷ 5 = 185");
    assert.deepEqual(result.usage, usage(69, 0, 0, 33));
    assert.deepEqual(h.warnings, []);
  }
  {
    const lines = fixtureChunks(`${DIR}/anthropic-clear-thinking.1.chunks.txt`);
    const h = await setup(t, sse(lines, { format: "anthropic" }));
    const events = await stream(h, ask({ reasoningEffort: "high", maxOutputTokens: 2000 }));
    assert.deepEqual(h.upstream.requests[0]?.body, {
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: "Hello" }],
      thinking: { type: "enabled", budget_tokens: 16384 },
      max_tokens: 18384,
      stream: true,
    });
    assert.deepEqual(h.warnings, ["anthropic: max_tokens 2000 was raised to 18384: it must exceed the thinking budget of 16384 tokens (reasoning_effort high)"]);
    assert.equal(joined(events, "reasoning-delta"), "The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185");
    assert.equal(joined(events, "text-delta"), "925 ÷ 5 = 185");
    const lastThought = events.findLastIndex((e) => e.type === "reasoning-delta");
    assert.ok(lastThought < events.findIndex((e) => e.type === "text-delta"), "the thinking comes before the answer");
    assertCleanStream(events, { unified: "stop", raw: "end_turn" }, usage(69, 0, 0, 53));
  }
});

test("thinking: a raw recorded stream (pydantic-ai) with its own framing, and the same request body", skip, async (t) => {
  const base = "raw-sse/test_anthropic/test_anthropic_model_thinking_part_stream.0";
  const meta = readFixtureJson(`${base}.meta.json`) as { request: { body: Record<string, unknown> } };
  const h = await setup(t, text(readFixture(`${base}.response.sse`), { contentType: "text/event-stream; charset=utf-8" }));
  const events = await stream(h, ask({ model: "claude-sonnet-4-0", messages: [{ role: "user", content: "How do I cross the street?" }], reasoningEffort: "low", maxOutputTokens: 4096 }));
  assert.deepEqual(h.upstream.requests[0]?.body, normaliseRecorded(meta.request.body));
  const lines = rawSseLines(`${base}.response.sse`);
  assert.ok(joined(events, "reasoning-delta").startsWith("This is a straightforward question about pedestrian safety."));
  assert.equal(joined(events, "reasoning-delta"), fixtureDeltas(lines, "thinking_delta"));
  assert.equal(joined(events, "text-delta"), fixtureDeltas(lines, "text_delta"));
  assert.ok(joined(events, "text-delta").startsWith("Here are the basic steps for safely crossing the street:"));
  assertCleanStream(events, { unified: "stop", raw: "end_turn" }, usage(43, 0, 0, 282));
});

test("raw recordings: system instructions hoisted, a high max_tokens stream", skip, async (t) => {
  {
    const base = "raw-sse/test_anthropic/test_anthropic_model_instructions.0";
    const meta = readFixtureJson(`${base}.meta.json`) as { request: { body: Record<string, unknown> } };
    const h = await setup(t, json(readFixtureJson(`${base}.response.json`)));
    const result = await h.adapter.chat(
      ask({ model: "claude-3-opus-latest", messages: [{ role: "system", content: "You are a helpful assistant.\n\n" }, { role: "user", content: "What is the capital of France?" }] }),
      h.options(),
    );
    assert.deepEqual(h.upstream.requests[0]?.body, normaliseRecorded(meta.request.body));
    assert.equal(result.content, "The capital of France is Paris.");
    assert.equal(result.model, "claude-3-opus-20240229");
    assert.deepEqual(result.usage, usage(20, 0, 0, 10));
  }
  {
    const base = "raw-sse/test_anthropic/test_request_stream_fallback_for_high_max_tokens.0";
    const meta = readFixtureJson(`${base}.meta.json`) as { request: { body: Record<string, unknown> } };
    const h = await setup(t, text(readFixture(`${base}.response.sse`), { contentType: "text/event-stream; charset=utf-8" }));
    const events = await stream(h, ask({ messages: [{ role: "user", content: "What is 1+1? Answer with just the number." }], maxOutputTokens: 32000 }));
    assert.deepEqual(h.upstream.requests[0]?.body, normaliseRecorded(meta.request.body));
    assert.equal(joined(events, "text-delta"), "2");
    assertCleanStream(events, { unified: "stop", raw: "end_turn" }, usage(20, 0, 0, 5));
  }
});

test("prompt cache: input tokens include cache reads and writes; server tool blocks are not client tool calls", skip, async (t) => {
  const lines = fixtureChunks(`${DIR}/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt`);
  const h = await setup(t, sse(lines, { format: "anthropic" }));
  const events = await stream(h);
  assert.deepEqual(only(events, "tool-call-delta"), [], "server_tool_use runs on Anthropic's side");
  assert.equal(joined(events, "text-delta"), "The sum of the squares of the numbers 1 through 12 is **650**.");
  assert.deepEqual(events[0], { type: "start", id: "msg_011CdYfpjpVtBoXyXCQD1tQP", model: "claude-sonnet-5", created: (events[0] as { created: number }).created });
  // message_delta's totals (6 uncached + 3337 written + 6289 read) replace message_start's first step.
  assertCleanStream(events, { unified: "stop", raw: "end_turn" }, usage(6 + 3337 + 6289, 6289, 3337, 198));
});

test("message_delta may carry the final input tokens (they replace message_start's)", skip, async (t) => {
  const h = await setup(t, sse(fixtureChunks(`${DIR}/anthropic-message-delta-input-tokens.chunks.txt`), { format: "anthropic" }));
  const events = await stream(h);
  assert.equal(joined(events, "text-delta"), "pong");
  assertCleanStream(events, { unified: "stop", raw: "end_turn" }, usage(61, 0, 0, 2));
});

test("model fallback: the model that answered is reported, in the result and the stream's start", skip, async (t) => {
  {
    const h = await setup(t, json(readFixtureJson(`${DIR}/anthropic-fallback.json`)));
    const result = await h.adapter.chat(ask({ model: "claude-fable-5" }), h.options());
    assert.equal(result.model, "claude-opus-4-8");
    assert.equal(result.content, "The printing press was invented by Johannes Gutenberg around 1440.");
    assert.deepEqual(result.usage, usage(412, 0, 0, 264));
  }
  {
    const h = await setup(t, sse(fixtureChunks(`${DIR}/anthropic-fallback.chunks.txt`), { format: "anthropic" }));
    const events = await stream(h, ask({ model: "claude-fable-5" }));
    const start = events[0];
    assert.ok(start?.type === "start");
    assert.equal(start.model, "claude-opus-4-8");
    assert.equal(start.id, "msg_01FallbackStreamAbcdefghij");
    assert.equal(joined(events, "text-delta"), "The printing press was invented by Johannes Gutenberg around 1440.");
    assertCleanStream(events, { unified: "stop", raw: "end_turn" }, usage(412, 0, 0, 264));
  }
});

test("refusal: content_filter, with Anthropic's explanation as the refusal", skip, async (t) => {
  const explanation = "This request triggered restrictions on violative cyber content and was blocked under Anthropic's Usage Policy.";
  {
    const h = await setup(t, json(readFixtureJson(`${DIR}/anthropic-refusal.json`)));
    const result = await h.adapter.chat(ask({ model: "claude-fable-5" }), h.options());
    assert.equal(result.content, null);
    assert.equal(result.refusal, explanation);
    assert.deepEqual(result.finishReason, { unified: "content_filter", raw: "refusal" });
    assert.deepEqual(result.usage, usage(18, 0, 0, 5));
  }
  {
    const h = await setup(t, sse(fixtureChunks(`${DIR}/anthropic-refusal.chunks.txt`), { format: "anthropic" }));
    const events = await stream(h, ask({ model: "claude-fable-5" }));
    assert.deepEqual(
      events.map((e) => e.type),
      ["start", "refusal-delta", "finish", "usage"],
    );
    assert.deepEqual(only(events, "refusal-delta"), [{ type: "refusal-delta", delta: explanation }]);
    assertCleanStream(events, { unified: "content_filter", raw: "refusal" }, usage(18, 0, 0, 5));
  }
});

const WEATHER_TOOL = { name: "updateIssueList", description: "Update the issue list", parameters: { type: "object", properties: { issues: { type: "array", items: { type: "string" } } } } };

test("tool calls: tools and tool_choice sent, a call without arguments has `{}`", skip, async (t) => {
  {
    const h = await setup(t, json(readFixtureJson(`${DIR}/anthropic-tool-no-args.json`)));
    const result = await h.adapter.chat(ask({ tools: [WEATHER_TOOL, { name: "noop" }], toolChoice: "required", parallelToolCalls: false }), h.options());
    const body = h.upstream.requests[0]?.body as Record<string, unknown>;
    assert.deepEqual(body["tools"], [
      { name: "updateIssueList", description: "Update the issue list", input_schema: WEATHER_TOOL.parameters },
      { name: "noop", input_schema: { type: "object", properties: {} } },
    ]);
    assert.deepEqual(body["tool_choice"], { type: "any", disable_parallel_tool_use: true });
    assert.match(result.content ?? "", /^<thinking>\nThe updateIssueList tool was provided/);
    assert.deepEqual(result.toolCalls, [{ id: "toolu_01LRmxn9vGM1d2DZSDBowdZ1", name: "updateIssueList", arguments: "{}" }]);
    assert.deepEqual(result.finishReason, { unified: "tool_calls", raw: "tool_use" });
    assert.deepEqual(result.usage, usage(602, 0, 0, 93));
  }
  {
    const h = await setup(t, sse(fixtureChunks(`${DIR}/anthropic-tool-no-args.chunks.txt`), { format: "anthropic" }));
    const events = await stream(h, ask({ tools: [WEATHER_TOOL], toolChoice: { type: "tool", name: "updateIssueList" } }));
    assert.deepEqual((h.upstream.requests[0]?.body as Record<string, unknown>)["tool_choice"], { type: "tool", name: "updateIssueList" });
    assert.equal(joined(events, "text-delta"), "I'll update the issue list for you.");
    assert.deepEqual(only(events, "tool-call-delta"), [
      { type: "tool-call-delta", index: 0, id: "toolu_01QE1WLsSVp5hy5Q3GmGTmjP", name: "updateIssueList", argumentsDelta: "" },
      { type: "tool-call-delta", index: 0, argumentsDelta: "{}" },
    ]);
    assertCleanStream(events, { unified: "tool_calls", raw: "tool_use" }, usage(565, 0, 0, 48));
  }
});

test("tool calls: a client tool named like the response's, streamed after text, counts from index 0", skip, async (t) => {
  const lines = fixtureChunks(`${DIR}/anthropic-json-tool.2.chunks.txt`);
  const h = await setup(t, sse(lines, { format: "anthropic" }));
  const events = await stream(h, ask({ tools: [{ name: "json", parameters: { type: "object" } }], toolChoice: "auto" }));
  assert.deepEqual((h.upstream.requests[0]?.body as Record<string, unknown>)["tool_choice"], { type: "auto" });
  assert.equal(joined(events, "text-delta"), "I'll invoke the JSON response tool.");
  const calls = only(events, "tool-call-delta");
  assert.deepEqual(calls[0], { type: "tool-call-delta", index: 0, id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", name: "json", argumentsDelta: "" });
  assert.ok(calls.every((c) => c.index === 0));
  assert.equal(calls.map((c) => c.argumentsDelta).join(""), fixtureDeltas(lines, "input_json_delta"));
  assert.deepEqual(JSON.parse(calls.map((c) => c.argumentsDelta).join("")), { elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
  assertCleanStream(events, { unified: "tool_calls", raw: "tool_use" }, usage(849, 0, 0, 47));
});

const RECIPE_SCHEMA = {
  type: "object",
  properties: { recipe: { type: "object", properties: { name: { type: "string" }, ingredients: { type: "array" }, steps: { type: "array" } } } },
  required: ["recipe"],
  additionalProperties: false,
};

test("json_schema on a model with structured outputs: output_format, the beta flag, the text is the JSON", skip, async (t) => {
  {
    const h = await setup(t, json(readFixtureJson(`${DIR}/anthropic-json-output-format.1.json`)), { headers: { "anthropic-beta": "context-1m-2025-08-07" } });
    const result = await h.adapter.chat(ask({ responseFormat: { type: "json_schema", name: "recipe", schema: RECIPE_SCHEMA, strict: true } }), h.options());
    const sent = h.upstream.requests[0];
    assert.deepEqual((sent?.body as Record<string, unknown>)["output_format"], { type: "json_schema", schema: RECIPE_SCHEMA });
    assert.equal((sent?.body as Record<string, unknown>)["tools"], undefined);
    assert.equal(sent?.headers["anthropic-beta"], "context-1m-2025-08-07,structured-outputs-2025-11-13");
    assert.deepEqual(h.warnings, []);
    const parsed = JSON.parse(result.content ?? "") as { recipe: { name: string; steps: string[] } };
    assert.equal(parsed.recipe.name, "Classic Lasagna");
    assert.equal(parsed.recipe.steps.length, 15);
    assert.deepEqual(result.finishReason, { unified: "stop", raw: "end_turn" });
    assert.deepEqual(result.usage, usage(371, 0, 0, 629));
  }
  {
    const lines = fixtureChunks(`${DIR}/anthropic-json-output-format.1.chunks.txt`);
    const h = await setup(t, sse(lines, { format: "anthropic" }));
    const events = await stream(h, ask({ model: "claude-sonnet-4-5-20250929", responseFormat: { type: "json_schema", name: "characters", schema: { type: "object" } } }));
    assert.deepEqual((h.upstream.requests[0]?.body as Record<string, unknown>)["output_format"], { type: "json_schema", schema: { type: "object" } });
    const content = joined(events, "text-delta");
    assert.equal(content, fixtureDeltas(lines, "text_delta"));
    const parsed = JSON.parse(content) as { characters: { name: string }[] };
    assert.equal(parsed.characters[0]?.name, "Theron Ironheart");
    assertCleanStream(events, { unified: "stop", raw: "end_turn" }, usage(313, 0, 0, 305));
  }
});

test("json_schema on an older model: a forced tool whose input comes back as the content", skip, async (t) => {
  const schema = { type: "object", properties: { elements: { type: "array" } }, required: ["elements"] };
  const responseFormat = { type: "json_schema" as const, name: "json", schema, description: "Weather for each city" };
  {
    const h = await setup(t, json(readFixtureJson(`${DIR}/anthropic-json-tool.1.json`)));
    const result = await h.adapter.chat(ask({ model: "claude-3-5-haiku-latest", responseFormat }), h.options());
    const body = h.upstream.requests[0]?.body as Record<string, unknown>;
    assert.deepEqual(body["tools"], [{ name: "json", description: "Weather for each city", input_schema: schema }]);
    assert.deepEqual(body["tool_choice"], { type: "tool", name: "json" });
    assert.equal(body["output_format"], undefined);
    assert.equal(h.upstream.requests[0]?.headers["anthropic-beta"], undefined);
    assert.equal(h.warnings.length, 1);
    assert.match(h.warnings[0] ?? "", /json_schema was sent as a forced tool call/);
    assert.deepEqual(result.toolCalls, []);
    assert.deepEqual(JSON.parse(result.content ?? "").elements[3], { location: "Berlin", temperature: -9, condition: "snowy" });
    assert.deepEqual(result.finishReason, { unified: "stop", raw: "tool_use" });
    assert.deepEqual(result.usage, usage(1151, 0, 0, 87));
  }
  for (const file of ["anthropic-json-tool.1.chunks.txt", "anthropic-json-tool.2.chunks.txt"]) {
    const lines = fixtureChunks(`${DIR}/${file}`);
    // Forced by the option this time, whatever the model's name says.
    const h = await setup(t, sse(lines, { format: "anthropic" }), { structuredOutput: "tool" });
    const events = await stream(h, ask({ model: "claude-haiku-4-5", responseFormat }));
    assert.deepEqual((h.upstream.requests[0]?.body as Record<string, unknown>)["tool_choice"], { type: "tool", name: "json" }, file);
    assert.deepEqual(only(events, "tool-call-delta"), [], file);
    // Text around the forced tool (json-tool.2 has a preamble) would break the JSON; only the tool input is content.
    assert.equal(joined(events, "text-delta"), fixtureDeltas(lines, "input_json_delta"), file);
    assert.deepEqual(JSON.parse(joined(events, "text-delta")), { elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
    assertCleanStream(events, { unified: "stop", raw: "tool_use" }, usage(849, 0, 0, 47));
  }
});
