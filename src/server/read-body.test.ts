import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it, test } from "node:test";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import { parseJsonBody, readBody } from "./read-body.ts";
import { sendError, sendJson } from "./send.ts";

const LIMIT = 1024;
/** A test whose refusal never comes would otherwise wait for a body that is never sent. */
const FAST = { timeout: 2000 };

/** What the server made of one request: the body it read, or the error. */
type Outcome = { ok: true; body: Buffer } | { ok: false; error: GatewayError };

describe("readBody on a real node:http server", () => {
  let server: Server;
  let port = 0;
  /** Outcomes by request, so a test that fails cannot hand its outcome to the next one. */
  const pending = new Map<string, (o: Outcome) => void>();
  let lastId = 0;
  const register = (): { id: string; outcome: Promise<Outcome> } => {
    const id = String(++lastId);
    return { id, outcome: new Promise((resolve) => pending.set(id, resolve)) };
  };

  before(async () => {
    server = createServer((req, res) => {
      const report = pending.get(String(req.headers["x-test-id"]));
      readBody(req, LIMIT).then(
        (body) => {
          report?.({ ok: true, body });
          sendJson(res, 200, { bytes: body.length });
        },
        (err: unknown) => {
          const error = toGatewayError(err);
          report?.({ ok: false, error });
          if (!res.destroyed) sendError(res, error);
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /**
   * Sends `parts`, one write each (chunked unless `headers` set content-length), and ends the
   * body unless `keepOpen`. Resolves with the answer and what the server made of the body.
   */
  async function exchange(
    parts: (string | Buffer)[],
    headers: Record<string, string | number> = {},
    keepOpen = false,
  ): Promise<{ status: number; body: string; outcome: Outcome }> {
    const { id, outcome } = register();
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-type": "application/json", "x-test-id": id, ...headers } },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (body += d));
          res.on("end", () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on("error", (err) => (keepOpen ? undefined : reject(err)));
      for (const p of parts) req.write(p);
      if (keepOpen) req.flushHeaders();
      else req.end();
    });
    return { ...answer, outcome: await outcome };
  }

  const assertTooLarge = (o: Outcome): void => {
    assert.ok(!o.ok, "the body is refused");
    assert.equal(o.error.kind, "payload_too_large");
    assert.equal(o.error.status, 413);
    assert.equal(o.error.code, "request_too_large");
    assert.match(o.error.message, /\(1024 bytes\)/);
    assert.match(o.error.message, /raise server\.max_body_bytes/);
  };

  it("reads a body with content-length", FAST, async () => {
    const text = JSON.stringify({ model: "m", messages: [] });
    const a = await exchange([text], { "content-length": Buffer.byteLength(text) });
    assert.equal(a.status, 200);
    assert.ok(a.outcome.ok);
    assert.equal(a.outcome.body.toString("utf8"), text);
  });

  it("a body of exactly the limit is accepted", FAST, async () => {
    const a = await exchange(["x".repeat(LIMIT)], { "content-length": LIMIT });
    assert.equal(a.status, 200);
    assert.ok(a.outcome.ok);
    assert.equal(a.outcome.body.length, LIMIT);
  });

  it("a declared content-length over the limit is refused before any body byte is sent", FAST, async () => {
    // Headers only: the body never comes, so only the declared length can have refused it.
    const a = await exchange([], { "content-length": LIMIT + 1 }, true);
    assert.equal(a.status, 413);
    assertTooLarge(a.outcome);
    const wire = JSON.parse(a.body) as { error: { type: string; code: string } };
    assert.deepEqual([wire.error.type, wire.error.code], ["invalid_request_error", "request_too_large"]);
  });

  it("a chunked body within the limit is read whole, multi-byte characters split across chunks included", FAST, async () => {
    const text = JSON.stringify({ note: "café ☕ naïve" });
    const bytes = Buffer.from(text, "utf8");
    const cut = bytes.indexOf(Buffer.from("☕")) + 1; // in the middle of a 3-byte character
    const a = await exchange([bytes.subarray(0, cut), bytes.subarray(cut, cut + 3), bytes.subarray(cut + 3)]);
    assert.equal(a.status, 200);
    assert.ok(a.outcome.ok);
    assert.deepEqual(parseJsonBody(a.outcome.body), { note: "café ☕ naïve" });
  });

  it("a chunked body is refused as soon as it passes the limit, while the client is still sending", FAST, async () => {
    // Never ended: the refusal must come from counting, not from the end of the body.
    const a = await exchange(["y".repeat(600), "y".repeat(600)], { "transfer-encoding": "chunked" }, true);
    assert.equal(a.status, 413);
    assertTooLarge(a.outcome);
  });

  it("a chunked body exactly at the limit is accepted", FAST, async () => {
    const a = await exchange(["z".repeat(LIMIT / 2), "z".repeat(LIMIT / 2)], { "transfer-encoding": "chunked" });
    assert.equal(a.status, 200);
    assert.ok(a.outcome.ok);
    assert.equal(a.outcome.body.length, LIMIT);
  });

  it("an empty body reads as zero bytes", FAST, async () => {
    const a = await exchange([], { "content-length": 0 });
    assert.ok(a.outcome.ok);
    assert.equal(a.outcome.body.length, 0);
  });

  it("a client that hangs up mid-body → client_closed", FAST, async () => {
    const { id, outcome } = register();
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-length": 500, "x-test-id": id } });
    req.on("error", () => undefined);
    req.write("a".repeat(100));
    await new Promise((resolve) => setTimeout(resolve, 20));
    req.destroy();
    const o = await outcome;
    assert.ok(!o.ok);
    assert.equal(o.error.kind, "client_closed");
  });
});

test("parseJsonBody: an empty body says so and what to send", () => {
  assert.throws(
    () => parseJsonBody(Buffer.alloc(0)),
    (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.kind, "bad_request");
      assert.equal(err.status, 400);
      assert.equal(err.code, "invalid_json");
      assert.equal(err.message, "The request body is empty; send a JSON object with `model` and `messages`.");
      return true;
    },
  );
});

const invalid: { name: string; text: string }[] = [
  { name: "cut off", text: '{"model": "m", "messages": [' },
  { name: "a trailing comma", text: '{"model": "m",}' },
  { name: "single quotes", text: "{'model': 'm'}" },
  { name: "not JSON at all", text: "model=m" },
  { name: "whitespace only", text: "   \n" },
];
for (const c of invalid) {
  test(`parseJsonBody: invalid JSON (${c.name}) → 400 saying where it broke`, () => {
    assert.throws(
      () => parseJsonBody(Buffer.from(c.text)),
      (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.kind, "bad_request");
        assert.equal(err.code, "invalid_json");
        assert.match(err.message, /^The request body is not valid JSON \(.+\)\. Send a JSON object with `model` and `messages`\.$/);
        return true;
      },
    );
  });
}

test("parseJsonBody: valid JSON of any kind is returned parsed (the shape is checked later)", () => {
  assert.deepEqual(parseJsonBody(Buffer.from('{"a":[1,2]}')), { a: [1, 2] });
  assert.deepEqual(parseJsonBody(Buffer.from("[1]")), [1]);
  assert.equal(parseJsonBody(Buffer.from("null")), null);
  assert.equal(parseJsonBody(Buffer.from('"é"')), "é");
});
