/**
 * Recorded provider traffic (../shared/fixtures) replayed through a fake upstream: checks both
 * the body the adapter sends and the result or events that come out.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import type { ChatRequest } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import type { StreamBatch, StreamChunk, StreamEvent } from "../../core/stream-event.ts";
import type { Usage } from "../../core/usage.ts";
import { json, sse, startFakeUpstream, text, type FakeUpstream, type Reply } from "../../../test/support/fake-upstream.ts";
import { fixtureChunks, readFixture, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { createOpenAIAdapter, type OpenAIAdapterOptions } from "./openai-adapter.ts";

/** Skipped with a printed reason when ../shared/fixtures is absent; a hang fails instead of blocking. */
const skip = { skip: skipWithoutFixtures, timeout: 5_000 };
const KEY = "sk-test-0123456789abcdef";

function callOptions(): CallOptions {
  return { signal: new AbortController().signal, timeoutMs: 3_000, idleTimeoutMs: 3_000 };
}

async function setup(
  t: TestContext,
  reply: Reply,
  options: Partial<OpenAIAdapterOptions> & { basePath?: string } = {},
): Promise<{ upstream: FakeUpstream; adapter: ProviderAdapter }> {
  const upstream = await startFakeUpstream(reply);
  const { basePath = "/v1", ...rest } = options;
  const adapter = createOpenAIAdapter({ name: "p", type: "openai-compatible", baseUrl: `${upstream.url}${basePath}`, apiKey: KEY, ...rest });
  t.after(async () => {
    await adapter.close?.();
    await upstream.close();
  });
  return { upstream, adapter };
}

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "test-model",
  messages: [{ role: "user", content: "Invent a new holiday and describe its traditions." }],
  stream: false,
  extra: {},
  ...extra,
});

async function collect(iterable: AsyncIterable<StreamBatch>): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const batch of iterable) chunks.push(...batch);
  return chunks;
}

async function stream(adapter: ProviderAdapter, request: ChatRequest = ask({ stream: true })): Promise<{ chunks: StreamChunk[]; events: StreamEvent[] }> {
  const chunks = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
  return { chunks, events: chunks.flatMap((c) => c.events) };
}

const joined = (events: StreamEvent[], type: "text-delta" | "reasoning-delta"): string =>
  events.map((e) => (e.type === type ? e.delta : "")).join("");

const usage = (inputTokens: number, cachedInputTokens: number, outputTokens: number, reasoningTokens: number): Usage => ({
  inputTokens,
  cachedInputTokens,
  cacheWriteTokens: 0,
  outputTokens,
  reasoningTokens,
});

function only<T extends StreamEvent["type"]>(events: StreamEvent[], type: T): Extract<StreamEvent, { type: T }>[] {
  return events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type);
}

/** What every cleanly ended stream has: one start first, one finish, usage last, no error. */
function assertCleanStream(events: StreamEvent[], finish: string, expectedUsage: Usage): void {
  assert.equal(events[0]?.type, "start");
  assert.equal(only(events, "start").length, 1);
  assert.deepEqual(only(events, "finish").map((e) => e.finishReason.raw), [finish]);
  assert.deepEqual(only(events, "error"), []);
  assert.deepEqual(only(events, "usage").at(-1)?.usage, expectedUsage);
}

/** The text the fixture's chunks carry, read straight from the recording. */
function fixtureText(path: string, field: "content" | "reasoning_content"): string {
  return fixtureChunks(path)
    .map((line) => {
      const chunk = JSON.parse(line) as { choices?: { delta?: Record<string, unknown> }[] };
      const value = chunk.choices?.[0]?.delta?.[field];
      return typeof value === "string" ? value : "";
    })
    .join("");
}

function fixtureMessage(path: string): Record<string, unknown> {
  const body = readFixtureJson(path) as { choices: { message: Record<string, unknown> }[] };
  const message = body.choices[0]?.message;
  assert.ok(message);
  return message;
}

test("openai: a whole completion, the body sent and the body kept as it came", skip, async (t) => {
  const fixture = readFixtureJson("openai/openai-text.json");
  const { upstream, adapter } = await setup(t, json(fixture), { type: "openai" });
  const result = await adapter.chat(ask({ model: "gpt-4.1-nano", maxOutputTokens: 400, temperature: 0.5, user: "u1" }), callOptions());

  assert.equal(upstream.calls, 1);
  const sent = upstream.requests[0];
  assert.equal(sent?.method, "POST");
  assert.equal(sent?.path, "/v1/chat/completions");
  assert.equal(sent?.headers.authorization, `Bearer ${KEY}`);
  assert.equal(sent?.headers["content-type"], "application/json");
  assert.deepEqual(sent?.body, {
    model: "gpt-4.1-nano",
    messages: [{ role: "user", content: "Invent a new holiday and describe its traditions." }],
    max_completion_tokens: 400,
    temperature: 0.5,
    user: "u1",
  });

  assert.deepEqual({ ...result, openaiBody: undefined, openaiText: undefined }, {
    id: "chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU",
    model: "gpt-4.1-nano-2025-04-14",
    created: 1770933883,
    content: fixtureMessage("openai/openai-text.json")["content"] as string,
    refusal: null,
    toolCalls: [],
    finishReason: { unified: "stop", raw: "stop" },
    usage: usage(16, 0, 363, 0),
    openaiBody: undefined,
    openaiText: undefined,
  } satisfies ChatResult);
  assert.deepEqual(result.openaiBody, fixture);
  assert.equal(result.openaiText, JSON.stringify(fixture), "the body text is kept byte for byte");
});

test("openai: a stream forwards each data payload as received and maps it to events", skip, async (t) => {
  const lines = fixtureChunks("openai/openai-text.chunks.txt");
  const { upstream, adapter } = await setup(t, sse(lines), { type: "openai" });
  const { chunks, events } = await stream(adapter, ask({ model: "gpt-4.1-nano", maxOutputTokens: 300 }));

  assert.deepEqual(upstream.requests[0]?.body, {
    model: "gpt-4.1-nano",
    messages: [{ role: "user", content: "Invent a new holiday and describe its traditions." }],
    max_completion_tokens: 300,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.deepEqual(
    chunks.map((c) => c.openaiData),
    lines,
  );
  assert.deepEqual(events[0], { type: "start", id: "chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0", model: "gpt-4.1-nano-2025-04-14", created: 1770933892 });
  const content = joined(events, "text-delta");
  assert.ok(content.startsWith("**Holiday Name:** Harmony Day\n"));
  assert.equal(content, fixtureText("openai/openai-text.chunks.txt", "content"));
  assertCleanStream(events, "stop", usage(16, 0, 300, 0));
  assert.equal(events.at(-1)?.type, "usage");
});

test("azure: api-version query, api-key header, prompt-filter preamble, reasoning tokens", skip, async (t) => {
  const lines = fixtureChunks("openai/azure-model-router.1.chunks.txt");
  const { upstream, adapter } = await setup(t, sse(lines), { type: "openai", basePath: "/openai/deployments/model-router", apiVersion: "2025-01-01-preview" });
  const { chunks, events } = await stream(adapter);

  const sent = upstream.requests[0];
  assert.equal(sent?.path, "/openai/deployments/model-router/chat/completions?api-version=2025-01-01-preview");
  assert.equal(sent?.headers["api-key"], KEY);
  assert.equal(sent?.headers.authorization, undefined);
  assert.deepEqual(chunks[0], { events: [], openaiData: lines[0] });
  assert.deepEqual(events[0], { type: "start", id: "chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt", model: "gpt-5-nano-2025-08-07", created: 1762317021 });
  assert.equal(joined(events, "text-delta"), "Capital of Denmark.");
  assertCleanStream(events, "stop", usage(15, 0, 78, 64));
});

test("deepseek: whole completions (text, reasoning, json, tool call) with cache and reasoning usage", skip, async (t) => {
  const cases: { file: string; request: Partial<ChatRequest>; sentExtra: Record<string, unknown>; check: (r: ChatResult) => void }[] = [
    {
      file: "deepseek/deepseek-text.json",
      request: { model: "deepseek-chat", maxOutputTokens: 300 },
      sentExtra: { max_tokens: 300 },
      check: (r) => {
        assert.equal(r.model, "deepseek-chat");
        assert.deepEqual(r.finishReason, { unified: "length", raw: "length" });
        assert.deepEqual(r.usage, usage(13, 0, 300, 0));
        assert.equal(r.reasoning, undefined);
      },
    },
    {
      file: "deepseek/deepseek-reasoning.json",
      request: { model: "deepseek-reasoner", reasoningEffort: "high" },
      sentExtra: { reasoning_effort: "high" },
      check: (r) => {
        assert.equal(r.reasoning, fixtureMessage("deepseek/deepseek-reasoning.json")["reasoning_content"]);
        assert.match(r.content ?? "", /three instances of the letter "r"/);
        assert.deepEqual(r.usage, usage(18, 0, 345, 315));
      },
    },
    {
      file: "deepseek/deepseek-json.json",
      request: { model: "deepseek-reasoner", responseFormat: { type: "json_object" } },
      sentExtra: { response_format: { type: "json_object" } },
      check: (r) => {
        assert.deepEqual(JSON.parse(r.content ?? ""), { location: "San Francisco", condition: "cloudy", temperature: 7 });
        assert.deepEqual(r.usage, usage(495, 320, 144, 118));
      },
    },
    {
      file: "deepseek/deepseek-tool-call.json",
      request: {
        model: "deepseek-reasoner",
        tools: [{ name: "weather", description: "Get the weather in a location", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } }],
        toolChoice: "auto",
      },
      sentExtra: {
        tools: [
          {
            type: "function",
            function: { name: "weather", description: "Get the weather in a location", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } },
          },
        ],
        tool_choice: "auto",
      },
      check: (r) => {
        assert.deepEqual(r.toolCalls, [{ id: "call_00_9V0vrf86Pc9aelHCJMZqnJBo", name: "weather", arguments: '{"location": "San Francisco"}' }]);
        assert.deepEqual(r.finishReason, { unified: "tool_calls", raw: "tool_calls" });
        assert.equal(r.content, "");
        assert.deepEqual(r.usage, usage(339, 320, 92, 48));
      },
    },
  ];
  for (const c of cases) {
    const fixture = readFixtureJson(c.file);
    const { upstream, adapter } = await setup(t, json(fixture), { name: "deepseek" });
    const result = await adapter.chat(ask(c.request), callOptions());
    assert.deepEqual(upstream.requests[0]?.body, { model: c.request.model, messages: ask().messages, ...c.sentExtra }, c.file);
    assert.deepEqual(result.openaiBody, fixture, c.file);
    c.check(result);
  }
});

test("deepseek: streams of text, reasoning_content and a tool call", skip, async (t) => {
  {
    const { adapter } = await setup(t, sse(fixtureChunks("deepseek/deepseek-text.chunks.txt")));
    const { events } = await stream(adapter);
    assert.equal(joined(events, "text-delta"), fixtureText("deepseek/deepseek-text.chunks.txt", "content"));
    assert.ok(joined(events, "text-delta").startsWith("## **Holiday Name:** Starlight"));
    // DeepSeek sends usage on the finishing chunk, not on a separate one.
    assertCleanStream(events, "length", usage(13, 0, 400, 0));
  }
  {
    const { adapter } = await setup(t, sse(fixtureChunks("deepseek/deepseek-reasoning.chunks.txt")));
    const { events } = await stream(adapter);
    const reasoning = joined(events, "reasoning-delta");
    assert.ok(reasoning.startsWith("We need to count the"));
    assert.equal(reasoning, fixtureText("deepseek/deepseek-reasoning.chunks.txt", "reasoning_content"));
    assert.equal(joined(events, "text-delta"), 'The word "strawberry" contains three "r"s.');
    const firstText = events.findIndex((e) => e.type === "text-delta");
    assert.ok(events.slice(firstText).every((e) => e.type !== "reasoning-delta"), "reasoning comes before the answer");
    assertCleanStream(events, "stop", usage(18, 0, 219, 205));
  }
  {
    const { adapter } = await setup(t, sse(fixtureChunks("deepseek/deepseek-tool-call.chunks.txt")));
    const { events } = await stream(adapter);
    const calls = only(events, "tool-call-delta");
    assert.deepEqual(calls[0], { type: "tool-call-delta", index: 0, id: "call_00_ioIn7yN9p1ZOMNpDLwd4MgAF", name: "weather", argumentsDelta: "" });
    assert.ok(calls.slice(1).every((c) => c.id === undefined && c.name === undefined && c.index === 0));
    assert.equal(calls.map((c) => c.argumentsDelta).join(""), '{"location": "San Francisco"}');
    assertCleanStream(events, "tool_calls", usage(339, 320, 83, 39));
  }
});

test("deepseek: a raw recorded stream with its own framing", skip, async (t) => {
  const body = readFixture("raw-sse/test_deepseek/test_deepseek_model_thinking_stream.0.response.sse");
  const { adapter } = await setup(t, text(body, { contentType: "text/event-stream; charset=utf-8" }));
  const { events } = await stream(adapter);
  assert.ok(joined(events, "reasoning-delta").length > 0);
  assertCleanStream(events, "stop", usage(6, 0, 212, 198));
});

test("groq: whole completions and a one-piece tool call stream", skip, async (t) => {
  {
    const { adapter } = await setup(t, json(readFixtureJson("openai-compatible/groq-text.json")), { name: "groq" });
    const r = await adapter.chat(ask({ model: "llama-3.3-70b-versatile" }), callOptions());
    assert.equal(r.model, "llama-3.3-70b-versatile");
    assert.match(r.content ?? "", /^I'd like to introduce "Luminaria"/);
    assert.deepEqual(r.usage, usage(45, 0, 607, 0));
  }
  {
    const { adapter } = await setup(t, json(readFixtureJson("openai-compatible/groq-tool-call.json")), { name: "groq" });
    const r = await adapter.chat(ask(), callOptions());
    assert.equal(r.content, null);
    assert.deepEqual(r.toolCalls, [{ id: "ax9fskhev", name: "weather", arguments: "{}" }]);
    assert.deepEqual(r.usage, usage(218, 0, 15, 0));
  }
  {
    const { adapter } = await setup(t, sse(fixtureChunks("openai-compatible/groq-tool-call.chunks.txt")), { name: "groq" });
    const { events } = await stream(adapter);
    assert.deepEqual(only(events, "tool-call-delta"), [{ type: "tool-call-delta", index: 0, id: "tk85n1k4m", name: "weather", argumentsDelta: "{}" }]);
    assertCleanStream(events, "tool_calls", usage(210, 0, 15, 0));
  }
});

test("groq: an `event: error` mid-stream ends it with a classified error", skip, async (t) => {
  const body = readFixture("raw-sse/test_groq/test_tool_use_failed_error_streaming.0.response.sse");
  const { adapter } = await setup(t, text(body, { contentType: "text/event-stream" }), { name: "groq" });
  const { chunks, events } = await stream(adapter);
  const last = events.at(-1);
  assert.ok(last?.type === "error");
  assert.equal(last.error.kind, "bad_request");
  assert.equal(last.error.code, "tool_use_failed");
  assert.equal(last.error.upstreamStatus, 400);
  assert.match(last.error.message, /^groq: 400 tool_use_failed: Tool call validation failed/);
  assert.equal(chunks.at(-1)?.openaiData, undefined, "an error chunk is not forwarded as data");
  assert.ok(joined(events, "reasoning-delta").startsWith("We need to call the tool"), "Groq's `reasoning` delta");
  assert.equal(only(events, "finish").length, 0);
});

test("openrouter: keep-alive comments are skipped and an error chunk after the finish still ends in an error", skip, async (t) => {
  const body = readFixture("raw-sse/test_openrouter/test_openrouter_stream_error.0.response.txt");
  const { adapter } = await setup(t, text(body, { contentType: "text/event-stream" }), { name: "openrouter" });
  const { events } = await stream(adapter);
  assert.deepEqual(only(events, "finish").map((e) => e.finishReason.unified), ["length"]);
  const [usageEvent, errorEvent] = events.slice(-2);
  assert.deepEqual(usageEvent, { type: "usage", usage: usage(43, 0, 10, 11) });
  assert.ok(errorEvent?.type === "error");
  assert.equal(errorEvent.error.kind, "bad_request");
  assert.match(errorEvent.error.message, /Token limit reached/);
});

test("an in-stream insufficient_quota error (OpenAI Responses recording)", skip, async (t) => {
  const { adapter } = await setup(t, sse(fixtureChunks("errors/recorded/vercel-ai/openai-error.1.chunks.txt")), { type: "openai" });
  const { events } = await stream(adapter);
  assert.equal(events.length, 1);
  assert.ok(events[0]?.type === "error");
  assert.equal(events[0].error.kind, "insufficient_quota");
  assert.equal(events[0].error.retryable, false);
});

test("mistral: whole completions and streams, tool calls without type or index", skip, async (t) => {
  {
    const { adapter } = await setup(t, json(readFixtureJson("openai-compatible/mistral-text.json")), { name: "mistral" });
    const r = await adapter.chat(ask(), callOptions());
    assert.equal(r.content, fixtureMessage("openai-compatible/mistral-text.json")["content"]);
    assert.deepEqual(r.usage, usage(13, 0, 434, 0));
  }
  {
    const { adapter } = await setup(t, json(readFixtureJson("openai-compatible/mistral-tool-call.json")), { name: "mistral" });
    const r = await adapter.chat(ask(), callOptions());
    assert.deepEqual(r.toolCalls, [{ id: "gSIMJiOkT", name: "weather", arguments: '{"location": "San Francisco"}' }]);
    assert.deepEqual(r.usage, usage(124, 0, 22, 0));
  }
  {
    const { adapter } = await setup(t, sse(fixtureChunks("openai-compatible/mistral-text.chunks.txt")), { name: "mistral" });
    const { events } = await stream(adapter);
    assert.equal(joined(events, "text-delta"), "Hello, world! This is a test response.");
    assertCleanStream(events, "stop", usage(13, 0, 8, 0));
  }
  {
    const { adapter } = await setup(t, sse(fixtureChunks("openai-compatible/mistral-tool-call.chunks.txt")), { name: "mistral" });
    const { events } = await stream(adapter);
    assert.deepEqual(only(events, "tool-call-delta"), [
      { type: "tool-call-delta", index: 0, id: "gSIMJiOkT", name: "weather", argumentsDelta: '{"location": "San Francisco"}' },
    ]);
    assertCleanStream(events, "tool_calls", usage(124, 0, 22, 0));
  }
});

test("xai: reasoning tokens reported outside completion_tokens are counted as output", skip, async (t) => {
  {
    const { adapter } = await setup(t, json(readFixtureJson("openai-compatible/xai-tool-call.json")), { name: "xai" });
    const r = await adapter.chat(ask(), callOptions());
    assert.deepEqual(r.toolCalls, [{ id: "call_46427107", name: "weather", arguments: '{"location":"San Francisco"}' }]);
    assert.ok(r.reasoning?.startsWith("First, the user is asking about the weather"));
    // total_tokens 588 = 307 prompt + 26 completion + 255 reasoning
    assert.deepEqual(r.usage, usage(307, 244, 281, 255));
  }
  {
    const { adapter } = await setup(t, sse(fixtureChunks("openai-compatible/xai-tool-call.chunks.txt")), { name: "xai" });
    const { events } = await stream(adapter);
    assert.equal(joined(events, "reasoning-delta"), fixtureText("openai-compatible/xai-tool-call.chunks.txt", "reasoning_content"));
    assert.deepEqual(only(events, "tool-call-delta"), [
      { type: "tool-call-delta", index: 0, id: "call_79382389", name: "weather", argumentsDelta: '{"location":"San Francisco"}' },
    ]);
    // total_tokens 560 = 307 + 26 + 227
    assertCleanStream(events, "tool_calls", usage(307, 306, 253, 227));
  }
});
