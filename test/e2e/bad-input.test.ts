import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { SIMULATED_CONFIG, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

describe("bad input gets a clear OpenAI-shaped error and a receipt", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(`${SIMULATED_CONFIG}\nserver: { max_body_bytes: 2048 }\n`);
  });
  after(async () => {
    await gw.close();
  });

  async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: ErrorBody; requestId: string }> {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    return { status: res.status, body: (await res.json()) as ErrorBody, requestId: res.headers.get("x-switchyard-request-id") ?? "" };
  }

  async function assertRejectedReceipt(requestId: string, httpStatus: number): Promise<void> {
    assert.ok(requestId, "the error carries x-switchyard-request-id");
    const receipt = await gw.receipt(requestId);
    assert.equal(receipt.status, "rejected");
    assert.equal(receipt.httpStatus, httpStatus);
    assert.equal(receipt.attempts.length, 0);
    assert.ok(receipt.errorMessage);
  }

  it("malformed JSON → 400 saying so", async () => {
    const r = await post('{"model": "default", "messages": [');
    assert.equal(r.status, 400);
    assert.equal(r.body.error.type, "invalid_request_error");
    assert.match(r.body.error.message, /not valid JSON/);
    await assertRejectedReceipt(r.requestId, 400);
  });

  it("missing messages → 400 naming the parameter", async () => {
    const r = await post(JSON.stringify({ model: "default" }));
    assert.equal(r.status, 400);
    assert.equal(r.body.error.param, "messages");
    assert.match(r.body.error.message, /messages/);
    const receipt = await gw.receipt(r.requestId);
    assert.equal(receipt.requestedModel, "default");
    await assertRejectedReceipt(r.requestId, 400);
  });

  it("wrong types → 400 naming the parameter", async () => {
    const r = await post(JSON.stringify({ model: "default", messages: [{ role: "user", content: "hi" }], temperature: "hot" }));
    assert.equal(r.status, 400);
    assert.equal(r.body.error.param, "temperature");
    const r2 = await post(JSON.stringify({ model: "default", messages: [{ role: "wizard", content: "hi" }] }));
    assert.equal(r2.status, 400);
    assert.match(r2.body.error.param ?? "", /messages\[0\]/);
  });

  it("a body over the size limit → 413 naming the setting", async () => {
    const big = JSON.stringify({ model: "default", messages: [{ role: "user", content: "x".repeat(4000) }] });
    const r = await post(big);
    assert.equal(r.status, 413);
    assert.match(r.body.error.message, /max_body_bytes/);
    await assertRejectedReceipt(r.requestId, 413);
  });

  it("a body over the limit sent in chunks without content-length → 413", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${gw.url}/v1/chat/completions`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.write('{"model":"default","messages":[{"role":"user","content":"');
      req.write("y".repeat(3000));
      req.end('"}]}');
    });
    assert.equal(status, 413);
  });

  it("an unknown model → 404 model_not_found naming the closest ids, never a substitute", async () => {
    const r = await post(JSON.stringify({ model: "sim-pr", messages: [{ role: "user", content: "hi" }] }));
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, "model_not_found");
    assert.match(r.body.error.message, /'sim-pro'/);
    await assertRejectedReceipt(r.requestId, 404);
  });

  it("the SDK raises NotFoundError for an unknown model", async () => {
    await assert.rejects(
      gw.openai.chat.completions.create({ model: "gpt-9", messages: [{ role: "user", content: "hi" }] }),
      (err: unknown) => err instanceof OpenAI.NotFoundError && /does not exist/.test(err.message),
    );
  });

  it("a client-chosen <provider>/<model> name with characters a header cannot hold still gets a clean answer", async () => {
    const r = await post(JSON.stringify({ model: "simulated/sim-mini-\u00e9t\u00e9\n", messages: [{ role: "user", content: "hi" }] }));
    assert.equal(r.status, 404);
    assert.match(r.body.error.message, /simulated provider simulated has no model/);
    const receipt = await gw.receipt(r.requestId);
    assert.equal(receipt.model, "simulated/sim-mini-\u00e9t\u00e9\n", "the receipt keeps the name as it was");
  });

  it("an invalid x-switchyard-complexity header → 400", async () => {
    const r = await post(JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }), { "x-switchyard-complexity": "extreme" });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /low, medium, high/);
  });

  it("unknown paths and methods are OpenAI-shaped errors", async () => {
    const a = await fetch(`${gw.url}/v1/nope`);
    assert.equal(a.status, 404);
    assert.ok(((await a.json()) as ErrorBody).error.message);
    const b = await fetch(`${gw.url}/v1/chat/completions`);
    assert.equal(b.status, 405);
  });
});
