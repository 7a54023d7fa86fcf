import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { hang, html, json, sse, startFakeUpstream, stallAfterHeaders, text, truncatedJson, type FakeUpstream, type Reply } from "../support/fake-upstream.ts";
import { fixtureChunks, readFixture, skipWithoutFixtures } from "../support/fixtures.ts";
import { eventually, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

/**
 * Every way an upstream can fail, through the real server and the official SDK. The fake answers
 * by the upstream model id it is asked for, so one provider serves every behaviour.
 */
describe("upstream failures: a clear error, never a crash, a receipt every time", { skip: skipWithoutFixtures }, () => {
  let up: FakeUpstream;
  let gw: TestGateway;
  const okBody = (): unknown => JSON.parse(readFixture("openai/openai-text.json"));
  const chunks = (): string[] => fixtureChunks("openai/openai-text.chunks.txt");

  before(async () => {
    up = await startFakeUpstream((req): Reply => {
      const body = req.body as { model: string; stream?: boolean };
      switch (body.model) {
        case "ok":
          return body.stream ? sse(chunks()) : json(okBody());
        case "html":
          return html(502);
        case "html-200":
          return html(200, "<!doctype html><html><body>Welcome to nginx!</body></html>");
        case "not-json":
          return text("upstream says hello", { contentType: "text/plain" });
        case "truncated":
          return truncatedJson(okBody(), 60);
        case "wrong-shape":
          return json({ hello: "world" });
        case "hang":
          return hang();
        case "rate-limited":
          return json({ error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } }, { status: 429, headers: { "retry-after": "7" } });
        case "bad-request":
          return json({ error: { message: "Unsupported parameter: 'temperature'", type: "invalid_request_error", param: "temperature", code: "unsupported_parameter" } }, { status: 400 });
        case "cut":
          return sse(chunks(), { cutAfter: 6 });
        case "cut-early":
          return sse(chunks(), { cutAfter: 1 });
        case "stall":
          return sse(chunks(), { stallAfter: 6 });
        case "stall-headers":
          return stallAfterHeaders();
        case "slow":
          return sse(chunks(), { delayMs: 30 });
        default:
          return json({ error: { message: `The model ${body.model} does not exist`, type: "invalid_request_error", code: "model_not_found" } }, { status: 404 });
      }
    });
    const models = ["ok", "html", "html-200", "not-json", "truncated", "wrong-shape", "hang", "rate-limited", "bad-request", "cut", "cut-early", "stall", "stall-headers", "slow"];
    gw = await startTestGateway(`
providers:
  flaky: { type: openai-compatible, base_url: "${up.url}/v1", api_key: test }
models:
${models.map((m) => `  ${m}: { provider: flaky, price: { input: 1, output: 2 } }`).join("\n")}
lanes:
  html-then-ok: [html, ok]
  hang-then-ok: [hang, ok]
  cut-early-then-ok: [cut-early, ok]
  bad-request-then-ok: [bad-request, ok]
  all-broken: [html, rate-limited]
routes:
  resilient: { lane: html-then-ok }
  patient: { lane: hang-then-ok }
  early: { lane: cut-early-then-ok }
  strict: { lane: bad-request-then-ok }
  doomed: { lane: all-broken }
resilience:
  timeout: { ttft_ms: 400, total_ms: 400, idle_ms: 300 }
  # These cases are about falling back; retries on one target are the fault suite's.
  retry: { attempts: 0 }
`);
  });
  after(async () => {
    await gw?.close();
    await up?.close();
  });

  async function expectError(model: string, status: number, pattern: RegExp): Promise<string> {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
    });
    const body = (await res.json()) as { error?: { message: string; type: string } };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.ok(body.error, "OpenAI-shaped error");
    assert.match(body.error.message, pattern);
    const id = res.headers.get("x-switchyard-request-id") ?? "";
    const receipt = await gw.receipt(id);
    assert.equal(receipt.status, "error");
    assert.equal(receipt.httpStatus, status);
    assert.ok(receipt.attempts.length >= 1);
    return id;
  }

  it("an HTML error page → 502 naming the provider", async () => {
    const id = await expectError("html", 502, /flaky/);
    const receipt = await gw.receipt(id);
    assert.equal(receipt.attempts[0]?.errorKind, "upstream_5xx");
    assert.equal(receipt.attempts[0]?.status, 502);
  });

  it("HTML with status 200, plain text, truncated JSON, JSON of the wrong shape → 502 naming the provider", async () => {
    for (const model of ["html-200", "not-json", "truncated", "wrong-shape"]) await expectError(model, 502, /flaky/);
  });

  it("an upstream that never answers → 504 after the configured timeout", async () => {
    const started = Date.now();
    await expectError("hang", 504, /flaky.*within 400 ms/);
    const took = Date.now() - started;
    assert.ok(took >= 350 && took < 3000, `took ${took} ms`);
  });

  it("a 429 keeps its kind and retry-after", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "rate-limited", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "7");
    const receipt = await gw.receipt(res.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.errorKind, "rate_limited");
  });

  it("falls back down a lane when the first target fails, and the receipt lists both attempts", async () => {
    const before = up.calls;
    const { data, response } = await gw.openai.chat.completions.create({ model: "resilient", messages: [{ role: "user", content: "hi" }] }).withResponse();
    assert.match(data.choices[0]?.message.content ?? "", /Galaxy Day/);
    assert.equal(up.calls - before, 2);
    assert.equal(response.headers.get("x-switchyard-attempts"), "2");
    assert.equal(response.headers.get("x-switchyard-model"), "ok");
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.deepEqual(receipt.attempts.map((a) => [a.model, a.errorKind]), [["html", "upstream_5xx"], ["ok", null]]);
    assert.equal(receipt.fallbacks, 1);
    assert.equal(receipt.status, "ok");
  });

  it("falls back after a timeout", async () => {
    const data = await gw.openai.chat.completions.create({ model: "patient", messages: [{ role: "user", content: "hi" }] });
    assert.match(data.choices[0]?.message.content ?? "", /Galaxy Day/);
  });

  it("does not fall back on the client's own bad request", async () => {
    const before = up.calls;
    await assert.rejects(gw.openai.chat.completions.create({ model: "strict", messages: [{ role: "user", content: "hi" }] }), (err: unknown) => err instanceof OpenAI.BadRequestError && /temperature/.test(err.message));
    assert.equal(up.calls - before, 1);
  });

  it("when every attempt fails, the error lists each attempt in order", async () => {
    await expectError("doomed", 429, /1\) flaky\/html: upstream_5xx 502.*2\) flaky\/rate-limited: rate_limited 429/);
  });

  it("a stream cut before any content falls back without the client noticing", async () => {
    const stream = await gw.openai.chat.completions.create({ model: "early", messages: [{ role: "user", content: "hi" }], stream: true });
    let textOut = "";
    for await (const chunk of stream) textOut += chunk.choices[0]?.delta.content ?? "";
    assert.match(textOut, /Harmony Day/);
  });

  it("a stream cut after it started ends with an explicit error, and the receipt says truncated", async () => {
    const stream = await gw.openai.chat.completions.create({ model: "cut", messages: [{ role: "user", content: "hi" }], stream: true });
    let received = 0;
    await assert.rejects(async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content?.length ?? 0;
    }, (err: unknown) => err instanceof OpenAI.APIError && /broke off/.test(err.message));
    assert.ok(received > 0, "some content arrived before the cut");
    const [receipt] = await gw.receipts(1);
    assert.equal(receipt?.status, "truncated");
    assert.equal(receipt?.model, "cut");
  });

  it("a raw stream that breaks never ends with [DONE]", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "cut", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const body = await res.text();
    assert.ok(!body.includes("[DONE]"));
    assert.match(body, /data: \{"error":\{"message":"The stream from provider flaky broke off/);
  });

  it("a stream that stalls past the idle timeout ends with an explicit error", async () => {
    const stream = await gw.openai.chat.completions.create({ model: "stall", messages: [{ role: "user", content: "hi" }], stream: true });
    await assert.rejects(async () => {
      for await (const _chunk of stream) void _chunk;
    }, /broke off/);
    const [receipt] = await gw.receipts(1);
    assert.equal(receipt?.status, "truncated");
    assert.equal(receipt?.errorKind, "timeout");
  });

  it("a stream whose upstream sends headers and then nothing → 504 before anything is sent", async () => {
    await assert.rejects(
      gw.openai.chat.completions.create({ model: "stall-headers", messages: [{ role: "user", content: "hi" }], stream: true }),
      (err: unknown) => err instanceof OpenAI.APIError && err.status === 504,
    );
  });

  it("a client that disconnects mid-stream cancels the upstream call and gets a client_closed receipt", async () => {
    const abortsBefore = up.aborted;
    const controller = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "hi" }] }),
      signal: controller.signal,
    });
    const id = res.headers.get("x-switchyard-request-id") ?? "";
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    await up.waitForAbort(abortsBefore + 1);
    const receipt = await eventually(async () => {
      const r = await gw.receipt(id);
      return r;
    });
    assert.equal(receipt.status, "client_closed");
    assert.equal(receipt.stream, true);
  });
});
