/** How the adapter fails: safety blocks, HTTP errors, garbage, broken and stalled streams, aborts. */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { StreamBatch, StreamEvent } from "../../core/stream-event.ts";
import { hang, html, json, raw, sse, stallAfterHeaders, startFakeUpstream, truncatedJson, type FakeUpstream, type Reply } from "../../../test/support/fake-upstream.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { createGeminiAdapter } from "./gemini-adapter.ts";

const KEY = "AIzaSy-secret-key-0123456789";
const limit = { timeout: 3_000 };

const fragment = (parts: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ candidates: [{ content: { role: "model", parts }, index: 0, ...extra }], modelVersion: "gemini-2.5-flash", responseId: "r1" });
const USAGE = { promptTokenCount: 5, candidatesTokenCount: 10, totalTokenCount: 15 };
const TEN = Array.from({ length: 10 }, (_, i) => fragment([{ text: `w${i} ` }]));
const COMPLETE = [...TEN, JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: "" }] }, finishReason: "STOP", index: 0 }], usageMetadata: USAGE, modelVersion: "gemini-2.5-flash", responseId: "r1" })];
const ANSWER = { candidates: [{ content: { role: "model", parts: [{ text: "hi" }] }, finishReason: "STOP", index: 0 }], usageMetadata: USAGE, modelVersion: "gemini-2.5-flash", responseId: "r1" };

function callOptions(overrides: Partial<CallOptions> = {}): CallOptions {
  return { signal: new AbortController().signal, timeoutMs: 2_000, idleTimeoutMs: 2_000, ...overrides };
}

const request: ChatRequest = { model: "gemini-2.5-flash", messages: [{ role: "user", content: "hi" }], stream: false, extra: {} };

async function setup(t: TestContext, reply: Reply | Reply[]): Promise<{ upstream: FakeUpstream; adapter: ProviderAdapter }> {
  const upstream = await startFakeUpstream(reply);
  const adapter = createGeminiAdapter({ name: "gemini", baseUrl: upstream.url, apiKey: KEY });
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
    assert.equal(err.message.includes(KEY), false, "the API key must never be in a message");
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
  assert.equal(events.some((e) => e.type === "finish"), false);
  return last.error;
}

test("a safety block: a blocked prompt and a blocked answer end with content_filter", limit, async (t) => {
  const blockedPrompt = { promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 }, modelVersion: "gemini-2.5-flash", responseId: "b1" };
  const blockedAnswer = { candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }] }], usageMetadata: USAGE, modelVersion: "gemini-2.5-flash" };
  const { adapter } = await setup(t, [json(blockedPrompt), json(blockedAnswer), sse([JSON.stringify(blockedPrompt)], { format: "gemini" }), sse([TEN[0] ?? "", JSON.stringify(blockedAnswer)], { format: "gemini" })]);

  const prompt = await adapter.chat(request, callOptions());
  assert.equal(prompt.content, null);
  assert.deepEqual(prompt.toolCalls, []);
  assert.deepEqual(prompt.finishReason, { unified: "content_filter", raw: "PROHIBITED_CONTENT" });
  assert.deepEqual(prompt.usage, { inputTokens: 7, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 });
  const answer = await adapter.chat(request, callOptions());
  assert.equal(answer.content, null);
  assert.deepEqual(answer.finishReason, { unified: "content_filter", raw: "SAFETY" });

  const promptEvents = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
  assert.deepEqual(promptEvents.map((e) => e.type), ["start", "finish", "usage"]);
  assert.deepEqual(promptEvents[1], { type: "finish", finishReason: { unified: "content_filter", raw: "PROHIBITED_CONTENT" } });
  const answerEvents = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
  assert.deepEqual(answerEvents.map((e) => e.type), ["start", "text-delta", "finish", "usage"]);
  assert.deepEqual(answerEvents[2], { type: "finish", finishReason: { unified: "content_filter", raw: "SAFETY" } });
});

test("garbage instead of an answer is a bad_response that names the provider", limit, async (t) => {
  const cases: [Reply, RegExp][] = [
    [html(200, "<!DOCTYPE html><html><head><title>Sign in - Google Accounts</title></head></html>"), /^provider gemini answered with HTML, not JSON \(status 200\): Sign in - Google Accounts$/],
    [html(404, "<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title><p>The requested URL was not found on this server.</p></html>"), /^provider gemini answered 404 with an HTML page \(Error 404 \(Not Found\)!!1\)$/],
    [truncatedJson(ANSWER, 50), /^provider gemini answered with truncated or malformed JSON \(status 200\)/],
    [json({ candidates: "none" }), /^provider gemini answered with JSON that is not a generateContent response \(status 200\): candidates: /],
    [json({ candidates: [], modelVersion: "m" }), /^provider gemini answered with a response without candidates \(status 200\)$/],
  ];
  for (const [reply, message] of cases) {
    const { adapter } = await setup(t, reply);
    const error = await chatError(adapter);
    assert.equal(error.kind, "bad_response", String(message));
    assert.equal(error.provider, "gemini");
    assert.match(error.message, message);
  }
  const { adapter } = await setup(t, html(502));
  const gateway = await chatError(adapter);
  assert.equal(gateway.kind, "upstream_5xx", "an HTML 502 from a load balancer is still a 5xx");
  assert.equal(gateway.message, "gemini: 502: an HTML page (502 Bad Gateway)");
});

test("HTTP errors are classified, with RetryInfo, and the key is redacted from messages", limit, async (t) => {
  const { adapter } = await setup(t, [
    json({ error: { code: 429, message: "Quota exceeded. Please retry in 9.5s.", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "9.5s" }] } }, { status: 429 }),
    json({ error: { code: 400, message: `API key not valid. Please pass a valid API key. (key=${KEY})`, status: "INVALID_ARGUMENT", details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }] } }, { status: 400 }),
    json({ error: { code: 404, message: "models/gemini-9 is not found for API version v1beta", status: "NOT_FOUND" } }, { status: 404 }),
    json([{ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } }], { status: 503, headers: { "retry-after": "3" } }),
  ]);
  const limited = await chatError(adapter);
  assert.equal(limited.kind, "rate_limited");
  assert.equal(limited.retryAfterMs, 9_500);
  assert.equal(limited.upstreamStatus, 429);
  assert.equal(limited.message, "gemini: 429 RESOURCE_EXHAUSTED: Quota exceeded. Please retry in 9.5s.");
  const auth = await chatError(adapter);
  assert.equal(auth.kind, "auth");
  assert.match(auth.message, /\(key=\[redacted\]\)$/);
  const missing = await chatError(adapter);
  assert.equal(missing.kind, "model_not_found");
  assert.equal(missing.code, "model_not_found");
  const overloaded = await streamError(adapter);
  assert.equal(overloaded.kind, "overloaded", "a JSON array error body");
  assert.equal(overloaded.retryAfterMs, 3_000);
});

test("a stream request answered with JSON or HTML instead of events throws before any chunk", limit, async (t) => {
  const { adapter } = await setup(t, [json(ANSWER), json([{ error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" } }]), html(200)]);
  const notAStream = await streamError(adapter);
  assert.equal(notAStream.kind, "bad_response");
  assert.match(notAStream.message, /answered with JSON, not an event stream/);
  const inBody = await streamError(adapter);
  assert.equal(inBody.kind, "upstream_5xx", "an error array in a 200 body");
  const page = await streamError(adapter);
  assert.equal(page.kind, "bad_response");
  assert.match(page.message, /^provider gemini answered with HTML/);
});

test("an error event inside the stream ends it with a classified error, after the usage so far", limit, async (t) => {
  const error = JSON.stringify({ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } });
  const withUsage = JSON.stringify({ ...JSON.parse(TEN[1] ?? "{}"), usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2 } });
  const { adapter } = await setup(t, sse([TEN[0] ?? "", withUsage, error, ...COMPLETE], { format: "gemini" }));
  const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
  const failure = lastError(events);
  assert.equal(failure.kind, "overloaded");
  assert.equal(failure.upstreamStatus, 503);
  assert.equal(failure.message, "gemini: 503 UNAVAILABLE: The model is overloaded. Please try again later.");
  assert.deepEqual(events.at(-2), { type: "usage", usage: { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 2, reasoningTokens: 0 } });
  assert.equal(events.filter((e) => e.type === "text-delta").length, 2, "nothing after the error");
});

test("no response headers within timeoutMs is a timeout, and the upstream request is dropped", limit, async (t) => {
  const { upstream, adapter } = await setup(t, hang());
  const error = await chatError(adapter, callOptions({ timeoutMs: 100 }));
  assert.equal(error.kind, "timeout");
  assert.equal(error.message, "gemini: no complete answer within 100 ms");
  await upstream.waitForAbort(1);
  const streamed = await streamError(adapter, callOptions({ timeoutMs: 100 }));
  assert.equal(streamed.kind, "timeout");
  await upstream.waitForAbort(2);
});

test("a stream cut after N fragments ends with a network error, not a clean end", limit, async (t) => {
  const { upstream, adapter } = await setup(t, sse(COMPLETE, { format: "gemini", cutAfter: 3 }));
  const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
  assert.deepEqual(
    events.flatMap((e) => (e.type === "text-delta" ? [e.delta] : [])),
    ["w0 ", "w1 ", "w2 "],
  );
  const error = lastError(events);
  assert.equal(error.kind, "network");
  assert.equal(error.provider, "gemini");
  assert.equal(upstream.calls, 1);
});

test("a body that ends without a finishReason is an error", limit, async (t) => {
  const { adapter } = await setup(t, sse(TEN, { format: "gemini" }));
  const error = lastError(await collect(await adapter.chatStream({ ...request, stream: true }, callOptions())));
  assert.equal(error.kind, "network");
  assert.equal(error.message, "gemini: the stream ended before it was complete (no finishReason)");
});

test("silence between messages longer than idleTimeoutMs is a timeout error event", limit, async (t) => {
  const { upstream, adapter } = await setup(t, [sse(COMPLETE, { format: "gemini", stallAfter: 2 }), stallAfterHeaders()]);
  const started = performance.now();
  const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions({ idleTimeoutMs: 150 })));
  assert.ok(performance.now() - started < 1_000);
  assert.equal(events.filter((e) => e.type === "text-delta").length, 2);
  const error = lastError(events);
  assert.equal(error.kind, "timeout");
  assert.equal(error.message, "gemini: the stream stalled (no message for 150 ms)");
  await upstream.waitForAbort(1);
  const silent = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions({ idleTimeoutMs: 100 })));
  assert.equal(lastError(silent).kind, "timeout", "headers, then nothing");
});

test("a body that lingers after the finishReason still ends cleanly, with the usage", limit, async (t) => {
  const { adapter } = await setup(
    t,
    raw((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const line of COMPLETE) res.write(`data: ${line}\r\n\r\n`);
      // never ends
    }),
  );
  const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions({ idleTimeoutMs: 150 })));
  assert.equal(events.some((e) => e.type === "error"), false);
  assert.deepEqual(events.at(-1), { type: "usage", usage: { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 10, reasoningTokens: 0 } });
});

test("aborting the signal mid-stream drops the upstream connection at once", limit, async (t) => {
  const { upstream, adapter } = await setup(t, sse(COMPLETE, { format: "gemini", delayMs: 30 }));
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

test("aborting before the headers rejects with client_closed; a consumer that stops early frees the connection", limit, async (t) => {
  const { upstream, adapter } = await setup(t, [hang(), sse(COMPLETE, { format: "gemini", delayMs: 30 })]);
  const controller = new AbortController();
  const pending = adapter.chat(request, callOptions({ signal: controller.signal }));
  while (upstream.calls === 0) await new Promise((r) => setTimeout(r, 5));
  controller.abort();
  await assert.rejects(pending, (err: unknown) => err instanceof GatewayError && err.kind === "client_closed");
  await upstream.waitForAbort(1);
  for await (const batch of await adapter.chatStream({ ...request, stream: true }, callOptions())) {
    if (batch.some((c) => c.events.some((e) => e.type === "text-delta"))) break;
  }
  await upstream.waitForAbort(2);
});

test("finished streams leave their connection open for the next call", limit, async (t) => {
  const { upstream, adapter } = await setup(t, sse(COMPLETE, { format: "gemini" }));
  for (let i = 0; i < 4; i++) {
    const events = await collect(await adapter.chatStream({ ...request, stream: true }, callOptions()));
    assert.equal(events.at(-1)?.type, "usage");
  }
  assert.ok(upstream.connections <= 2, `4 streams used ${upstream.connections} connections`);
  assert.equal(upstream.aborted, 0);
});

test("listModels pages through GET /v1beta/models and strips the models/ prefix", limit, async (t) => {
  const { upstream, adapter } = await setup(t, [
    json({ models: [{ name: "models/gemini-2.5-flash", supportedGenerationMethods: ["generateContent"] }], nextPageToken: "page 2" }),
    json({ models: [{ name: "models/gemini-2.5-pro" }, { name: "models/text-embedding-004" }] }),
    json({ error: { code: 403, message: "Method doesn't allow unregistered callers", status: "PERMISSION_DENIED" } }, { status: 403 }),
  ]);
  const signal = new AbortController().signal;
  assert.deepEqual(await adapter.listModels?.({ signal }), ["gemini-2.5-flash", "gemini-2.5-pro", "text-embedding-004"]);
  assert.deepEqual(upstream.requests.map((r) => [r.method, r.path]), [
    ["GET", "/v1beta/models?pageSize=1000"],
    ["GET", "/v1beta/models?pageSize=1000&pageToken=page%202"],
  ]);
  assert.equal(upstream.requests[0]?.headers["x-goog-api-key"], KEY);
  await assert.rejects(adapter.listModels?.({ signal }) ?? Promise.resolve(), (err: unknown) => err instanceof GatewayError && err.kind === "permission");
});

test("base URLs as the SDKs take them, configured headers, no key header without a key", limit, async (t) => {
  const upstream = await startFakeUpstream(json(ANSWER));
  const adapters = [
    createGeminiAdapter({ name: "g1", baseUrl: `${upstream.url}/`, headers: { "x-team": "search" } }),
    createGeminiAdapter({ name: "g2", baseUrl: `${upstream.url}/v1beta`, apiKey: KEY }),
    createGeminiAdapter({ name: "g3", baseUrl: `${upstream.url}/proxy/v1`, apiKey: KEY }),
  ];
  t.after(async () => {
    await upstream.close();
    await Promise.all(adapters.map((a) => a.close?.()));
  });
  for (const adapter of adapters) assert.equal((await adapter.chat({ ...request, model: "tunedModels/my-model" }, callOptions())).content, "hi");
  assert.deepEqual(upstream.requests.map((r) => r.path), [
    "/v1beta/tunedModels/my-model:generateContent",
    "/v1beta/tunedModels/my-model:generateContent",
    "/proxy/v1/tunedModels/my-model:generateContent",
  ]);
  assert.equal(upstream.requests[0]?.headers["x-team"], "search");
  assert.equal(upstream.requests[0]?.headers["x-goog-api-key"], undefined);
  const gemini = createGeminiAdapter({ name: "gemini" });
  assert.equal(gemini.type, "gemini");
  await gemini.close?.();
});

test("a request Gemini cannot express fails before any I/O, as bad_request", limit, async (t) => {
  const { upstream, adapter } = await setup(t, json(ANSWER));
  const orphan: ChatRequest = { ...request, messages: [{ role: "user", content: "hi" }, { role: "tool", toolCallId: "call_9", content: "42" }] };
  await assert.rejects(adapter.chat(orphan, callOptions()), (err: unknown) => err instanceof GatewayError && err.kind === "bad_request" && /call_9/.test(err.message));
  const badArgs: ChatRequest = { ...request, messages: [{ role: "assistant", content: null, toolCalls: [{ id: "c", name: "f", arguments: "[1" }] }] };
  await assert.rejects(adapter.chatStream(badArgs, callOptions()), (err: unknown) => err instanceof GatewayError && err.kind === "bad_request");
  assert.equal(upstream.calls, 0);
});
