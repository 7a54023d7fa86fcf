import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { json, startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { readFixture, skipWithoutFixtures } from "../support/fixtures.ts";
import { startTestGateway, type TestGateway } from "../support/test-gateway.ts";

describe("POST /v1/embeddings through the gateway", { skip: skipWithoutFixtures }, () => {
  let up: FakeUpstream;
  let gemini: FakeUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startFakeUpstream((req) =>
      (req.body as { model?: string }).model === "broken"
        ? json({ error: { message: "The server is overloaded", type: "server_error", code: null } }, { status: 503 })
        : json(JSON.parse(readFixture("openai/openai-embedding.json"))),
    );
    gemini = await startFakeUpstream((req) => {
      const body = req.body as { requests: unknown[] };
      return json({ embeddings: body.requests.map((_, i) => ({ values: [i, 0.5, -0.25] })) });
    });
    gw = await startTestGateway(`
providers:
  openai: { type: openai, base_url: "${up.url}/v1", api_key: sk-embed }
  google: { type: gemini, base_url: "${gemini.url}", api_key: gm-key-123456 }
  simulated: { type: simulated, latency_scale: 0 }
models:
  small: { provider: openai, upstream: text-embedding-3-small }
  broken: { provider: openai }
  sim-mini: { provider: simulated, price: { input: 0.15, output: 0.6 } }
  gemini-embed: { provider: google, upstream: gemini-embedding-001 }
lanes:
  embed-chain: [broken, small]
routes:
  embed: { lane: embed-chain }
resilience: { retry: { attempts: 0 } }
`);
  });
  after(async () => {
    await gw?.close();
    await up?.close();
    await gemini?.close();
  });

  it("returns the recorded embeddings to the SDK and receipts tokens and cost", async () => {
    const { data, response } = await gw.openai.embeddings
      .create({ model: "small", input: ["sunny day at the beach", "rainy day in the city"], encoding_format: "float" })
      .withResponse();
    assert.equal(data.data.length, 2);
    assert.deepEqual(data.data[0]?.embedding, [0.0057293195, -0.012727811, 0.020042092, -0.013437585, 0.022833068]);
    assert.equal(data.usage.prompt_tokens, 12);
    const sent = up.requests.at(-1);
    assert.equal(sent?.path, "/v1/embeddings");
    assert.deepEqual(sent?.body, { model: "text-embedding-3-small", input: ["sunny day at the beach", "rainy day in the city"], encoding_format: "float" });
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.endpoint, "/v1/embeddings");
    assert.equal(receipt.inputTokens, 12);
    assert.equal(receipt.upstreamModelReported, "text-embedding-3-small");
    // text-embedding-3-small: $0.02 / 1M tokens → 12 tokens = 0.24 µUSD → rounds to 0
    assert.equal(receipt.costMicroUsd, 0);
    assert.equal(receipt.status, "ok");
  });

  it("falls back down a lane like chat requests do", async () => {
    const { response } = await gw.openai.embeddings.create({ model: "embed", input: "hello" }).withResponse();
    assert.equal(response.headers.get("x-switchyard-attempts"), "2");
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.deepEqual(receipt.attempts.map((a) => [a.model, a.errorKind]), [["broken", "overloaded"], ["small", null]]);
  });

  it("a model whose provider cannot embed is a clear 400, with a receipt", async () => {
    await assert.rejects(gw.openai.embeddings.create({ model: "sim-mini", input: "hello" }), (err: unknown) => err instanceof OpenAI.BadRequestError && /no embeddings endpoint/.test(err.message));
  });

  it("bad input and unknown models get OpenAI-shaped errors", async () => {
    const res = await fetch(`${gw.url}/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "small" }) });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { param: string } };
    assert.equal(body.error.param, "input");
    await assert.rejects(gw.openai.embeddings.create({ model: "smal", input: "x" }), (err: unknown) => err instanceof OpenAI.NotFoundError && /'small'/.test(err.message));
  });

  it("embeds through Gemini's batchEmbedContents, saying that its tokens are estimated", async () => {
    const { data, response } = await gw.openai.embeddings
      .create({ model: "gemini-embed", input: ["first text", "second text"], dimensions: 3, encoding_format: "float" })
      .withResponse();
    assert.deepEqual(data.data.map((d) => d.embedding), [[0, 0.5, -0.25], [1, 0.5, -0.25]]);
    const sent = gemini.requests.at(-1);
    assert.equal(sent?.path, "/v1beta/models/gemini-embedding-001:batchEmbedContents");
    assert.equal(sent?.headers["x-goog-api-key"], "gm-key-123456");
    assert.deepEqual(sent?.body, {
      requests: [
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "first text" }] }, outputDimensionality: 3 },
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "second text" }] }, outputDimensionality: 3 },
      ],
    });
    assert.match(response.headers.get("x-switchyard-warning") ?? "", /estimated/);
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.inputTokens, Math.ceil("first textsecond text".length / 4));
    assert.equal(receipt.provider, "google");
  });
});
