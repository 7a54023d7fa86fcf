/** How the adapter fails: error statuses, garbage, in-stream errors, broken and stalled streams, aborts. */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { StreamBatch, StreamEvent } from "../../core/stream-event.ts";
import { hang, html, json, raw, sse, stallAfterHeaders, startFakeUpstream, text, type FakeHandler, type FakeUpstream, type Reply } from "../../../test/support/fake-upstream.ts";
import { fixtureChunks, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { createAnthropicAdapter } from "./anthropic-adapter.ts";

const KEY = "sk-ant-secret-key-0123456789";
/** A broken abort or timeout must fail the test, not hang it. */
const limit = { timeout: 3_000 };

const event = (payload: Record<string, unknown>): string => JSON.stringify(payload);
const START = event({ type: "message_start", message: { id: "msg_1", model: "claude-x", usage: { input_tokens: 5, output_tokens: 1 } } });
const TEXT_DELTAS = Array.from({ length: 8 }, (_, i) => event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: `w${i} ` } }));
const COMPLETE = [
  START,
  event({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
  ...TEXT_DELTAS,
  event({ type: "content_block_stop", index: 0 }),
  event({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9 } }),
  event({ type: "message_stop" }),
];
const MESSAGE = { id: "msg_1", type: "message", role: "assistant", model: "claude-x", content: [{ type: "text", text: "hi" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 1 } };

const request: ChatRequest = { model: "claude-x", messages: [{ role: "user", content: "hi" }], stream: false, extra: {} };
const streamed: ChatRequest = { ...request, stream: true };

function callOptions(overrides: Partial<CallOptions> = {}): CallOptions {
  return { signal: new AbortController().signal, timeoutMs: 2_000, idleTimeoutMs: 2_000, ...overrides };
}

async function setup(t: TestContext, reply: FakeHandler | Reply | Reply[]): Promise<{ upstream: FakeUpstream; adapter: ProviderAdapter }> {
  const upstream = await startFakeUpstream(reply);
  const adapter = createAnthropicAdapter({ name: "claude", baseUrl: upstream.url, apiKey: KEY });
  t.after(async () => {
    await upstream.close();
    await adapter.close?.();
  });
  return { upstream, adapter };
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.message.includes(KEY), false, "the API key must never be in a message");
    return err;
  }
  assert.fail("the call should have failed");
}

async function collect(iterable: AsyncIterable<StreamBatch>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const batch of iterable) for (const c of batch) events.push(...c.events);
  return events;
}

function lastError(events: StreamEvent[]): GatewayError {
  const last = events.at(-1);
  assert.ok(last?.type === "error", `the stream must end with an error event, ended with ${JSON.stringify(last)}`);
  assert.equal(events.filter((e) => e.type === "error").length, 1);
  return last.error;
}

test("HTTP errors are classified with the upstream's message, request id and retry-after", limit, async (t) => {
  const { adapter } = await setup(t, [
    json({ type: "error", error: { type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit" }, request_id: "req_9" }, { status: 429, headers: { "retry-after": "7" } }),
    json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, { status: 529 }),
    json({ type: "error", error: { type: "authentication_error", message: `invalid x-api-key: ${KEY}` } }, { status: 401 }),
    html(502),
    json({ type: "error", error: { type: "api_error", message: "Internal server error" } }, { status: 200 }),
  ]);
  const limited = await rejection(adapter.chat(request, callOptions()));
  assert.equal(limited.kind, "rate_limited");
  assert.equal(limited.message, "claude: 429 rate_limit_error: Number of request tokens has exceeded your per-minute rate limit (request_id req_9)");
  assert.equal(limited.retryAfterMs, 7_000);
  assert.equal(limited.upstreamStatus, 429);
  assert.equal((await rejection(adapter.chat(request, callOptions()))).kind, "overloaded");
  const auth = await rejection(adapter.chat(request, callOptions()));
  assert.equal(auth.kind, "auth");
  assert.match(auth.message, /invalid x-api-key: \[redacted\]/);
  const gateway = await rejection(adapter.chat(request, callOptions()));
  assert.equal(gateway.kind, "upstream_5xx");
  assert.equal(gateway.message, "claude: 502: an HTML page (502 Bad Gateway)");
  assert.equal((await rejection(adapter.chat(request, callOptions()))).kind, "upstream_5xx", "an error object under status 200");
});

test("garbage instead of a message is a bad_response naming the provider", limit, async (t) => {
  const cases: [Reply, RegExp][] = [
    [html(200, "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"), /^provider claude answered with HTML, not JSON \(status 200\): Just a moment\.\.\.$/],
    [text('{"id":"msg_1","content":[{"ty', { contentType: "application/json" }), /^provider claude answered with truncated or malformed JSON \(status 200\)/],
    [json({ id: "msg_1", content: "hello" }), /^provider claude answered with JSON that is not a message \(status 200\): content: /],
  ];
  for (const [reply, message] of cases) {
    const { adapter } = await setup(t, reply);
    const error = await rejection(adapter.chat(request, callOptions()));
    assert.equal(error.kind, "bad_response");
    assert.equal(error.provider, "claude");
    assert.match(error.message, message);
  }
});

test("a stream request answered with an error status, JSON or HTML throws before any event", limit, async (t) => {
  const { adapter } = await setup(t, [
    json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, { status: 529, headers: { "retry-after": "2" } }),
    json(MESSAGE),
    html(200),
  ]);
  const overloaded = await rejection(adapter.chatStream(streamed, callOptions()));
  assert.equal(overloaded.kind, "overloaded");
  assert.equal(overloaded.retryAfterMs, 2_000);
  const notAStream = await rejection(adapter.chatStream(streamed, callOptions()));
  assert.equal(notAStream.kind, "bad_response");
  assert.match(notAStream.message, /answered with JSON, not an event stream/);
  const page = await rejection(adapter.chatStream(streamed, callOptions()));
  assert.equal(page.kind, "bad_response");
  assert.match(page.message, /answered with HTML, not JSON \(status 200\)/);
});

test("an in-stream overloaded_error (as recorded) ends the stream with a retryable error", { ...limit, skip: skipWithoutFixtures }, async (t) => {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: { kind: string; sse?: string }[] };
  const recorded = samples.find((s) => s.kind === "overloaded_error as mid-stream SSE error event")?.sse;
  assert.ok(recorded);
  const lines = fixtureChunks("anthropic/anthropic-text.chunks.txt").slice(0, 5);
  const body = lines.map((l) => `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`).join("") + recorded;
  const { adapter } = await setup(t, text(body, { contentType: "text/event-stream" }));
  const events = await collect(await adapter.chatStream(streamed, callOptions()));
  assert.deepEqual(
    events.filter((e) => e.type === "text-delta").map((e) => e.type === "text-delta" && e.delta),
    ["Hello", "! I"],
  );
  const error = lastError(events);
  assert.equal(error.kind, "overloaded");
  assert.equal(error.retryable, true);
  assert.equal(error.message, "claude: error in stream overloaded_error: Overloaded");
  assert.equal(events.some((e) => e.type === "finish"), false);
});

test("a stream cut mid-way, or ending without message_stop, ends with a network error", limit, async (t) => {
  const { adapter } = await setup(t, [sse(COMPLETE, { format: "anthropic", cutAfter: 4 }), sse(COMPLETE.slice(0, -1), { format: "anthropic" })]);
  const cut = await collect(await adapter.chatStream(streamed, callOptions()));
  assert.equal(cut.filter((e) => e.type === "text-delta").length, 2);
  assert.equal(lastError(cut).kind, "network");
  const early = await collect(await adapter.chatStream(streamed, callOptions()));
  assert.equal(early.filter((e) => e.type === "finish").length, 1);
  const error = lastError(early);
  assert.equal(error.kind, "network");
  assert.match(error.message, /no message_stop/);
});

test("silence longer than idleTimeoutMs is a timeout error event, and the upstream request is dropped", limit, async (t) => {
  const { upstream, adapter } = await setup(t, [sse(COMPLETE, { format: "anthropic", stallAfter: 3 }), stallAfterHeaders()]);
  const started = performance.now();
  const events = await collect(await adapter.chatStream(streamed, callOptions({ idleTimeoutMs: 150 })));
  assert.ok(performance.now() - started < 1_000);
  assert.equal(events.filter((e) => e.type === "text-delta").length, 1);
  const error = lastError(events);
  assert.equal(error.kind, "timeout");
  assert.equal(error.message, "claude: the stream stalled (no message for 150 ms)");
  await upstream.waitForAbort(1);
  const silent = await collect(await adapter.chatStream(streamed, callOptions({ idleTimeoutMs: 100 })));
  assert.equal(lastError(silent).kind, "timeout", "headers, then nothing");
});

test("no answer within timeoutMs is a timeout", limit, async (t) => {
  const { upstream, adapter } = await setup(t, hang());
  const error = await rejection(adapter.chat(request, callOptions({ timeoutMs: 100 })));
  assert.equal(error.kind, "timeout");
  assert.equal(error.message, "claude: no complete answer within 100 ms");
  const streamError = await rejection(adapter.chatStream(streamed, callOptions({ timeoutMs: 100 })));
  assert.equal(streamError.message, "claude: no response headers within 100 ms");
  await upstream.waitForAbort(2);
});

test("aborting the signal mid-stream drops the upstream connection at once", limit, async (t) => {
  const { upstream, adapter } = await setup(t, sse(COMPLETE, { format: "anthropic", delayMs: 30 }));
  const controller = new AbortController();
  const iterator = (await adapter.chatStream(streamed, callOptions({ signal: controller.signal })))[Symbol.asyncIterator]();
  await iterator.next();
  await iterator.next();
  const abortedAt = performance.now();
  controller.abort();
  await upstream.waitForAbort(1);
  assert.ok(performance.now() - abortedAt < 500);
  const rest: StreamEvent[] = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(...next.value.flatMap((c) => c.events));
  assert.equal(lastError(rest).kind, "client_closed");

  const pending = adapter.chat(request, callOptions({ signal: AbortSignal.abort() }));
  assert.equal((await rejection(pending)).kind, "client_closed");
});

test("a consumer that stops early frees the connection; finished streams keep it for the next call", limit, async (t) => {
  const { upstream, adapter } = await setup(t, [sse(COMPLETE, { format: "anthropic", delayMs: 30 }), sse(COMPLETE, { format: "anthropic" })]);
  for await (const batch of await adapter.chatStream(streamed, callOptions())) {
    if (batch.some((c) => c.events.some((e) => e.type === "text-delta"))) break;
  }
  await upstream.waitForAbort(1);
  const before = upstream.connections;
  for (let i = 0; i < 4; i++) {
    const events = await collect(await adapter.chatStream(streamed, callOptions()));
    assert.equal(events.at(-1)?.type, "usage");
  }
  assert.equal(upstream.aborted, 1);
  assert.ok(upstream.connections - before <= 2, `4 streams used ${upstream.connections - before} new connections`);
});

test("a body that ends a little after message_stop is drained, not cut, so the connection is reused", limit, async (t) => {
  const { upstream, adapter } = await setup(
    t,
    raw((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const line of COMPLETE) res.write(`event: ${(JSON.parse(line) as { type: string }).type}\ndata: ${line}\n\n`);
      setTimeout(() => res.end(), 30);
    }),
  );
  for (let i = 0; i < 3; i++) {
    const events = await collect(await adapter.chatStream(streamed, callOptions()));
    assert.equal(events.at(-1)?.type, "usage");
  }
  assert.equal(upstream.aborted, 0, "no response was cut short");
  assert.ok(upstream.connections <= 2, `3 streams used ${upstream.connections} connections`);
});

test("a request the Messages API cannot express fails before anything is sent; warnings are reported", limit, async (t) => {
  const { upstream, adapter } = await setup(t, json(MESSAGE));
  const bad: ChatRequest = { ...request, messages: [{ role: "assistant", content: null, toolCalls: [{ id: "t1", name: "f", arguments: "{oops" }] }] };
  const error = await rejection(adapter.chat(bad, callOptions()));
  assert.equal(error.kind, "bad_request");
  assert.equal(error.status, 400);
  assert.equal(error.param, "messages[0].tool_calls[0].function.arguments");
  assert.match(error.message, /^claude: messages\[0\]\.tool_calls\[0\]\.function\.arguments is not valid JSON/);
  assert.equal(upstream.calls, 0);
  const warnings: string[] = [];
  await adapter.chat({ ...request, seed: 1 }, callOptions({ warn: (m) => warnings.push(m) }));
  assert.deepEqual(warnings, ["claude: seed was not sent: the Messages API has no seed"]);
});

test("listModels pages through GET {baseUrl}/v1/models", limit, async (t) => {
  const { upstream, adapter } = await setup(t, (req) => {
    if (req.path.includes("after_id=claude-b")) return json({ data: [{ id: "claude-c", type: "model" }], has_more: false, first_id: "claude-c", last_id: "claude-c" });
    if (req.path.startsWith("/v1/models")) return json({ data: [{ id: "claude-a", type: "model" }, { id: "claude-b", type: "model" }], has_more: true, first_id: "claude-a", last_id: "claude-b" });
    return json({ type: "error", error: { type: "not_found_error", message: "nope" } }, { status: 404 });
  });
  assert.deepEqual(await adapter.listModels?.({ signal: new AbortController().signal }), ["claude-a", "claude-b", "claude-c"]);
  assert.deepEqual(
    upstream.requests.map((r) => [r.method, r.path]),
    [
      ["GET", "/v1/models?limit=1000"],
      ["GET", "/v1/models?limit=1000&after_id=claude-b"],
    ],
  );
  assert.equal(upstream.requests[0]?.headers["x-api-key"], KEY);
  assert.equal(upstream.requests[0]?.headers["anthropic-version"], "2023-06-01");

  const failing = await setup(t, [json({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }, { status: 401 }), json({ models: [] })]);
  assert.equal((await rejection(failing.adapter.listModels?.({ signal: new AbortController().signal }) ?? Promise.resolve())).kind, "auth");
  assert.equal((await rejection(failing.adapter.listModels?.({ signal: new AbortController().signal }) ?? Promise.resolve())).kind, "bad_response");
});

test("configured headers, version and base path; no key, no x-api-key; Anthropic's URL by default", limit, async (t) => {
  const upstream = await startFakeUpstream(json(MESSAGE));
  const adapter = createAnthropicAdapter({ name: "proxy", baseUrl: `${upstream.url}/anthropic/`, anthropicVersion: "2024-01-01", headers: { "x-team": "search" } });
  t.after(async () => {
    await upstream.close();
    await adapter.close?.();
  });
  const result = await adapter.chat(request, callOptions());
  assert.equal(result.content, "hi");
  const sent = upstream.requests[0];
  assert.equal(sent?.path, "/anthropic/v1/messages");
  assert.equal(sent?.headers["anthropic-version"], "2024-01-01");
  assert.equal(sent?.headers["x-team"], "search");
  assert.equal(sent?.headers["x-api-key"], undefined);
  const official = createAnthropicAdapter({ name: "anthropic" });
  assert.equal(official.type, "anthropic");
  assert.equal(official.name, "anthropic");
  await official.close?.();
});
