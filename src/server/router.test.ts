import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, it } from "node:test";
import { Router } from "./router.ts";
import { sendJson } from "./send.ts";

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

interface ErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}

describe("Router on a real node:http server", () => {
  let server: Server;
  let base: string;
  /** What `router.handle` threw instead of answering (it must never throw). */
  const thrown: unknown[] = [];
  const echo = (name: string) => (_req: IncomingMessage, res: ServerResponse, params: Record<string, string>): void =>
    sendJson(res, 200, { handler: name, params });

  const router = new Router()
    .on("GET", "/v1/models", echo("models"))
    .on("GET", "/v1/models/:id", echo("model"))
    .on("POST", "/v1/chat/completions", echo("chat"))
    .on("GET", "/v1/receipts/:id", echo("receipt"))
    .on("GET", "/v1/receipts/stats", echo("stats"))
    .on("GET", "/v1/things/:a/parts/:b", echo("part"))
    .on("GET", "/", echo("root"))
    .on("GET", "/throws", () => {
      throw new Error("sync boom");
    })
    .on("GET", "/rejects", async () => {
      await Promise.resolve();
      throw new Error("async boom");
    })
    .on("GET", "/throws-after-headers", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
      throw new Error("late boom");
    })
    .on("GET", "/items/:id", async (_req, res, params) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      sendJson(res, 200, { handler: "item", params });
    });

  before(async () => {
    server = createServer((req, res) => {
      try {
        router.handle(req, res);
      } catch (err) {
        // gateway-server.ts has no such guard: there, this throw is an uncaught exception.
        thrown.push(err);
        if (!res.headersSent) res.writeHead(599).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    thrown.length = 0;
  });

  async function call(method: string, path: string): Promise<Answer> {
    const res = await fetch(`${base}${path}`, { method });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body };
  }

  const routed: { name: string; method: string; path: string; handler: string; params: Record<string, string> }[] = [
    { name: "an exact route", method: "GET", path: "/v1/models", handler: "models", params: {} },
    { name: "an exact route with a query string", method: "GET", path: "/v1/models?limit=3&x=%20", handler: "models", params: {} },
    { name: "an exact route with a trailing slash", method: "GET", path: "/v1/models/", handler: "models", params: {} },
    { name: "POST on a POST route", method: "POST", path: "/v1/chat/completions", handler: "chat", params: {} },
    { name: "the root", method: "GET", path: "/", handler: "root", params: {} },
    { name: "a :param route", method: "GET", path: "/v1/models/gpt-5.4", handler: "model", params: { id: "gpt-5.4" } },
    { name: "a :param route with a query string", method: "GET", path: "/v1/receipts/req-1?verbose=1", handler: "receipt", params: { id: "req-1" } },
    { name: "a :param is percent-decoded", method: "GET", path: "/v1/models/openai%2Fgpt-5.4", handler: "model", params: { id: "openai/gpt-5.4" } },
    { name: "a :param with encoded unicode", method: "GET", path: "/v1/models/caf%C3%A9", handler: "model", params: { id: "café" } },
    { name: "two :params", method: "GET", path: "/v1/things/x/parts/y", handler: "part", params: { a: "x", b: "y" } },
    { name: "an exact route over a :param route registered before it", method: "GET", path: "/v1/receipts/stats", handler: "stats", params: {} },
    { name: "an async handler", method: "GET", path: "/items/7", handler: "item", params: { id: "7" } },
  ];
  for (const r of routed) {
    it(`routes ${r.name}`, async () => {
      const a = await call(r.method, r.path);
      assert.equal(a.status, 200);
      assert.deepEqual(a.body, { handler: r.handler, params: r.params });
    });
  }

  const notFound: { name: string; method: string; path: string }[] = [
    { name: "an unknown path", method: "GET", path: "/nope" },
    { name: "an unknown path under /v1", method: "POST", path: "/v1/completions" },
    { name: "a :param route with an extra segment", method: "GET", path: "/v1/models/a/b" },
    { name: "a prefix of a route", method: "GET", path: "/v1" },
    { name: "a different case", method: "GET", path: "/V1/MODELS" },
  ];
  for (const n of notFound) {
    it(`answers an OpenAI-shaped 404 for ${n.name}`, async () => {
      const a = await call(n.method, n.path);
      assert.equal(a.status, 404);
      assert.match(a.headers.get("content-type") ?? "", /application\/json/);
      const { error } = a.body as ErrorBody;
      assert.equal(error.type, "invalid_request_error");
      assert.equal(error.code, "not_found");
      assert.equal(error.param, null);
      assert.ok(error.message.includes(`Unknown path ${n.path}`), error.message);
      assert.match(error.message, /POST \/v1\/chat\/completions/);
    });
  }

  const wrongMethod: { method: string; path: string }[] = [
    { method: "POST", path: "/v1/models" },
    { method: "DELETE", path: "/v1/models/gpt-5.4" },
    { method: "GET", path: "/v1/chat/completions" },
    { method: "PUT", path: "/v1/chat/completions?x=1" },
  ];
  for (const w of wrongMethod) {
    it(`answers 405 for ${w.method} ${w.path}`, async () => {
      const a = await call(w.method, w.path);
      assert.equal(a.status, 405);
      const { error } = a.body as ErrorBody;
      assert.equal(error.code, "method_not_allowed");
      assert.equal(error.type, "invalid_request_error");
      assert.match(error.message, new RegExp(`Method ${w.method} is not allowed on ${w.path.split("?")[0] ?? ""}\\.`));
    });
  }

  it(
    "a 405 says which methods are allowed (Allow header)",
    async () => {
      const a = await call("POST", "/v1/models");
      assert.equal(a.status, 405);
      assert.equal(a.headers.get("allow"), "GET");
    },
  );

  for (const path of ["/throws", "/rejects"]) {
    it(`a handler that ${path.slice(1)} → OpenAI-shaped 500, logged, and the server keeps serving`, async (t) => {
      const logged = t.mock.method(console, "error", () => undefined);
      const a = await call("GET", path);
      assert.equal(a.status, 500);
      assert.deepEqual(a.body, { error: { message: "internal error", type: "api_error", code: "internal", param: null } });
      assert.equal(logged.mock.callCount(), 1);
      assert.match(String(logged.mock.calls[0]?.arguments[1]), /boom/);
      assert.deepEqual(thrown, []);
      assert.equal((await call("GET", "/v1/models")).status, 200);
    });
  }

  it("a handler that throws after sending headers: the connection is cut, the server keeps serving", async (t) => {
    t.mock.method(console, "error", () => undefined);
    await assert.rejects(async () => {
      const res = await fetch(`${base}/throws-after-headers`);
      await res.text();
    });
    assert.deepEqual(thrown, []);
    assert.equal((await call("GET", "/v1/models")).status, 200);
  });

  it(
    "a malformed percent-encoding in a :param → 4xx, never a throw out of handle()",
    async () => {
      const a = await call("GET", "/v1/receipts/%E0%A4%A");
      assert.deepEqual(thrown, []);
      assert.ok(a.status >= 400 && a.status < 500, `status ${a.status}`);
      assert.ok((a.body as ErrorBody).error, "an OpenAI-shaped error body");
    },
  );
});
