import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { createMemoryKeyStore } from "../../src/state/memory-key-store.ts";
import type { KeyStore } from "../../src/state/key-store.ts";
import { startTestGateway, type TestGateway } from "../support/test-gateway.ts";

const CONFIG = `
providers:
  simulated: { type: simulated, seed: 3, latency_scale: 0 }
models:
  sim-mini: { provider: simulated, price: { input: 0.15, output: 0.6 } }
  sim-pro:  { provider: simulated, price: { input: 1.25, output: 10 } }
routes:
  main: { model: sim-mini }
  premium: { model: sim-pro }
`;

describe("gateway keys", () => {
  let gw: TestGateway;
  let store: KeyStore;
  let teamA: string;
  let tiny: string;
  before(async () => {
    store = createMemoryKeyStore();
    teamA = (await store.create({ name: "team-a", routes: ["main"], rateLimit: { requests_per_minute: 5 } })).secret;
    tiny = (await store.create({ name: "tiny", budget: { daily_usd: 0.0004 } })).secret;
    gw = await startTestGateway(CONFIG, {}, { keyStore: store });
  });
  after(async () => gw?.close());

  const client = (apiKey: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 });
  const hello = (model = "main") => ({ model, max_tokens: 50, messages: [{ role: "user" as const, content: "hello" }] });

  it("without a valid key: 401 with www-authenticate, a receipt, and never more than the key's start echoed", async () => {
    let requestId = "";
    await assert.rejects(client("not-a-gateway-key").chat.completions.create(hello()), (err: unknown) => {
      assert.ok(err instanceof OpenAI.AuthenticationError);
      assert.match(err.message, /authorization: Bearer sk-sy-/);
      assert.equal(err.headers?.get("www-authenticate"), 'Bearer realm="switchyard"');
      requestId = err.headers?.get("x-switchyard-request-id") ?? "";
      return true;
    });
    const forged = "sk-sy-ThisKeyWasNeverIssuedByTheGateway123";
    await assert.rejects(client(forged).chat.completions.create(hello()), (err: unknown) => {
      assert.ok(err instanceof OpenAI.AuthenticationError);
      assert.doesNotMatch(err.message, /NeverIssued/);
      return true;
    });
    const receipt = await gw.receipt(requestId);
    assert.deepEqual([receipt.errorKind, receipt.httpStatus, receipt.status, receipt.keyId], ["unauthorized", 401, "rejected", null]);
  });

  it("a valid key is served, its id is on the receipt; the Anthropic SDK's x-api-key works too", async () => {
    const { response } = await client(teamA).chat.completions.create(hello()).withResponse();
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    const record = (await store.list()).find((k) => k.name === "team-a");
    assert.equal(receipt.keyId, record?.id);
    const claude = new Anthropic({ baseURL: gw.url, apiKey: teamA, maxRetries: 0 });
    const message = await claude.messages.create({ model: "main", max_tokens: 50, messages: [{ role: "user", content: "hi" }] });
    assert.equal(message.role, "assistant");
  });

  it("with keys in use, receipts are read with a key, and each key sees its own only", async () => {
    const { response } = await client(teamA).chat.completions.create(hello()).withResponse();
    const id = response.headers.get("x-switchyard-request-id") ?? "";
    await gw.gateway.writer.flush();
    const get = (path: string, key?: string) => fetch(`${gw.url}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    const anonymous = await get(`/v1/receipts/${id}`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get("www-authenticate"), 'Bearer realm="switchyard"');
    assert.equal((await get(`/v1/receipts/${id}`, teamA)).status, 200);
    assert.equal((await get(`/v1/receipts/${id}`, tiny)).status, 404);
    const listed = (await (await get("/v1/receipts?limit=100", tiny)).json()) as { data: { keyId: string | null }[] };
    const tinyId = (await store.list()).find((k) => k.name === "tiny")?.id;
    assert.ok(listed.data.every((r) => r.keyId === tinyId));
  });

  it("a key limited to some routes gets 403 elsewhere, naming what it may use", async () => {
    await assert.rejects(client(teamA).chat.completions.create(hello("premium")), (err: unknown) => {
      assert.ok(err instanceof OpenAI.PermissionDeniedError);
      assert.match(err.message, /main/);
      return true;
    });
  });

  it("a key's rate limit and budget are its own", async () => {
    // team-a has used 3 of its 5 requests a minute (the 403 was refused before counting).
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => client(teamA).chat.completions.create(hello())));
    const limited = results.filter((r) => r.status === "rejected");
    assert.ok(limited.length >= 1 && limited.length <= 3, `${limited.length} limited`);
    for (const r of limited) assert.match(String((r as PromiseRejectedResult).reason), /Rate limit of key team-a reached: 5 requests per minute/);
    // tiny's daily budget is spent after a few requests; another key is unaffected.
    let refused: unknown = null;
    for (let i = 0; i < 20 && refused === null; i += 1) {
      await client(tiny).chat.completions.create(hello()).catch((err: unknown) => (refused = err));
    }
    assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
    assert.match((refused as Error).message, /key tiny: daily_usd is spent/);
  });

  it("a key created while the gateway runs works at once; a revoked one is refused", async () => {
    const { secret } = await store.create({ name: "late" });
    await client(secret).chat.completions.create(hello());
    await store.revoke("late");
    await gw.gateway.auth.refresh(); // what the periodic re-read does every few seconds
    await assert.rejects(client(secret).chat.completions.create(hello()), (err: unknown) => {
      assert.ok(err instanceof OpenAI.AuthenticationError);
      assert.match(err.message, /revoked/);
      return true;
    });
  });
});
