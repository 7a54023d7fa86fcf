import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { json, sse, startFakeUpstream, type FakeUpstream, type Reply } from "../support/fake-upstream.ts";
import { eventually, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

/**
 * Idempotency keys and the per-route response cache, through the real server and the official
 * SDK. The fake numbers each model's answers ("good answer 1", "good answer 2", …), so a replay
 * or a cache hit shows as the same number, and a real second call as the next one.
 */
describe("idempotency keys and the response cache", () => {
  let up: FakeUpstream;
  let gw: TestGateway;
  const counts = new Map<string, number>();
  let flakyFailing = false;

  const completion = (model: string, content: string): unknown => ({
    id: `chatcmpl-${content.replaceAll(" ", "-")}`,
    object: "chat.completion",
    created: 1_770_000_000,
    model: `${model}-2025`,
    choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
  });
  const chunks = (model: string, content: string): string[] => {
    const base = { id: `chatcmpl-${content.replaceAll(" ", "-")}`, object: "chat.completion.chunk", created: 1_770_000_000, model: `${model}-2025` };
    const words = content.split(" ");
    return [
      JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] }),
      ...words.map((w, i) => JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: i === 0 ? w : ` ${w}` }, finish_reason: null }] })),
      JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
      JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } }),
    ];
  };
  const failure = (status: number): Reply => json({ error: { message: `upstream is down (${status})`, type: "server_error", code: null, param: null } }, { status });
  const callsTo = (model: string): number => up.requests.filter((r) => (r.body as { model?: string }).model === model).length;
  const ask = (content: string, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) => ({ messages: [{ role: "user" as const, content }], ...extra });
  const keyed = (key: string) => ({ headers: { "idempotency-key": key } });

  before(async () => {
    up = await startFakeUpstream(async (req): Promise<Reply> => {
      const body = req.body as { model: string; stream?: boolean };
      const n = (counts.get(body.model) ?? 0) + 1;
      counts.set(body.model, n);
      switch (body.model) {
        case "fail-once":
          if (n === 1) return failure(500);
          break;
        case "slow":
          await sleep(300);
          break;
        case "slow-fail-once":
          await sleep(300);
          if (n === 1) return failure(500);
          break;
        case "flaky":
          if (flakyFailing) return failure(500);
          break;
      }
      const content = `${body.model} answer ${n}`;
      return body.stream ? sse(chunks(body.model, content)) : json(completion(body.model, content));
    });
    const models = ["good", "fail-once", "slow", "slow-fail-once", "flaky", "cached-m", "always-m"];
    gw = await startTestGateway(`
providers:
  up: { type: openai-compatible, base_url: "${up.url}/v1", api_key: test }
models:
${models.map((m) => `  ${m}: { provider: up, price: { input: 1, output: 2 } }`).join("\n")}
routes:
  cached: { model: cached-m, cache: { ttl_s: 1 } }
  always: { model: always-m, cache: { ttl_s: 60, when: always } }
  guarded: { model: flaky, cache: { ttl_s: 1, fallback: true } }
resilience:
  # Retries on one target would only slow these cases down.
  retry: { attempts: 0 }
`);
  });
  after(async () => {
    await gw?.close();
    await up?.close();
  });

  describe("idempotency keys", () => {
    it("a repeat with the same key replays the stored answer: one upstream call, a receipt of its own at no cost", async () => {
      const first = await gw.openai.chat.completions.create({ model: "good", ...ask("replay me") }, keyed("key-1")).withResponse();
      const second = await gw.openai.chat.completions.create({ model: "good", ...ask("replay me") }, keyed("key-1")).withResponse();
      assert.equal(callsTo("good"), 1);
      assert.deepEqual(second.data, first.data);
      assert.match(first.data.choices[0]?.message.content ?? "", /^good answer \d+$/);

      const firstId = first.response.headers.get("x-switchyard-request-id") ?? "";
      const secondId = second.response.headers.get("x-switchyard-request-id") ?? "";
      assert.notEqual(secondId, firstId);
      assert.equal(first.response.headers.get("x-switchyard-idempotent-replay"), null);
      assert.equal(second.response.headers.get("x-switchyard-idempotent-replay"), firstId);
      assert.equal(second.response.headers.get("x-switchyard-model"), "good");
      assert.equal(Number(second.response.headers.get("x-switchyard-cost-usd")), 0);

      const original = await gw.receipt(firstId);
      assert.ok((original.costMicroUsd ?? 0) > 0);
      assert.equal(original.idempotencyKey, "key-1");
      const replay = await gw.receipt(secondId);
      assert.equal(replay.status, "ok");
      assert.equal(replay.idempotencyKey, "key-1");
      assert.deepEqual(replay.attempts, []);
      assert.equal(replay.costMicroUsd, 0);
      assert.equal(replay.model, "good");
      assert.ok(replay.warnings.some((w) => w.includes(firstId)), replay.warnings.join("; "));
    });

    it("the same key with a different body is a 409 that says so, and calls no provider", async () => {
      await gw.openai.chat.completions.create({ model: "good", ...ask("first body") }, keyed("key-2"));
      const before = up.calls;
      await assert.rejects(gw.openai.chat.completions.create({ model: "good", ...ask("second body") }, keyed("key-2")), (err: unknown) => {
        assert.ok(err instanceof OpenAI.ConflictError, String(err));
        assert.equal(err.status, 409);
        assert.match(err.message, /idempotency-key 'key-2' was already used with a different request body/);
        return true;
      });
      assert.equal(up.calls, before);
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.status, "rejected");
      assert.equal(receipt?.httpStatus, 409);
      assert.equal(receipt?.errorKind, "conflict");
    });

    it("a repeat while the first is in flight waits for it and gets the same answer, with one upstream call", async () => {
      const first = gw.openai.chat.completions.create({ model: "slow", ...ask("concurrent") }, keyed("key-3")).withResponse();
      await eventually(() => assert.equal(callsTo("slow"), 1));
      const second = gw.openai.chat.completions.create({ model: "slow", ...ask("concurrent") }, keyed("key-3")).withResponse();
      const [a, b] = await Promise.all([first, second]);
      assert.equal(callsTo("slow"), 1);
      assert.deepEqual(b.data, a.data);
      assert.equal(b.response.headers.get("x-switchyard-idempotent-replay"), a.response.headers.get("x-switchyard-request-id"));
    });

    it("a failed first try leaves the key free: the retry runs for real", async () => {
      await assert.rejects(gw.openai.chat.completions.create({ model: "fail-once", ...ask("retry me") }, keyed("key-4")), (err: unknown) => err instanceof OpenAI.APIError && err.status === 502);
      const { data, response } = await gw.openai.chat.completions.create({ model: "fail-once", ...ask("retry me") }, keyed("key-4")).withResponse();
      assert.equal(data.choices[0]?.message.content, "fail-once answer 2");
      assert.equal(callsTo("fail-once"), 2);
      assert.equal(response.headers.get("x-switchyard-idempotent-replay"), null);
      const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
      assert.equal(receipt.attempts.length, 1);
      assert.ok((receipt.costMicroUsd ?? 0) > 0);
    });

    it("a request waiting on a first try that fails runs its own", async () => {
      const first = gw.openai.chat.completions.create({ model: "slow-fail-once", ...ask("wait then run") }, keyed("key-5"));
      const firstFailed = assert.rejects(first, (err: unknown) => err instanceof OpenAI.APIError && err.status === 502);
      await eventually(() => assert.equal(callsTo("slow-fail-once"), 1));
      const second = await gw.openai.chat.completions.create({ model: "slow-fail-once", ...ask("wait then run") }, keyed("key-5")).withResponse();
      await firstFailed;
      assert.equal(second.data.choices[0]?.message.content, "slow-fail-once answer 2");
      assert.equal(second.response.headers.get("x-switchyard-idempotent-replay"), null);
      assert.equal(callsTo("slow-fail-once"), 2);
    });

    it("a streamed request is replayed as the same SSE text, and the SDK reads the same content", async () => {
      const send = () =>
        fetch(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": "key-6" },
          body: JSON.stringify({ model: "good", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "stream me" }] }),
        });
      const before = callsTo("good");
      const first = await send();
      const firstText = await first.text();
      const second = await send();
      const secondText = await second.text();
      assert.equal(callsTo("good"), before + 1);
      assert.match(firstText, /data: \[DONE\]\n\n$/);
      assert.equal(secondText, firstText);
      assert.match(second.headers.get("content-type") ?? "", /text\/event-stream/);
      assert.equal(second.headers.get("x-switchyard-idempotent-replay"), first.headers.get("x-switchyard-request-id"));

      const stream = await gw.openai.chat.completions.create(
        { model: "good", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "stream me" }] },
        keyed("key-6"),
      );
      let content = "";
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
      assert.equal(content, `good answer ${before + 1}`);
      assert.equal(callsTo("good"), before + 1);
      const replay = await eventually(async () => {
        const [latest] = await gw.receipts(1);
        assert.equal(latest?.idempotencyKey, "key-6");
        assert.notEqual(latest?.requestId, first.headers.get("x-switchyard-request-id"));
        return latest;
      });
      assert.equal(replay?.stream, true);
      assert.equal(replay?.costMicroUsd, 0);
      assert.deepEqual(replay?.attempts, []);
    });
  });

  describe("idempotency keys on /v1/messages", () => {
    const messages = (key: string, content: string) =>
      fetch(`${gw.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key, "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "good", max_tokens: 100, messages: [{ role: "user", content }] }),
      });

    it("replays the same Messages body, and the key is bound to its endpoint", async () => {
      const before = callsTo("good");
      const first = await messages("key-7", "hello anthropic");
      const second = await messages("key-7", "hello anthropic");
      assert.equal(first.status, 200);
      assert.equal(await second.text(), await first.text());
      assert.equal(callsTo("good"), before + 1);
      assert.equal(second.headers.get("x-switchyard-idempotent-replay"), first.headers.get("request-id"));

      const other = await fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "key-7" },
        body: JSON.stringify({ model: "good", max_tokens: 100, messages: [{ role: "user", content: "hello anthropic" }] }),
      });
      assert.equal(other.status, 409);
      const body = (await other.json()) as { error: { code: string; type: string } };
      assert.deepEqual([body.error.type, body.error.code], ["invalid_request_error", "idempotency_key_reused"]);
    });
  });

  describe("response cache", () => {
    it("a deterministic request is answered from the cache the second time: hit header, receipt cacheHit at no cost", async () => {
      const first = await gw.openai.chat.completions.create({ model: "cached", ...ask("cache me", { temperature: 0 }) }).withResponse();
      const second = await gw.openai.chat.completions.create({ model: "cached", ...ask("cache me", { temperature: 0 }) }).withResponse();
      assert.equal(callsTo("cached-m"), 1);
      assert.equal(first.response.headers.get("x-switchyard-cache"), "miss");
      assert.equal(second.response.headers.get("x-switchyard-cache"), "hit");
      assert.equal(second.response.headers.get("x-switchyard-model"), "cached-m");
      assert.equal(second.response.headers.get("x-switchyard-provider"), "up");
      assert.equal(second.response.headers.get("x-switchyard-attempts"), "0");
      assert.equal(second.data.choices[0]?.message.content, first.data.choices[0]?.message.content);

      const receipt = await gw.receipt(second.response.headers.get("x-switchyard-request-id") ?? "");
      assert.equal(receipt.cacheHit, true);
      assert.equal(receipt.costMicroUsd, 0);
      assert.deepEqual(receipt.attempts, []);
      assert.equal(receipt.model, "cached-m");
      assert.equal(receipt.provider, "up");
      assert.equal(receipt.status, "ok");
      const original = await gw.receipt(first.response.headers.get("x-switchyard-request-id") ?? "");
      assert.equal(original.cacheHit, false);
    });

    it("a streamed request is served from a cached answer as a stream, and a streamed answer is cached for both", async () => {
      await gw.openai.chat.completions.create({ model: "cached", ...ask("both ways", { seed: 1 }) });
      const before = callsTo("cached-m");
      const { data: stream, response } = await gw.openai.chat.completions
        .create({ model: "cached", stream: true, messages: [{ role: "user", content: "both ways" }], seed: 1 })
        .withResponse();
      let content = "";
      for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
      assert.equal(response.headers.get("x-switchyard-cache"), "hit");
      assert.equal(content, `cached-m answer ${before}`);

      const live = await gw.openai.chat.completions.create({ model: "cached", stream: true, messages: [{ role: "user", content: "streamed first" }], seed: 1 });
      let streamed = "";
      for await (const chunk of live) streamed += chunk.choices[0]?.delta.content ?? "";
      assert.equal(callsTo("cached-m"), before + 1);
      const again = await eventually(async () => {
        const r = await gw.openai.chat.completions.create({ model: "cached", ...ask("streamed first", { seed: 1 }) }).withResponse();
        assert.equal(r.response.headers.get("x-switchyard-cache"), "hit");
        return r;
      });
      assert.equal(again.data.choices[0]?.message.content, streamed);
      assert.equal(callsTo("cached-m"), before + 1);
    });

    it("a request that is not deterministic is not cached under when: deterministic; when: always caches it", async () => {
      const before = callsTo("cached-m");
      for (let i = 0; i < 2; i++) {
        const { response } = await gw.openai.chat.completions.create({ model: "cached", ...ask("creative", { temperature: 0.7 }) }).withResponse();
        assert.equal(response.headers.get("x-switchyard-cache"), "miss");
      }
      assert.equal(callsTo("cached-m"), before + 2);

      const a = await gw.openai.chat.completions.create({ model: "always", ...ask("creative") }).withResponse();
      const b = await gw.openai.chat.completions.create({ model: "always", ...ask("creative") }).withResponse();
      assert.equal(a.response.headers.get("x-switchyard-cache"), "miss");
      assert.equal(b.response.headers.get("x-switchyard-cache"), "hit");
      assert.equal(callsTo("always-m"), 1);
    });

    it("an entry expires after its TTL", async () => {
      await gw.openai.chat.completions.create({ model: "cached", ...ask("short lived", { temperature: 0 }) });
      const before = callsTo("cached-m");
      const within = await gw.openai.chat.completions.create({ model: "cached", ...ask("short lived", { temperature: 0 }) }).withResponse();
      assert.equal(within.response.headers.get("x-switchyard-cache"), "hit");
      await sleep(1_100);
      const { data, response } = await gw.openai.chat.completions.create({ model: "cached", ...ask("short lived", { temperature: 0 }) }).withResponse();
      assert.equal(response.headers.get("x-switchyard-cache"), "miss");
      assert.equal(callsTo("cached-m"), before + 1);
      assert.equal(data.choices[0]?.message.content, `cached-m answer ${before + 1}`);
    });

    it("with fallback: true, the cache answers (even past its TTL) when every target fails", async () => {
      flakyFailing = false;
      const stored = await gw.openai.chat.completions.create({ model: "guarded", ...ask("keep me", { temperature: 0 }) });
      await gw.openai.chat.completions.create({ model: "guarded", ...ask("stream me too", { temperature: 0 }) });
      await sleep(1_100);
      flakyFailing = true;
      try {
        const before = callsTo("flaky");
        const { data, response } = await gw.openai.chat.completions.create({ model: "guarded", ...ask("keep me", { temperature: 0 }) }).withResponse();
        assert.equal(callsTo("flaky"), before + 1, "the chain was tried first");
        assert.equal(data.choices[0]?.message.content, stored.choices[0]?.message.content);
        assert.equal(response.headers.get("x-switchyard-cache"), "hit");
        assert.equal(response.headers.get("x-switchyard-attempts"), "1");
        const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
        assert.equal(receipt.status, "ok");
        assert.equal(receipt.cacheHit, true);
        assert.equal(receipt.costMicroUsd, 0);
        assert.deepEqual(receipt.attempts.map((a) => [a.model, a.errorKind]), [["flaky", "upstream_5xx"]]);
        assert.ok(receipt.warnings.some((w) => /every target failed.*response cache.*past its TTL/.test(w)), receipt.warnings.join("; "));

        const stream = await gw.openai.chat.completions.create({ model: "guarded", stream: true, messages: [{ role: "user", content: "stream me too" }], temperature: 0 });
        let content = "";
        for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
        assert.match(content, /^flaky answer \d+$/);

        await assert.rejects(
          gw.openai.chat.completions.create({ model: "guarded", ...ask("never cached", { temperature: 0 }) }),
          (err: unknown) => err instanceof OpenAI.APIError && err.status === 502,
        );
      } finally {
        flakyFailing = false;
      }
    });
  });
});
