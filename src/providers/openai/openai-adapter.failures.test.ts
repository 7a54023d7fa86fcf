/** How the adapter fails: garbage bodies, HTTP errors, timeouts, broken and stalled streams, aborts. */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test, type TestContext } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { StreamBatch, StreamEvent } from "../../core/stream-event.ts";
import {
  hang,
  html,
  json,
  raw,
  sse,
  stallAfterHeaders,
  startFakeUpstream,
  text,
  truncatedJson,
  type FakeUpstream,
  type Reply,
} from "../../../test/support/fake-upstream.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { createOpenAIAdapter } from "./openai-adapter.ts";

const KEY = "sk-secret-key-0123456789";
/** A broken abort or timeout must fail the test, not hang it. */
const limit = { timeout: 3_000 };

const chunk = (content: string, finish: string | null = null): string =>
  JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m-1", choices: [{ index: 0, delta: { content }, finish_reason: finish }] });
const TEN_CHUNKS = Array.from({ length: 10 }, (_, i) => chunk(`w${i} `));
const COMPLETE = [...TEN_CHUNKS, chunk("", "stop"), JSON.stringify({ id: "c1", choices: [], usage: { prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 } })];
const COMPLETION = {
  id: "c1",
  object: "chat.completion",
  created: 1,
  model: "m-1",
  choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
};

function callOptions(overrides: Partial<CallOptions> = {}): CallOptions {
  return { signal: new AbortController().signal, timeoutMs: 2_000, idleTimeoutMs: 2_000, ...overrides };
}

const request: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], stream: false, extra: {} };

async function setup(t: TestContext, reply: Reply | Reply[]): Promise<{ upstream: FakeUpstream; adapter: ProviderAdapter }> {
  const upstream = await startFakeUpstream(reply);
  const adapter = createOpenAIAdapter({ name: "acme", type: "openai-compatible", baseUrl: `${upstream.url}/v1`, apiKey: KEY });
  t.after(async () => {
    await upstream.close();
    await adapter.close?.();
  });
  return { upstream, adapter };
}

async function chatError(adapter: ProviderAdapter, options: CallOptions = callOptions()): Promise<GatewayError> {
  try {
    await adapter.chat(request, options);
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.message.includes(KEY), false, "the API key must never be in a message");
    return err;
  }
  assert.fail("chat() should have failed");
}

async function streamError(adapter: ProviderAdapter, options: CallOptions = callOptions()): Promise<GatewayError> {
  try {
    await adapter.chatStream({ ...request, stream: true }, options);
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail("chatStream() should have failed before returning the stream");
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

test("garbage instead of a completion is a bad_response that says what came back", limit, async (t) => {
  const cases: [Reply, RegExp][] = [
    [html(200, "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>"), /^provider acme answered with HTML, not JSON \(status 200\): Just a moment\.\.\.$/],
    [truncatedJson(COMPLETION, 60), /^provider acme answered with truncated or malformed JSON \(status 200\): \{"id":"c1"/],
    [text("upstream says hello", { status: 200 }), /^provider acme answered with text, not JSON \(status 200\): upstream says hello$/],
    [json({ id: "c1", object: "chat.completion", choices: "none" }), /^provider acme answered with JSON that is not a chat completion \(status 200\): choices: /],
    [json({ ...COMPLETION, choices: [] }), /^provider acme answered with a chat completion without choices \(status 200\)$/],
    [text("", { status: 200, contentType: "application/json" }), /^provider acme answered with an empty body \(status 200\)$/],
  ];
  for (const [reply, message] of cases) {
    const { adapter } = await setup(t, reply);
    const error = await chatError(adapter);
    assert.equal(error.kind, "bad_response");
    assert.equal(error.status, 502);
    assert.equal(error.provider, "acme");
    assert.match(error.message, message);
  }
});

test("HTTP errors are classified, with the upstream message and retry-after", limit, async (t) => {
  const { adapter } = await setup(t, [
    json({ error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } }, { status: 429, headers: { "retry-after": "7" } }),
    html(502),
    json({ error: { message: "The model `m` does not exist", type: "invalid_request_error", code: "model_not_found" } }, { status: 404 }),
    json({ error: { message: `Incorrect API key provided: ${KEY}`, type: "invalid_request_error", code: "invalid_api_key" } }, { status: 401 }),
    json({ error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } }, { status: 200 }),
  ]);
  const limited = await chatError(adapter);
  assert.equal(limited.kind, "rate_limited");
  assert.equal(limited.message, "acme: 429 rate_limit_exceeded: Rate limit reached for requests");
  assert.equal(limited.retryAfterMs, 7_000);
  assert.equal(limited.upstreamStatus, 429);
  assert.equal(limited.code, "rate_limit_exceeded");
  const gateway = await chatError(adapter);
  assert.equal(gateway.kind, "upstream_5xx");
  assert.equal(gateway.message, "acme: 502: an HTML page (502 Bad Gateway)");
  assert.equal((await chatError(adapter)).kind, "model_not_found");
  const auth = await chatError(adapter);
  assert.equal(auth.kind, "auth");
  assert.match(auth.message, /Incorrect API key provided: \[redacted\]/);
  assert.equal((await chatError(adapter)).kind, "insufficient_quota", "an error object in a 200 body");
});

test("a stream request answered with an error status throws before any chunk", limit, async (t) => {
  const { adapter } = await setup(t, [
    json({ error: { message: "Overloaded", type: "server_error" } }, { status: 503, headers: { "retry-after-ms": "1500" } }),
    json(COMPLETION),
    html(200),
  ]);
  const overloaded = await streamError(adapter);
  assert.equal(overloaded.kind, "overloaded");
  assert.equal(overloaded.retryAfterMs, 1_500);
  const notAStream = await streamError(adapter);
  assert.equal(notAStream.kind, "bad_response");
  assert.match(notAStream.message, /answered with JSON, not an event stream/);
  const page = await streamError(adapter);
  assert.equal(page.kind, "bad_response");
  assert.match(page.message, /answered with HTML, not JSON \(status 200\)/);
});

test("no response headers within timeoutMs is a timeout, and the upstream request is dropped", limit, async (t) => {
  const { upstream, adapter } = await setup(t, hang());
  const started = performance.now();
  const error = await chatError(adapter, callOptions({ timeoutMs: 100 }));
  assert.ok(performance.now() - started < 1_000);
  assert.equal(error.kind, "timeout");
  assert.equal(error.status, 504);
  assert.equal(error.message, "acme: no complete answer within 100 ms");
  await upstream.waitForAbort(1);

  const streamed = await streamError(adapter, callOptions({ timeoutMs: 100 }));
  assert.equal(streamed.kind, "timeout");
  assert.equal(streamed.message, "acme: no response headers within 100 ms");
  await upstream.waitForAbort(2);
});

test("a stream cut after N chunks ends with a network error, not a clean end", limit, async (t) => {
  const { upstream, adapter } = await setup(t, sse(COMPLETE, { cutAfter: 3 }));
  const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
  assert.deepEqual(
    events.filter((e) => e.type === "text-delta").map((e) => e.type === "text-delta" && e.delta),
    ["w0 ", "w1 ", "w2 "],
  );
  const error = lastError(events);
  assert.equal(error.kind, "network");
  assert.equal(error.provider, "acme");
  assert.equal(events.some((e) => e.type === "finish"), false);
  assert.equal(upstream.calls, 1);
});

test("a body that ends without [DONE] or a finish_reason is an error", limit, async (t) => {
  const { adapter } = await setup(t, sse(TEN_CHUNKS, { done: false }));
  const error = lastError(await collect(await adapter.chatStream({ ...request, stream: true }, callOptions())));
  assert.equal(error.kind, "network");
  assert.match(error.message, /ended before it was complete/);
});

test("silence between messages longer than idleTimeoutMs is a timeout error event", limit, async (t) => {
  const { upstream, adapter } = await setup(t, [sse(COMPLETE, { stallAfter: 2 }), stallAfterHeaders()]);
  const started = performance.now();
  const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions({ idleTimeoutMs: 150 })));
  assert.ok(performance.now() - started < 1_000);
  assert.equal(events.filter((e) => e.type === "text-delta").length, 2);
  const error = lastError(events);
  assert.equal(error.kind, "timeout");
  assert.equal(error.message, "acme: the stream stalled (no message for 150 ms)");
  await upstream.waitForAbort(1);

  const silent = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions({ idleTimeoutMs: 100 })));
  assert.equal(lastError(silent).kind, "timeout", "headers, then nothing");
});

test("a slow but steady stream is not idle", limit, async (t) => {
  const { adapter } = await setup(t, sse(COMPLETE.slice(0, 4).concat(COMPLETE.slice(-2)), { delayMs: 40 }));
  const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions({ idleTimeoutMs: 120 })));
  assert.equal(events.some((e) => e.type === "error"), false);
  assert.equal(events.at(-1)?.type, "usage");
});

test("aborting the signal mid-stream drops the upstream connection at once", limit, async (t) => {
  const { upstream, adapter } = await setup(t, sse(COMPLETE, { delayMs: 30 }));
  const controller = new AbortController();
  const iterator = (await adapter.chatStream({ ...request, stream: true }, callOptions({ signal: controller.signal })))[Symbol.asyncIterator]();
  await iterator.next();
  await iterator.next();
  const abortedAt = performance.now();
  controller.abort();
  await upstream.waitForAbort(1);
  assert.ok(performance.now() - abortedAt < 500, "the fake saw the socket close");
  const rest: StreamEvent[] = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(...next.value.flatMap((c) => c.events));
  assert.equal(lastError(rest).kind, "client_closed");
});

test("aborting before the headers rejects with client_closed and drops the request", limit, async (t) => {
  const { upstream, adapter } = await setup(t, hang());
  const controller = new AbortController();
  const pending = adapter.chat(request, callOptions({ signal: controller.signal }));
  while (upstream.calls === 0) await new Promise((r) => setTimeout(r, 5));
  controller.abort();
  await assert.rejects(pending, (err: unknown) => err instanceof GatewayError && err.kind === "client_closed");
  await upstream.waitForAbort(1);

  const already = AbortSignal.abort();
  await assert.rejects(adapter.chatStream({ ...request, stream: true }, callOptions({ signal: already })), (err: unknown) => err instanceof GatewayError && err.kind === "client_closed");
});

test("a consumer that stops early frees the connection", limit, async (t) => {
  const { upstream, adapter } = await setup(t, sse(COMPLETE, { delayMs: 30 }));
  for await (const batch of await adapter.chatStream({ ...request, stream: true }, callOptions())) {
    if (batch.some((c) => c.events.some((e) => e.type === "text-delta"))) break;
  }
  await upstream.waitForAbort(1);
  // return() before the first next() must free it too
  const unread = await adapter.chatStream({ ...request, stream: true }, callOptions());
  await unread[Symbol.asyncIterator]().return?.();
  await upstream.waitForAbort(2);
});

test("finished streams leave their connection open for the next call", limit, async (t) => {
  const { upstream, adapter } = await setup(t, sse(COMPLETE));
  for (let i = 0; i < 4; i++) {
    const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
    assert.equal(events.at(-1)?.type, "usage");
  }
  assert.equal(upstream.calls, 4);
  assert.ok(upstream.connections <= 2, `4 streams used ${upstream.connections} connections`);
  assert.equal(upstream.aborted, 0);
});

test("a body that ends a little after [DONE] is drained, not cut, so the connection is reused", limit, async (t) => {
  const { upstream, adapter } = await setup(
    t,
    raw((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const line of COMPLETE) res.write(`data: ${line}\n\n`);
      res.write("data: [DONE]\n\n");
      setTimeout(() => res.end(), 30);
    }),
  );
  for (let i = 0; i < 3; i++) {
    const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
    assert.equal(events.at(-1)?.type, "usage");
  }
  assert.equal(upstream.aborted, 0, "no response was cut short");
  assert.ok(upstream.connections <= 2, `3 streams used ${upstream.connections} connections`);
});

test("a refused connection is a network error naming the provider and origin", limit, async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  const adapter = createOpenAIAdapter({ name: "acme", type: "openai", baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: KEY });
  t.after(() => adapter.close?.());
  const error = await chatError(adapter);
  assert.equal(error.kind, "network");
  assert.match(error.message, new RegExp(`^acme: connection to http://127.0.0.1:${port} failed \\(connect ECONNREFUSED`));
  assert.equal((await streamError(adapter)).kind, "network");
});

test("listModels reads GET {baseUrl}/models", limit, async (t) => {
  const { upstream, adapter } = await setup(t, [
    json({ object: "list", data: [{ id: "deepseek-chat", object: "model", owned_by: "deepseek" }, { id: "deepseek-reasoner", object: "model" }] }),
    json({ error: { message: "Authentication Fails", type: "authentication_error" } }, { status: 401 }),
    json({ models: [] }),
  ]);
  assert.deepEqual(await adapter.listModels?.({ signal: new AbortController().signal }), ["deepseek-chat", "deepseek-reasoner"]);
  assert.equal(upstream.requests[0]?.method, "GET");
  assert.equal(upstream.requests[0]?.path, "/v1/models");
  assert.equal(upstream.requests[0]?.headers.authorization, `Bearer ${KEY}`);
  await assert.rejects(adapter.listModels?.({ signal: new AbortController().signal }) ?? Promise.resolve(), (err: unknown) => err instanceof GatewayError && err.kind === "auth");
  await assert.rejects(adapter.listModels?.({ signal: new AbortController().signal }) ?? Promise.resolve(), (err: unknown) => err instanceof GatewayError && err.kind === "bad_response");
});

test("configured headers are sent and the default base URL is OpenAI's", limit, async (t) => {
  const upstream = await startFakeUpstream(json(COMPLETION));
  const adapter = createOpenAIAdapter({ name: "ollama", type: "openai-compatible", baseUrl: `${upstream.url}/v1/`, headers: { "x-team": "search" } });
  t.after(async () => {
    await upstream.close();
    await adapter.close?.();
  });
  const result = await adapter.chat(request, callOptions());
  assert.equal(result.content, "hi");
  assert.equal(upstream.requests[0]?.path, "/v1/chat/completions");
  assert.equal(upstream.requests[0]?.headers["x-team"], "search");
  assert.equal(upstream.requests[0]?.headers.authorization, undefined, "no key, no authorization header");
  const openai = createOpenAIAdapter({ name: "openai", type: "openai" });
  assert.equal(openai.type, "openai");
  await openai.close?.();
});
