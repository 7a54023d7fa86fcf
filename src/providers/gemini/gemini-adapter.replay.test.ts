/**
 * Recorded Gemini traffic (../shared/fixtures/gemini and raw-sse/test_google) replayed through a
 * fake upstream: checks both the request the adapter sends and the result or events that come out.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { ChatRequest } from "../../core/request.ts";
import type { StreamBatch, StreamEvent } from "../../core/stream-event.ts";
import type { Usage } from "../../core/usage.ts";
import { json, sse, startFakeUpstream, text, type FakeUpstream, type Reply } from "../../../test/support/fake-upstream.ts";
import { fixtureChunks, readFixture, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { createGeminiAdapter } from "./gemini-adapter.ts";
import { SKIP_THOUGHT_SIGNATURE } from "./map-gemini-contents.ts";

const skip = { skip: skipWithoutFixtures, timeout: 5_000 };
const KEY = "AIzaSy-test-0123456789abcdef";

function callOptions(warnings: string[] = []): CallOptions {
  return { signal: new AbortController().signal, timeoutMs: 3_000, idleTimeoutMs: 3_000, warn: (w) => warnings.push(w) };
}

async function setup(t: TestContext, reply: Reply): Promise<{ upstream: FakeUpstream; adapter: ProviderAdapter }> {
  const upstream = await startFakeUpstream(reply);
  const adapter = createGeminiAdapter({ name: "gemini", baseUrl: upstream.url, apiKey: KEY });
  t.after(async () => {
    await adapter.close?.();
    await upstream.close();
  });
  return { upstream, adapter };
}

const STRAWBERRY = "How many r's are in strawberry?";
const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "gemini-3-pro-preview",
  messages: [{ role: "user", content: STRAWBERRY }],
  stream: false,
  extra: {},
  ...extra,
});
const USER_TURN = { role: "user", parts: [{ text: STRAWBERRY }] };

const WEATHER_TOOL = {
  name: "weather",
  description: "Get the weather in a location",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"], additionalProperties: false, $schema: "http://json-schema.org/draft-07/schema#" },
};
const WEATHER_DECLARATION = {
  name: "weather",
  description: "Get the weather in a location",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
};

const usage = (inputTokens: number, cachedInputTokens: number, outputTokens: number, reasoningTokens: number): Usage => ({
  inputTokens,
  cachedInputTokens,
  cacheWriteTokens: 0,
  outputTokens,
  reasoningTokens,
});

async function stream(adapter: ProviderAdapter, request: ChatRequest, warnings: string[] = []): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  const iterable: AsyncIterable<StreamBatch> = await adapter.chatStream({ ...request, stream: true }, callOptions(warnings));
  for await (const batch of iterable) {
    assert.ok(batch.length > 0, "a batch is never empty");
    for (const chunk of batch) events.push(...chunk.events);
  }
  return events;
}

function only<T extends StreamEvent["type"]>(events: StreamEvent[], type: T): Extract<StreamEvent, { type: T }>[] {
  return events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type);
}

const joined = (events: StreamEvent[], type: "text-delta" | "reasoning-delta"): string =>
  only(events, type)
    .map((e) => e.delta)
    .join("");

/** One start first, one finish, the final usage once and last, no error. */
function assertCleanStream(events: StreamEvent[], finish: { unified: string; raw: string }, expectedUsage: Usage): void {
  assert.equal(events[0]?.type, "start");
  assert.equal(only(events, "start").length, 1);
  assert.deepEqual(only(events, "finish").map((e) => e.finishReason), [finish]);
  assert.deepEqual(only(events, "error"), []);
  assert.deepEqual(only(events, "usage"), [{ type: "usage", usage: expectedUsage }], "usage is passed on once, with the final totals");
  assert.equal(events.at(-1)?.type, "usage");
}

/** The text of a chunks fixture, read straight from the recording. */
function fixtureText(path: string): string {
  return fixtureChunks(path)
    .flatMap((line) => (JSON.parse(line) as { candidates: { content?: { parts?: { text?: string; thought?: boolean }[] } }[] }).candidates)
    .flatMap((c) => c.content?.parts ?? [])
    .map((p) => (p.thought ? "" : (p.text ?? "")))
    .join("");
}

test("whole answers: text, thinking usage and the request sent", skip, async (t) => {
  const cases = [
    { file: "gemini/google-text.json", request: ask({ maxOutputTokens: 1000, temperature: 0.3, topP: 0.9, stop: ["END"], seed: 7 }), usage: usage(9, 0, 28 + 244, 244) },
    { file: "gemini/google-reasoning.json", request: ask({ reasoningEffort: "high" }), usage: usage(9, 0, 29 + 282, 282) },
    { file: "gemini/google-reasoning-gemini3.json", request: ask({ reasoningEffort: "low" }), usage: usage(9, 0, 29 + 258, 258) },
  ];
  const sentConfigs: unknown[] = [];
  for (const c of cases) {
    const fixture = readFixtureJson(c.file) as { responseId: string; candidates: { content: { parts: { text: string }[] } }[] };
    const { upstream, adapter } = await setup(t, json(fixture));
    const warnings: string[] = [];
    const result = await adapter.chat(c.request, callOptions(warnings));
    const sent = upstream.requests[0];
    assert.equal(sent?.method, "POST");
    assert.equal(sent?.path, "/v1beta/models/gemini-3-pro-preview:generateContent");
    assert.equal(sent?.headers["x-goog-api-key"], KEY);
    assert.equal(sent?.headers["content-type"], "application/json");
    assert.equal(sent?.path.includes(KEY), false, "the key never goes in the URL");
    const body = sent?.body as Record<string, unknown>;
    assert.deepEqual(body["contents"], [USER_TURN]);
    sentConfigs.push(body["generationConfig"]);
    assert.deepEqual(warnings, [], c.file);

    assert.equal(result.id, fixture.responseId);
    assert.equal(result.model, "gemini-3-pro-preview");
    assert.equal(result.content, fixture.candidates[0]?.content.parts[0]?.text);
    assert.equal(result.reasoning, undefined, "no thought summaries were sent back");
    assert.deepEqual(result.toolCalls, []);
    assert.deepEqual(result.finishReason, { unified: "stop", raw: "STOP" });
    assert.deepEqual(result.usage, c.usage, c.file);
    assert.ok(Math.abs(result.created - Date.now() / 1000) < 5);
  }
  assert.deepEqual(sentConfigs, [
    { maxOutputTokens: 1000, temperature: 0.3, topP: 0.9, stopSequences: ["END"], seed: 7 },
    { thinkingConfig: { thinkingLevel: "high", includeThoughts: true } },
    { thinkingConfig: { thinkingLevel: "low", includeThoughts: true } },
  ]);
});

test("whole answers: a function call (tools, toolConfig, generated id, tool_calls finish)", skip, async (t) => {
  for (const [file, thoughts] of [["gemini/google-tool-call.json", 893], ["gemini/google-tool-call-gemini3.json", 1801]] as const) {
    const { upstream, adapter } = await setup(t, json(readFixtureJson(file)));
    const warnings: string[] = [];
    const result = await adapter.chat(ask({ tools: [WEATHER_TOOL], toolChoice: "auto" }), callOptions(warnings));
    assert.deepEqual(upstream.requests[0]?.body, {
      contents: [USER_TURN],
      tools: [{ functionDeclarations: [WEATHER_DECLARATION] }],
      toolConfig: { functionCallingConfig: { mode: "AUTO" } },
    });
    assert.deepEqual(warnings, [], "additionalProperties: false and $schema carry nothing Gemini would lose");
    assert.equal(result.content, null);
    assert.deepEqual(result.toolCalls, [{ id: "call_0", name: "weather", arguments: '{"location":"San Francisco"}' }]);
    assert.deepEqual(result.finishReason, { unified: "tool_calls", raw: "STOP" });
    assert.deepEqual(result.usage, usage(29, 0, 15 + thoughts, thoughts), file);
  }
});

test("streams of text, with the final usage once at the end", skip, async (t) => {
  const cases = [
    { file: "gemini/google-text.chunks.txt", usage: usage(9, 0, 23 + 185, 185), id: "bH6LaZW8Fp_3nsEPqtaSwQ4" },
    { file: "gemini/google-reasoning.chunks.txt", usage: usage(9, 0, 29 + 256, 256), id: "dX6LadKVC7SZ28oPr9yJoQs" },
    { file: "gemini/google-reasoning-gemini3.chunks.txt", usage: usage(9, 0, 23 + 302, 302), id: "M3iLaY-AI7zTxN8P3Piw4Qg" },
  ];
  for (const c of cases) {
    const { upstream, adapter } = await setup(t, sse(fixtureChunks(c.file), { format: "gemini" }));
    const events = await stream(adapter, ask({ maxOutputTokens: 500 }));
    const sent = upstream.requests[0];
    assert.equal(sent?.path, "/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse");
    assert.equal(sent?.headers["x-goog-api-key"], KEY);
    assert.deepEqual(sent?.body, { contents: [USER_TURN], generationConfig: { maxOutputTokens: 500 } });
    const start = events[0];
    assert.ok(start?.type === "start");
    assert.equal(start.id, c.id);
    assert.equal(start.model, "gemini-3-pro-preview");
    assert.equal(joined(events, "text-delta"), fixtureText(c.file));
    assert.ok(joined(events, "text-delta").startsWith("There are **3**"));
    assertCleanStream(events, { unified: "stop", raw: "STOP" }, c.usage);
  }
});

test("streams with a whole function call: one tool-call-delta with id, name and arguments", skip, async (t) => {
  for (const [file, thoughts] of [["gemini/google-tool-call.chunks.txt", 45], ["gemini/google-tool-call-gemini3.chunks.txt", 804]] as const) {
    const { upstream, adapter } = await setup(t, sse(fixtureChunks(file), { format: "gemini" }));
    const events = await stream(adapter, ask({ tools: [WEATHER_TOOL], toolChoice: { type: "tool", name: "weather" } }));
    assert.deepEqual((upstream.requests[0]?.body as Record<string, unknown>)["toolConfig"], {
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] },
    });
    assert.deepEqual(only(events, "tool-call-delta"), [
      { type: "tool-call-delta", index: 0, id: "call_0", name: "weather", argumentsDelta: '{"location":"San Francisco"}' },
    ]);
    assert.equal(joined(events, "text-delta"), "");
    assertCleanStream(events, { unified: "tool_calls", raw: "STOP" }, usage(29, 0, 15 + thoughts, thoughts));
  }
});

test("streamed function call arguments (partialArgs) are assembled into one delta per call", skip, async (t) => {
  {
    const { adapter } = await setup(t, sse(fixtureChunks("gemini/google-stream-tool-call-arguments.chunks.txt"), { format: "gemini" }));
    const events = await stream(adapter, ask({ model: "gemini-3.1-pro-preview" }));
    assert.deepEqual(only(events, "tool-call-delta"), [
      { type: "tool-call-delta", index: 0, id: "call_0", name: "getWeather", argumentsDelta: '{"location":"Boston"}' },
      { type: "tool-call-delta", index: 1, id: "call_1", name: "getWeather", argumentsDelta: '{"location":"San Francisco"}' },
    ]);
    assert.equal((events[0] as Extract<StreamEvent, { type: "start" }>).model, "gemini-3.1-pro-preview");
    assertCleanStream(events, { unified: "tool_calls", raw: "STOP" }, usage(26, 0, 23 + 132, 132));
  }
  {
    const { adapter } = await setup(t, sse(fixtureChunks("gemini/google-stream-no-args-tool-call.chunks.txt"), { format: "gemini" }));
    const events = await stream(adapter, ask({ model: "gemini-3-flash-preview" }));
    assert.ok(joined(events, "reasoning-delta").startsWith("**Processing User Requests**"), "a thought part is reasoning");
    assert.equal(joined(events, "text-delta"), "");
    assert.deepEqual(
      only(events, "tool-call-delta").map((e) => [e.index, e.id, e.name, e.argumentsDelta]),
      [
        [0, "call_0", "read_theme", "{}"],
        [1, "call_1", "read_screen", '{"id":"A"}'],
        [2, "call_2", "read_screen", '{"id":"B"}'],
        [3, "call_3", "read_screen", '{"id":"C"}'],
      ],
    );
    assertCleanStream(events, { unified: "tool_calls", raw: "STOP" }, usage(249, 0, 58 + 183, 183));
  }
});

test("raw recording: a whole answer with a system instruction (gemini-2.5-flash)", skip, async (t) => {
  const meta = readFixtureJson("raw-sse/test_google/test_google_model.0.meta.json") as { request: { uri: string; body: { contents: unknown; systemInstruction: { parts: unknown } } } };
  const body = readFixture("raw-sse/test_google/test_google_model.0.response.json");
  const { upstream, adapter } = await setup(t, text(body, { contentType: "application/json; charset=UTF-8" }));
  const result = await adapter.chat(
    { model: "gemini-2.5-flash", messages: [{ role: "system", content: "You are a chatbot." }, { role: "user", content: "Hello!" }], stream: false, extra: {} },
    callOptions(),
  );
  const sent = upstream.requests[0];
  assert.equal(sent?.path, new URL(meta.request.uri).pathname);
  assert.deepEqual(sent?.body, { contents: meta.request.body.contents, systemInstruction: { parts: meta.request.body.systemInstruction.parts } });
  assert.equal(result.content, "Hello! How can I help you today?");
  assert.equal(result.model, "gemini-2.5-flash");
  assert.equal(result.id, "bzlXaa_EE_aHqtsPi_zw8Ao");
  assert.deepEqual(result.usage, usage(9, 0, 9 + 34, 34));
});

test("raw recordings: streams with \\r\\n\\r\\n framing, usage that changes until the last fragment", skip, async (t) => {
  {
    const meta = readFixtureJson("raw-sse/test_google/test_google_model_stream.0.meta.json") as { request: { uri: string; body: Record<string, unknown> } };
    const { upstream, adapter } = await setup(t, text(readFixture("raw-sse/test_google/test_google_model_stream.0.response.sse"), { contentType: "text/event-stream" }));
    const events = await stream(adapter, {
      model: "gemini-2.0-flash-exp",
      messages: [{ role: "system", content: "You are a helpful chatbot." }, { role: "user", content: "What is the capital of France?" }],
      temperature: 0,
      stream: true,
      extra: {},
    });
    const uri = new URL(meta.request.uri);
    assert.equal(upstream.requests[0]?.path, `${uri.pathname}${uri.search}`);
    const { systemInstruction, ...rest } = meta.request.body as { systemInstruction: { parts: unknown } };
    assert.deepEqual(upstream.requests[0]?.body, { ...rest, systemInstruction: { parts: systemInstruction.parts } });
    assert.equal(joined(events, "text-delta"), "The capital of France is Paris.\n");
    // The prompt count drops from 15 to 13 in the last fragment: the last totals are the truth.
    assertCleanStream(events, { unified: "stop", raw: "STOP" }, usage(13, 0, 8, 0));
  }
  {
    const { adapter } = await setup(t, text(readFixture("raw-sse/test_google/test_google_stream_usage_is_live_mid_stream.0.response.sse"), { contentType: "text/event-stream" }));
    const events = await stream(adapter, ask({ model: "gemini-2.5-flash" }));
    assert.equal(joined(events, "text-delta"), Array.from({ length: 30 }, (_, i) => String(i + 1)).join("\n"));
    assertCleanStream(events, { unified: "stop", raw: "STOP" }, usage(18, 0, 80 + 35, 35));
  }
});

test("raw recordings: a tool call, then its result sent back as a functionResponse", skip, async (t) => {
  type Meta = { request: { body: { contents: { role: string; parts: Record<string, unknown>[] }[]; tools: unknown } } };
  const country = { name: "get_country", description: "", parameters: { additionalProperties: false, properties: {}, type: "object" } };
  const question = "What is the capital of the user country? Call the tool";
  {
    const { upstream, adapter } = await setup(t, text(readFixture("raw-sse/test_google/test_google_streaming_tool_call_thought_signature.0.response.sse"), { contentType: "text/event-stream" }));
    const warnings: string[] = [];
    const events = await stream(adapter, ask({ messages: [{ role: "user", content: question }], tools: [country] }), warnings);
    assert.deepEqual((upstream.requests[0]?.body as Record<string, unknown>)["tools"], [{ functionDeclarations: [{ name: "get_country", description: "" }] }], "an argument-less function has no parameters");
    assert.deepEqual(warnings, []);
    assert.deepEqual(only(events, "tool-call-delta"), [{ type: "tool-call-delta", index: 0, id: "call_0", name: "get_country", argumentsDelta: "{}" }]);
    assertCleanStream(events, { unified: "tool_calls", raw: "STOP" }, usage(29, 0, 10 + 202, 202));
  }
  {
    const meta = readFixtureJson("raw-sse/test_google/test_google_streaming_tool_call_thought_signature.1.meta.json") as Meta;
    const { upstream, adapter } = await setup(t, text(readFixture("raw-sse/test_google/test_google_streaming_tool_call_thought_signature.1.response.sse"), { contentType: "text/event-stream" }));
    const id = "pyd_ai_29bf73b69e02448588e15893d47a3e7e";
    const events = await stream(
      adapter,
      ask({
        messages: [
          { role: "user", content: question },
          { role: "assistant", content: null, toolCalls: [{ id, name: "get_country", arguments: "{}" }] },
          { role: "tool", toolCallId: id, content: '{"return_value": "Mexico"}' },
        ],
        tools: [country],
      }),
    );
    // The recorded request, except the signature: the core does not carry Gemini's across turns.
    const recorded = meta.request.body.contents.map((c) => ({
      ...c,
      parts: c.parts.map((p) => ("thoughtSignature" in p ? { ...p, thoughtSignature: SKIP_THOUGHT_SIGNATURE } : p)),
    }));
    assert.deepEqual((upstream.requests[0]?.body as Record<string, unknown>)["contents"], recorded);
    assert.equal(joined(events, "text-delta"), "The capital of Mexico is Mexico City.");
    assertCleanStream(events, { unified: "stop", raw: "STOP" }, usage(257, 0, 8, 0));
  }
});
