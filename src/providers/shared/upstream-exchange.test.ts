import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import type { AbortHook } from "./upstream-call.ts";
import { exchangeStream, exchangeWhole, type ExchangeOptions } from "./upstream-exchange.ts";

const BIG = 1024 * 1024;
let server: Server;
let origin: string;
let pool: Pool;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/echo") {
        res.writeHead(201, { "content-type": "application/json", "x-twice": ["a", "b"] });
        // The answer in several writes, with a multi-byte character split across two of them.
        const body = Buffer.from(`{"got":${Buffer.concat(chunks).toString()},"text":"é"}`);
        const cut = body.indexOf(Buffer.from("é")) + 1;
        res.write(body.subarray(0, cut));
        setTimeout(() => res.end(body.subarray(cut)), 5);
        return;
      }
      if (req.url === "/big") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        let sent = 0;
        const more = (): void => {
          while (sent < BIG) {
            const n = Math.min(16 * 1024, BIG - sent);
            const piece = Buffer.alloc(n, sent / 1024 % 26 + 97);
            sent += n;
            if (!res.write(piece)) return void res.once("drain", more);
          }
          res.end();
        };
        more();
        return;
      }
      if (req.url === "/hang") return; // headers never come
      if (req.url === "/half") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: one\n\n"); // and nothing more
        return;
      }
      res.writeHead(404).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new Pool(origin);
});

after(async () => {
  await pool.destroy();
  server.closeAllConnections();
  server.close();
});

/** An AbortHook that follows an AbortSignal (the exchange's own callers pass an UpstreamCall). */
function hookOf(signal: AbortSignal): AbortHook {
  const listening = new Map<(reason: unknown) => void, () => void>();
  return {
    get aborted() {
      return signal.aborted;
    },
    get reason() {
      return signal.reason as unknown;
    },
    onAbort(listener) {
      const heard = (): void => listener(signal.reason);
      listening.set(listener, heard);
      signal.addEventListener("abort", heard, { once: true });
    },
    offAbort(listener) {
      const heard = listening.get(listener);
      if (heard) signal.removeEventListener("abort", heard);
      listening.delete(listener);
    },
  };
}

const options = (path: string, signal: AbortSignal = new AbortController().signal, body: string | null = null): ExchangeOptions => ({
  origin,
  path,
  method: body === null ? "GET" : "POST",
  headers: { "content-type": "application/json" },
  body,
  abort: hookOf(signal),
});

test("a whole answer: status, headers, and the body decoded as UTF-8 across reads", async () => {
  const answer = await exchangeWhole(pool, options("/echo", undefined, '{"n":1}'));
  assert.equal(answer.statusCode, 201);
  assert.equal(answer.headers["content-type"], "application/json");
  assert.deepEqual(answer.headers["x-twice"], ["a", "b"]);
  assert.deepEqual(JSON.parse(answer.text), { got: { n: 1 }, text: "é" });
});

test("a streamed body read slowly arrives whole and in order (the upstream is paused, not dropped)", async () => {
  const stream = await exchangeStream(pool, options("/big"));
  assert.equal(stream.statusCode, 200);
  const parts: Buffer[] = [];
  let reads = 0;
  for await (const chunk of stream.body) {
    parts.push(Buffer.from(chunk));
    if (++reads % 4 === 0) await sleep(2);
  }
  const all = Buffer.concat(parts);
  assert.equal(all.length, BIG);
  // Each 16 KiB piece is filled with the letter of its offset in KiB (see the server).
  for (let at = 0; at < BIG; at += 9_973) {
    const pieceKiB = Math.floor(at / 16_384) * 16;
    assert.equal(all[at], (pieceKiB % 26) + 97, `byte ${at}`);
  }
});

test("the signal aborts with its reason: before the headers the exchange rejects, after them the body does", async () => {
  const early = new AbortController();
  const pending = exchangeWhole(pool, options("/hang", early.signal));
  setTimeout(() => early.abort(new Error("too slow")), 20);
  await assert.rejects(pending, /too slow/);

  const late = new AbortController();
  const stream = await exchangeStream(pool, options("/half", late.signal));
  const first = await stream.body.next();
  assert.equal(Buffer.from(first.value ?? []).toString(), "data: one\n\n");
  setTimeout(() => late.abort(new Error("client gone")), 20);
  await assert.rejects(stream.body.next(), /client gone/);
});

test("abort() stops a body that has not ended, and is a no-op once it has", async () => {
  const stream = await exchangeStream(pool, options("/half"));
  await stream.body.next();
  stream.abort();
  await assert.rejects(stream.body.next());
  const done = await exchangeStream(pool, options("/echo", undefined, "1"));
  for await (const _ of done.body) {
    // read to the end
  }
  done.abort();
  assert.deepEqual(await done.body.next(), { done: true, value: undefined });
});

test("an abort while the request still waits for a connection settles it at once", async () => {
  const single = new Pool(origin, { connections: 1 });
  try {
    const busy = new AbortController();
    const first = exchangeWhole(single, options("/hang", busy.signal));
    first.catch(() => undefined);
    const queued = new AbortController();
    const second = exchangeWhole(single, options("/echo", queued.signal, "2"));
    const began = performance.now();
    setTimeout(() => queued.abort(new Error("gave up waiting")), 20);
    await assert.rejects(second, /gave up waiting/);
    assert.ok(performance.now() - began < 1_000, "the queued exchange waited for the busy one");
    const already = new AbortController();
    already.abort(new Error("before it began"));
    await assert.rejects(exchangeWhole(single, options("/echo", already.signal, "3")), /before it began/);
    busy.abort(new Error("done"));
    await assert.rejects(first, /done/);
  } finally {
    await single.destroy();
  }
});

