import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import type { Receipt } from "../../src/ledger/receipt.ts";
import { hang, html, json, raw, sse, startFakeUpstream, type FakeUpstream, type RecordedRequest, type Reply } from "../support/fake-upstream.ts";
import { fixtureChunks, readFixtureJson, skipWithoutFixtures } from "../support/fixtures.ts";
import { eventually, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

/**
 * Faults end to end: the official SDK (no retries of its own) → the real gateway → fake upstreams
 * that count every call. Each case checks what the client saw, how often each upstream was
 * called, and what the receipt says (status, attempts in order, retries, fallbacks).
 *
 * Provider `one` (models `a`, `a2`) replays recorded OpenAI traffic, `two` (model `b`) recorded
 * Mistral traffic, so the answer itself tells which one answered; `three` (model `c`) is spare.
 */

type Script = Reply | readonly Reply[] | ((request: RecordedRequest, index: number) => Reply | Promise<Reply>);

/** A fake provider whose replies each test stages; counts start again at every `stage`. */
interface StagedUpstream {
  readonly fake: FakeUpstream;
  stage(script: Script): void;
  /** Requests since the last `stage`. */
  readonly calls: number;
  /** Requests since the last `stage` that the gateway gave up on before the reply was complete. */
  readonly aborted: number;
  /** `performance.now()` at each request since the last `stage`. */
  readonly arrivals: number[];
  /** Resolves once `count` requests since the last `stage` were abandoned. */
  waitForAbort(count?: number): Promise<void>;
  /** The upstream model each request since the last `stage` asked for. */
  models(): string[];
}

const unstaged = (): Reply => json({ error: { message: "no reply staged for this test", type: "server_error" } }, { status: 500 });

async function startStagedUpstream(): Promise<StagedUpstream> {
  let script: Script = unstaged;
  let base = 0;
  let abortedBase = 0;
  let arrivals: number[] = [];
  const fake = await startFakeUpstream((request, index) => {
    arrivals.push(performance.now());
    const i = index - base;
    if (typeof script === "function") return script(request, i);
    if (Array.isArray(script)) return script[Math.min(i, script.length - 1)] ?? unstaged();
    return script as Reply;
  });
  return {
    fake,
    stage(next) {
      script = next;
      base = fake.calls;
      abortedBase = fake.aborted;
      arrivals = [];
    },
    get calls() {
      return fake.calls - base;
    },
    get aborted() {
      return fake.aborted - abortedBase;
    },
    get arrivals() {
      return arrivals;
    },
    waitForAbort(count = 1) {
      return fake.waitForAbort(abortedBase + count);
    },
    models() {
      return fake.requests.slice(base).map((r) => (r.body as { model: string }).model);
    },
  };
}

// Recorded traffic and error bodies (../shared/fixtures); read lazily so a missing folder skips.
const openaiBody = (): unknown => readFixtureJson("openai/openai-text.json");
const openaiChunks = (): string[] => fixtureChunks("openai/openai-text.chunks.txt");
const mistralBody = (): unknown => readFixtureJson("openai-compatible/mistral-text.json");
const mistralChunks = (): string[] => fixtureChunks("openai-compatible/mistral-text.chunks.txt");

/** The text a recorded Chat Completions stream carries. */
function streamedText(chunks: readonly string[]): string {
  return chunks.map((line) => (JSON.parse(line) as { choices: { delta?: { content?: string | null } }[] }).choices[0]?.delta?.content ?? "").join("");
}

interface ErrorSample {
  provider: string;
  status: number;
  kind: string;
  body?: unknown;
}

function errorSample(provider: string, kind: string): ErrorSample {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: ErrorSample[] };
  const sample = samples.find((s) => s.provider === provider && s.kind === kind);
  if (!sample) throw new Error(`no ${provider} '${kind}' sample in errors/real-error-samples.json`);
  return sample;
}

// OpenAI's own wording for these (https://platform.openai.com/docs/guides/error-codes).
const serverError = (status = 500): Reply =>
  json({ error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } }, { status });
const overloaded503 = (): Reply =>
  json({ error: { message: "The engine is currently overloaded, please try again later.", type: "server_error", param: null, code: null } }, { status: 503 });
const rateLimited = (headers: Record<string, string>): Reply =>
  json({ error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } }, { status: 429, headers });
const inStreamError = JSON.stringify({ error: { message: "The server had an error while processing your request. Sorry about that!", type: "server_error", param: null, code: null } });
/** Destroys the socket mid-request: the gateway sees the connection reset, no status. */
const connectionReset = (): Reply =>
  raw((req) => {
    req.socket.destroy();
  });

const RETRY_ATTEMPTS = 2;
/** A stream's time to first content; below TOTAL_MS, so it also stays below the idle limit (capped at total_ms). */
const TTFT_MS = 800;
/** A whole non-streaming answer. */
const TOTAL_MS = 1000;

/** [model, upstream status, error kind] of each attempt, in order. */
const attemptsOf = (receipt: Receipt): [string, number | null, string | null][] => receipt.attempts.map((a) => [a.model, a.status, a.errorKind]);
const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

const ask = { messages: [{ role: "user" as const, content: "Invent a holiday." }] };

describe("faults: retries, fallbacks, timeouts and the commit point, end to end", { skip: skipWithoutFixtures }, () => {
  let one: StagedUpstream;
  let two: StagedUpstream;
  let three: StagedUpstream;
  let gw: TestGateway;

  before(async () => {
    [one, two, three] = await Promise.all([startStagedUpstream(), startStagedUpstream(), startStagedUpstream()]);
    gw = await startTestGateway(`
providers:
  one:   { type: openai-compatible, base_url: "${one.fake.url}/v1", api_key: test-one }
  two:   { type: openai-compatible, base_url: "${two.fake.url}/v1", api_key: test-two }
  three: { type: openai-compatible, base_url: "${three.fake.url}/v1", api_key: test-three }
models:
  a:  { provider: one, price: { input: 1, output: 2 } }
  a2: { provider: one, price: { input: 1, output: 2 } }
  b:  { provider: two, price: { input: 1, output: 2 } }
  c:  { provider: three, price: { input: 1, output: 2 } }
lanes:
  ab: [a, b]
  aab: [a, a2, b]
  ac: [a, c]
routes:
  a-then-b: { lane: ab }
  a-a2-then-b: { lane: aab }
  a-then-c: { lane: ac }
resilience:
  retry:
    attempts: ${RETRY_ATTEMPTS}
    base_ms: 10
    max_ms: 40
    retry_after_cap_ms: 2000
    # Generous: this suite retries a lot; the budget's own case runs on a gateway of its own.
    budget: { ratio: 100, min_per_second: 1000 }
  # A stream waiting for its first content must meet the ttft timer, not the idle one (capped at total_ms).
  timeout: { ttft_ms: ${TTFT_MS}, total_ms: ${TOTAL_MS}, idle_ms: ${3 * TOTAL_MS} }
  # The breaker's own case runs on a gateway of its own; here it would open across cases.
  breaker: { enabled: false }
`);
    // Warm up (connections, code paths), so that the first case's timings are not a cold start's.
    one.stage((req) => ((req.body as { stream?: boolean }).stream ? sse(openaiChunks()) : json(openaiBody())));
    two.stage((req) => ((req.body as { stream?: boolean }).stream ? sse(mistralChunks()) : json(mistralBody())));
    for (const model of ["a", "b"]) {
      await gw.openai.chat.completions.create({ model, ...ask });
      for await (const _chunk of await gw.openai.chat.completions.create({ model, ...ask, stream: true })) void _chunk;
    }
  });
  after(async () => {
    await gw?.close();
    await Promise.all([one?.fake.close(), two?.fake.close(), three?.fake.close()]);
  });

  /** A non-streaming request that must succeed. */
  async function chat(model: string, headers: Record<string, string> = {}): Promise<{ content: string; receipt: Receipt; headers: Headers; elapsedMs: number }> {
    const started = performance.now();
    const { data, response } = await gw.openai.chat.completions.create({ model, ...ask }, { headers }).withResponse();
    const elapsedMs = performance.now() - started;
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    return { content: data.choices[0]?.message.content ?? "", receipt, headers: response.headers, elapsedMs };
  }

  /** A non-streaming request that must fail. */
  async function chatError(model: string, headers: Record<string, string> = {}): Promise<{ error: InstanceType<typeof OpenAI.APIError>; receipt: Receipt; elapsedMs: number }> {
    const started = performance.now();
    try {
      await gw.openai.chat.completions.create({ model, ...ask }, { headers });
    } catch (err) {
      const elapsedMs = performance.now() - started;
      assert.ok(err instanceof OpenAI.APIError, `an API error, got ${String(err)}`);
      const receipt = await gw.receipt(err.headers?.get("x-switchyard-request-id") ?? "");
      return { error: err, receipt, elapsedMs };
    }
    assert.fail(`${model} answered; an error was expected`);
  }

  /** A streaming request, read to its end or its error. */
  async function streamChat(model: string): Promise<{ content: string; error: unknown; receipt: Receipt; elapsedMs: number }> {
    const started = performance.now();
    const { data: stream, response } = await gw.openai.chat.completions.create({ model, ...ask, stream: true }).withResponse();
    let content = "";
    let error: unknown = null;
    try {
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
    } catch (err) {
      error = err;
    }
    const elapsedMs = performance.now() - started;
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    return { content, error, receipt, elapsedMs };
  }

  describe("retries on the same target", () => {
    it("a 500 then a 200: one retry, and the answer", async () => {
      one.stage([serverError(), json(openaiBody())]);
      two.stage(json(mistralBody()));
      const { content, receipt, headers } = await chat("a-then-b");
      assert.match(content, /Galaxy Day/);
      assert.equal(one.calls, 2);
      assert.equal(two.calls, 0);
      assert.equal(headers.get("x-switchyard-attempts"), "2");
      assert.equal(receipt.status, "ok");
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 500, "upstream_5xx"],
        ["a", 200, null],
      ]);
      assert.equal(receipt.retries, 1);
      assert.equal(receipt.fallbacks, 0);
    });

    it("a 500 every time: the retries run out, then the next target answers", async () => {
      one.stage(serverError());
      two.stage(json(mistralBody()));
      const { content, receipt, headers } = await chat("a-then-b");
      assert.match(content, /World Kindness Day/);
      assert.equal(one.calls, 1 + RETRY_ATTEMPTS);
      assert.equal(two.calls, 1);
      assert.equal(headers.get("x-switchyard-model"), "b");
      assert.equal(receipt.status, "ok");
      assert.equal(receipt.model, "b");
      assert.deepEqual(attemptsOf(receipt), [...times(1 + RETRY_ATTEMPTS, ["a", 500, "upstream_5xx"]), ["b", 200, null]]);
      assert.equal(receipt.retries, RETRY_ATTEMPTS);
      assert.equal(receipt.fallbacks, 1);
    });

    it("a 503 is an overload, retried", async () => {
      one.stage([overloaded503(), json(openaiBody())]);
      two.stage(json(mistralBody()));
      const { content, receipt } = await chat("a-then-b");
      assert.match(content, /Galaxy Day/);
      assert.equal(one.calls, 2);
      assert.equal(two.calls, 0);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 503, "overloaded"],
        ["a", 200, null],
      ]);
      assert.equal(receipt.retries, 1);
    });

    it("a 529 with Anthropic's overloaded_error body, from an OpenAI-compatible server, is an overload, retried", async () => {
      const sample = errorSample("anthropic", "overloaded_error (HTTP)");
      assert.equal(sample.status, 529);
      one.stage([json(sample.body, { status: 529 }), json(openaiBody())]);
      two.stage(json(mistralBody()));
      const { content, receipt } = await chat("a-then-b");
      assert.match(content, /Galaxy Day/);
      assert.equal(one.calls, 2);
      assert.equal(two.calls, 0);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 529, "overloaded"],
        ["a", 200, null],
      ]);
      assert.match(receipt.attempts[0]?.errorMessage ?? "", /^one: 529 overloaded_error: Overloaded/);
      assert.equal(receipt.retries, 1);
    });

    it("a 429 with retry-after: 1 is retried no sooner than a second later", async () => {
      one.stage([rateLimited({ "retry-after": "1" }), json(openaiBody())]);
      two.stage(json(mistralBody()));
      const { content, receipt } = await chat("a-then-b");
      assert.match(content, /Galaxy Day/);
      assert.equal(one.calls, 2);
      assert.equal(two.calls, 0);
      const [first = 0, second = 0] = one.arrivals;
      const waited = second - first;
      assert.ok(waited >= 990 && waited < 3000, `the retry came ${Math.round(waited)} ms after the 429`);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 429, "rate_limited"],
        ["a", 200, null],
      ]);
      assert.equal(receipt.retries, 1);
      assert.equal(receipt.fallbacks, 0);
    });

    it("a connection reset is a network error: retried, then the next target answers", async () => {
      one.stage(connectionReset());
      two.stage(json(mistralBody()));
      const { content, receipt } = await chat("a-then-b");
      assert.match(content, /World Kindness Day/);
      assert.equal(one.calls, 1 + RETRY_ATTEMPTS);
      assert.equal(two.calls, 1);
      assert.deepEqual(attemptsOf(receipt), [...times(1 + RETRY_ATTEMPTS, ["a", null, "network"]), ["b", 200, null]]);
      assert.match(receipt.attempts[0]?.errorMessage ?? "", /^one: connection to http:\/\/127\.0\.0\.1:\d+ failed/);
      assert.equal(receipt.retries, RETRY_ATTEMPTS);
      assert.equal(receipt.fallbacks, 1);
    });
  });

  describe("falling back without retrying", () => {
    it("a 429 asking for longer than retry_after_cap_ms is not waited for: the next target answers at once", async () => {
      one.stage(rateLimited({ "retry-after-ms": "5000" }));
      two.stage(json(mistralBody()));
      const { content, receipt, elapsedMs } = await chat("a-then-b");
      assert.match(content, /World Kindness Day/);
      assert.ok(elapsedMs < 1500, `took ${Math.round(elapsedMs)} ms`);
      assert.equal(one.calls, 1);
      assert.equal(two.calls, 1);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 429, "rate_limited"],
        ["b", 200, null],
      ]);
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 1);
      assert.ok(
        receipt.warnings.includes("a: not retried (the upstream asked for a longer wait than retry_after_cap_ms)"),
        JSON.stringify(receipt.warnings),
      );
    });

    it("a 429 whose retry-after would overrun the request's deadline is not waited for: the next target answers at once", async () => {
      one.stage(rateLimited({ "retry-after": "1" }));
      two.stage(json(mistralBody()));
      const { content, receipt, elapsedMs } = await chat("a-then-b", { "x-switchyard-timeout-ms": "900" });
      assert.match(content, /World Kindness Day/);
      assert.ok(elapsedMs < 900, `took ${Math.round(elapsedMs)} ms`);
      assert.equal(one.calls, 1);
      assert.equal(two.calls, 1);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 429, "rate_limited"],
        ["b", 200, null],
      ]);
      assert.deepEqual([receipt.retries, receipt.fallbacks], [0, 1]);
      assert.ok(receipt.warnings.includes("a: not retried (the deadline is too close)"), JSON.stringify(receipt.warnings));
    });

    it("insufficient_quota is not retried, and skips the other models of the same provider", async () => {
      const sample = errorSample("openai", "insufficient_quota");
      one.stage(json(sample.body, { status: sample.status }));
      two.stage(json(mistralBody()));
      const { content, receipt } = await chat("a-a2-then-b");
      assert.match(content, /World Kindness Day/);
      assert.deepEqual(one.models(), ["a"], "neither a retry of a nor a2, which shares its key");
      assert.equal(two.calls, 1);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 429, "insufficient_quota"],
        ["b", 200, null],
      ]);
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 1);
    });

    it("an upstream that never answers: the attempt times out, is cancelled, and the next target answers (no retry)", async () => {
      one.stage(hang());
      two.stage(json(mistralBody()));
      const { content, receipt, elapsedMs } = await chat("a-then-b");
      assert.match(content, /World Kindness Day/);
      await one.waitForAbort(1);
      assert.equal(one.calls, 1);
      assert.equal(one.aborted, 1);
      assert.equal(two.calls, 1);
      assert.ok(elapsedMs >= TOTAL_MS - 20, `took ${Math.round(elapsedMs)} ms`);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", null, "timeout"],
        ["b", 200, null],
      ]);
      assert.match(receipt.attempts[0]?.errorMessage ?? "", new RegExp(`no complete answer within ${TOTAL_MS} ms`));
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 1);
    });

    it("a stream whose upstream sends no headers: timed out, cancelled, the next target streams", async () => {
      one.stage(hang());
      two.stage(sse(mistralChunks()));
      const { content, error, receipt } = await streamChat("a-then-b");
      assert.equal(error, null);
      assert.equal(content, streamedText(mistralChunks()));
      await one.waitForAbort(1);
      assert.equal(one.calls, 1);
      assert.equal(two.calls, 1);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", null, "timeout"],
        ["b", 200, null],
      ]);
      assert.match(receipt.attempts[0]?.errorMessage ?? "", new RegExp(`no response headers within ${TTFT_MS} ms`));
      assert.equal(receipt.status, "ok");
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 1);
    });

    it("a stream that opens but sends its first content after ttft_ms: timed out, cancelled, the next target streams", async () => {
      // The role chunk (no content) comes at once, the first content long after ttft_ms.
      one.stage(sse(openaiChunks(), { delayMs: 3 * TTFT_MS }));
      two.stage(sse(mistralChunks()));
      const { content, error, receipt, elapsedMs } = await streamChat("a-then-b");
      assert.equal(error, null);
      assert.equal(content, streamedText(mistralChunks()));
      assert.ok(elapsedMs < 2.5 * TTFT_MS, `took ${Math.round(elapsedMs)} ms`);
      await one.waitForAbort(1);
      assert.equal(one.calls, 1);
      assert.equal(two.calls, 1);
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 200, "timeout"],
        ["b", 200, null],
      ]);
      assert.match(receipt.attempts[0]?.errorMessage ?? "", new RegExp(`no first token within ${TTFT_MS} ms`));
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 1);
    });

    it("an upstream 400: no retry, no fallback, the client gets the upstream's message", async () => {
      const body = readFixtureJson("openai/reasoning-model-legacy-parameter-error.json");
      one.stage(json(body, { status: 400 }));
      two.stage(json(mistralBody()));
      const { error, receipt } = await chatError("a-then-b");
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.match(error.message, /Unsupported parameter: 'max_tokens' is not supported with this model/);
      assert.equal(error.param, "max_tokens");
      assert.equal(one.calls, 1);
      assert.equal(two.calls, 0);
      assert.equal(receipt.status, "error");
      assert.equal(receipt.httpStatus, 400);
      assert.deepEqual(attemptsOf(receipt), [["a", 400, "bad_request"]]);
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 0);
    });
  });

  describe("when everything fails", () => {
    it("HTML error pages everywhere: each target retried, then a 502 that lists every attempt by provider", async () => {
      one.stage(html(502));
      two.stage(html(502));
      const { error, receipt } = await chatError("a-then-b");
      assert.equal(error.status, 502);
      assert.match(error.message, /^502 All 6 attempts failed: 1\) one\/a: upstream_5xx 502 .*; 4\) two\/b: upstream_5xx 502 .*Last error: two: 502: an HTML page \(502 Bad Gateway\)/);
      assert.equal(one.calls, 1 + RETRY_ATTEMPTS);
      assert.equal(two.calls, 1 + RETRY_ATTEMPTS);
      assert.equal(receipt.status, "error");
      assert.equal(receipt.httpStatus, 502);
      assert.deepEqual(attemptsOf(receipt), [...times(1 + RETRY_ATTEMPTS, ["a", 502, "upstream_5xx"]), ...times(1 + RETRY_ATTEMPTS, ["b", 502, "upstream_5xx"])]);
      assert.equal(receipt.retries, 2 * RETRY_ATTEMPTS);
      assert.equal(receipt.fallbacks, 1);
    });

    it("x-switchyard-timeout-ms: 300 over two hanging targets → a 504 naming the deadline after ~300 ms, not after each target's own timeout", async () => {
      one.stage(hang());
      three.stage(hang());
      const { error, receipt, elapsedMs } = await chatError("a-then-c", { "x-switchyard-timeout-ms": "300" });
      assert.equal(error.status, 504);
      assert.match(error.message, /deadline of 300 ms \(x-switchyard-timeout-ms\) passed/);
      assert.ok(elapsedMs >= 280 && elapsedMs < 1500, `took ${Math.round(elapsedMs)} ms; each target alone may take ${TOTAL_MS}`);
      await one.waitForAbort(1);
      assert.equal(one.calls, 1);
      assert.equal(three.calls, 0, "no time was left for the second target");
      assert.equal(receipt.status, "error");
      assert.equal(receipt.httpStatus, 504);
      assert.equal(receipt.errorKind, "timeout");
      assert.deepEqual(attemptsOf(receipt), [["a", null, "timeout"]]);
    });
  });

  describe("streams and the commit point", () => {
    it("cut after content: the client gets the content, then an explicit error; truncated, no fallback", async () => {
      one.stage(sse(openaiChunks(), { cutAfter: 6 }));
      two.stage(sse(mistralChunks()));
      const { content, error, receipt } = await streamChat("a-then-b");
      assert.ok(error instanceof OpenAI.APIError, `the SDK threw, got ${String(error)}`);
      assert.match(error.message, /The stream from provider one broke off after it started/);
      assert.ok(content.length > 0 && streamedText(openaiChunks()).startsWith(content), `got ${JSON.stringify(content)}`);
      assert.equal(one.calls, 1);
      assert.equal(two.calls, 0);
      assert.equal(receipt.status, "truncated");
      assert.equal(receipt.errorKind, "network");
      assert.deepEqual(attemptsOf(receipt), [["a", 200, "network"]]);
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 0);
    });

    it("cut before any content: retried, then the next target streams, and the client sees only a clean answer", async () => {
      one.stage(sse(openaiChunks(), { cutAfter: 1 }));
      two.stage(sse(mistralChunks()));
      const { content, error, receipt } = await streamChat("a-then-b");
      assert.equal(error, null);
      assert.equal(content, streamedText(mistralChunks()));
      assert.equal(one.calls, 1 + RETRY_ATTEMPTS);
      assert.equal(two.calls, 1);
      assert.equal(receipt.status, "ok");
      assert.deepEqual(attemptsOf(receipt), [...times(1 + RETRY_ATTEMPTS, ["a", 200, "network"]), ["b", 200, null]]);
      assert.equal(receipt.retries, RETRY_ATTEMPTS);
      assert.equal(receipt.fallbacks, 1);
    });

    it("an in-stream error before any content: retried, then the next target streams", async () => {
      one.stage(sse([openaiChunks()[0] ?? "", inStreamError]));
      two.stage(sse(mistralChunks()));
      const { content, error, receipt } = await streamChat("a-then-b");
      assert.equal(error, null);
      assert.equal(content, streamedText(mistralChunks()));
      assert.equal(one.calls, 1 + RETRY_ATTEMPTS);
      assert.equal(two.calls, 1);
      assert.deepEqual(attemptsOf(receipt), [...times(1 + RETRY_ATTEMPTS, ["a", 200, "upstream_5xx"]), ["b", 200, null]]);
      assert.equal(receipt.status, "ok");
      assert.equal(receipt.fallbacks, 1);
    });

    it("an in-stream error after content: the content, then an explicit error; truncated, no fallback", async () => {
      const chunks = openaiChunks();
      // Paced, so the error does not arrive in the same read as the first content: until the
      // gateway has sent that read on, it is still before the commit point and may fall back.
      one.stage(sse([...chunks.slice(0, 6), inStreamError], { delayMs: 40 }));
      two.stage(sse(mistralChunks()));
      const { content, error, receipt } = await streamChat("a-then-b");
      assert.ok(error instanceof OpenAI.APIError, `the SDK threw, got ${String(error)}`);
      assert.match(error.message, /broke off after it started: one: error in stream server_error: The server had an error/);
      assert.equal(content, streamedText(chunks.slice(0, 6)));
      assert.equal(one.calls, 1);
      assert.equal(two.calls, 0);
      assert.equal(receipt.status, "truncated");
      assert.equal(receipt.errorKind, "upstream_5xx");
      assert.deepEqual(attemptsOf(receipt), [["a", 200, "upstream_5xx"]]);
      assert.equal(receipt.fallbacks, 0);
    });
  });
});

describe("faults: the circuit breaker", { skip: skipWithoutFixtures }, () => {
  let bad: StagedUpstream;
  let good: StagedUpstream;
  let gw: TestGateway;

  before(async () => {
    [bad, good] = await Promise.all([startStagedUpstream(), startStagedUpstream()]);
    gw = await startTestGateway(`
providers:
  flaky:  { type: openai-compatible, base_url: "${bad.fake.url}/v1", api_key: test-flaky }
  steady: { type: openai-compatible, base_url: "${good.fake.url}/v1", api_key: test-steady }
models:
  bad:  { provider: flaky, price: { input: 1, output: 2 } }
  good: { provider: steady, price: { input: 1, output: 2 } }
lanes:
  main: [bad, good]
routes:
  guarded: { lane: main }
resilience:
  retry: { attempts: 0, base_ms: 5 }
  timeout: { total_ms: 3000 }
  breaker: { min_requests: 3, failure_rate: 0.5, cooldown_s: 1 }
`);
  });
  after(async () => {
    await gw?.close();
    await Promise.all([bad?.fake.close(), good?.fake.close()]);
  });

  async function chat(): Promise<{ content: string; receipt: Receipt; elapsedMs: number }> {
    const started = performance.now();
    const { data, response } = await gw.openai.chat.completions.create({ model: "guarded", ...ask }).withResponse();
    const elapsedMs = performance.now() - started;
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    return { content: data.choices[0]?.message.content ?? "", receipt, elapsedMs };
  }
  const breakerOf = (deployment: string): string | undefined =>
    gw.gateway.runtime.health.snapshot().deployments.find((d) => d.deployment === deployment)?.breaker?.status;

  it("opens after 3 failing requests, skips the bad deployment without calling it, probes after the cooldown and lets traffic back", async () => {
    bad.stage(serverError());
    good.stage(json(mistralBody()));
    for (let i = 0; i < 3; i++) {
      const { content, receipt } = await chat();
      assert.match(content, /World Kindness Day/);
      assert.deepEqual(attemptsOf(receipt), [
        ["bad", 500, "upstream_5xx"],
        ["good", 200, null],
      ]);
    }
    assert.equal(bad.calls, 3);
    assert.equal(breakerOf("flaky/bad"), "open");

    // Open: skipped without a call or a wait (were it called, it would hang until total_ms), and
    // the receipt says so.
    bad.stage(hang());
    for (let i = 0; i < 2; i++) {
      const { content, receipt, elapsedMs } = await chat();
      assert.match(content, /World Kindness Day/);
      assert.ok(elapsedMs < 1500, `took ${Math.round(elapsedMs)} ms`);
      assert.deepEqual(attemptsOf(receipt), [["good", 200, null]]);
      assert.deepEqual(receipt.routing?.skipped, ["flaky/bad"]);
      assert.equal(receipt.fallbacks, 0);
    }
    assert.equal(bad.calls, 0, "the open breaker kept requests away from the bad deployment");
    assert.equal(good.calls, 5);

    // After the cooldown one probe goes through — held until the requests that arrive meanwhile
    // have skipped the deployment — and succeeds: the breaker closes, traffic returns.
    let answerProbe = (): void => undefined;
    const probeAnswered = new Promise<void>((resolve) => (answerProbe = resolve));
    bad.stage(async () => {
      await probeAnswered;
      return json(openaiBody());
    });
    await sleep(1100);
    const probe = chat();
    await eventually(() => assert.equal(bad.calls, 1));
    assert.equal(breakerOf("flaky/bad"), "half_open");
    const during = await Promise.all([chat(), chat()]);
    answerProbe();
    for (const { content, receipt } of during) {
      assert.match(content, /World Kindness Day/);
      assert.deepEqual(receipt.routing?.skipped, ["flaky/bad"], "one probe at a time");
    }
    const probed = await probe;
    assert.match(probed.content, /Galaxy Day/);
    assert.deepEqual(attemptsOf(probed.receipt), [["bad", 200, null]]);
    assert.equal(probed.receipt.routing?.skipped, undefined);
    assert.equal(breakerOf("flaky/bad"), "closed");
    const next = await chat();
    assert.match(next.content, /Galaxy Day/);
    assert.deepEqual(attemptsOf(next.receipt), [["bad", 200, null]]);
    assert.equal(bad.calls, 2);
    const transitions = gw.gateway.runtime.health
      .snapshot()
      .transitions.filter((t) => t.deployment === "flaky/bad")
      .map((t) => `${t.from}→${t.to} (${t.reason})`);
    assert.deepEqual(transitions, ["closed→open (failure_rate)", "open→half_open (cooldown_elapsed)", "half_open→closed (probe_succeeded)"]);
  });
});

describe("faults: the retry budget", { skip: skipWithoutFixtures }, () => {
  let one: StagedUpstream;
  let two: StagedUpstream;
  let gw: TestGateway;

  before(async () => {
    [one, two] = await Promise.all([startStagedUpstream(), startStagedUpstream()]);
    gw = await startTestGateway(`
providers:
  one: { type: openai-compatible, base_url: "${one.fake.url}/v1", api_key: test-one }
  two: { type: openai-compatible, base_url: "${two.fake.url}/v1", api_key: test-two }
models:
  a: { provider: one, price: { input: 1, output: 2 } }
  b: { provider: two, price: { input: 1, output: 2 } }
lanes:
  ab: [a, b]
routes:
  a-then-b: { lane: ab }
resilience:
  retry: { attempts: 2, base_ms: 5, budget: { ratio: 0, min_per_second: 0 } }
  breaker: { enabled: false }
`);
  });
  after(async () => {
    await gw?.close();
    await Promise.all([one?.fake.close(), two?.fake.close()]);
  });

  it("with no budget, no retry happens at all: failures fall back, with a warning", async () => {
    one.stage(serverError());
    two.stage(json(mistralBody()));
    for (let i = 0; i < 2; i++) {
      const { data, response } = await gw.openai.chat.completions.create({ model: "a-then-b", ...ask }).withResponse();
      assert.match(data.choices[0]?.message.content ?? "", /World Kindness Day/);
      const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
      assert.deepEqual(attemptsOf(receipt), [
        ["a", 500, "upstream_5xx"],
        ["b", 200, null],
      ]);
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 1);
      assert.ok(receipt.warnings.includes("a: not retried (the gateway's retry budget is spent)"), JSON.stringify(receipt.warnings));
      assert.match(response.headers.get("x-switchyard-warning") ?? "", /retry budget is spent/);
    }
    assert.equal(one.calls, 2);
    assert.equal(two.calls, 2);
  });
});
