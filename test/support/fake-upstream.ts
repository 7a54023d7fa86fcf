/**
 * A fake provider: a real `node:http` server on 127.0.0.1, port 0, answering each request with a
 * scripted reply. It records every request (method, path, headers, parsed body) so tests can
 * assert what an adapter sent, and `close()` destroys open sockets so no test ever hangs.
 *
 *   const upstream = await startFakeUpstream(sse(fixtureChunks("openai/openai-text.chunks.txt")));
 *   const upstream = await startFakeUpstream([json(errorBody, { status: 429 }), json(okBody)]);
 *   const upstream = await startFakeUpstream((req) => req.path.endsWith("/models") ? json(list) : hang());
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface RecordedRequest {
  method: string;
  /** Path and query string, e.g. `/v1/chat/completions?api-version=2024-10-21`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON when it is JSON, else the text ("" when there was none). */
  body: unknown;
}

/** How `sse()` frames each payload line (see ../shared/fixtures/SOURCES.md). */
export type SseFormat = "openai" | "anthropic" | "gemini";

export type Reply =
  | { kind: "body"; status: number; headers: Record<string, string>; body: string }
  | { kind: "frames"; status: number; headers: Record<string, string>; frames: string[]; delayMs: number; cutAfter?: number; stallAfter?: number }
  | { kind: "hang" }
  | { kind: "raw"; respond: (req: IncomingMessage, res: ServerResponse) => void | Promise<void> };

/** Decides the reply to a request; `index` counts requests from 0. */
export type FakeHandler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Requests received so far. */
  readonly calls: number;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than calls). */
  readonly connections: number;
  /** Requests whose client went away before the reply was complete. */
  readonly aborted: number;
  /** Resolves once `count` requests have been abandoned by their client. */
  waitForAbort(count?: number): Promise<void>;
  close(): Promise<void>;
}

interface ReplyOptions {
  status?: number;
  headers?: Record<string, string>;
}

/** A JSON body (any status). */
export function json(body: unknown, options: ReplyOptions = {}): Reply {
  return text(JSON.stringify(body), { contentType: "application/json", ...options });
}

/** A body as given, byte for byte (truncated JSON, plain text, a raw SSE recording…). */
export function text(body: string, options: ReplyOptions & { contentType?: string } = {}): Reply {
  return {
    kind: "body",
    status: options.status ?? 200,
    headers: { "content-type": options.contentType ?? "text/plain; charset=utf-8", ...options.headers },
    body,
  };
}

/** An HTML error page such as a load balancer or CDN sends. */
export function html(status = 502, page?: string): Reply {
  const body = page ?? `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;
  return text(body, { status, contentType: "text/html; charset=utf-8" });
}

/** The first `keepChars` characters of a JSON text, sent as application/json with status 200. */
export function truncatedJson(body: unknown, keepChars = 40): Reply {
  const full = typeof body === "string" ? body : JSON.stringify(body);
  return text(full.slice(0, keepChars), { contentType: "application/json" });
}

export interface SseOptions extends ReplyOptions {
  /** Framing of each line; `openai` (default) ends with `data: [DONE]`. */
  format?: SseFormat;
  /** Whether an `openai` stream ends with `data: [DONE]` (default true). */
  done?: boolean;
  /** Pause before each frame after the first. */
  delayMs?: number;
  /** Write this many frames, then destroy the socket (a connection cut mid-stream). */
  cutAfter?: number;
  /** Write this many frames, then stay silent with the connection open (a stalled stream). */
  stallAfter?: number;
}

/** Replays payload lines (e.g. a `*.chunks.txt` fixture) as server-sent events. */
export function sse(lines: readonly string[], options: SseOptions = {}): Reply {
  const format = options.format ?? "openai";
  const frames = lines.map((line) => frame(format, line));
  if (format === "openai" && options.done !== false) frames.push("data: [DONE]\n\n");
  return {
    kind: "frames",
    status: options.status ?? 200,
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...options.headers },
    frames,
    delayMs: options.delayMs ?? 0,
    ...(options.cutAfter !== undefined && { cutAfter: options.cutAfter }),
    ...(options.stallAfter !== undefined && { stallAfter: options.stallAfter }),
  };
}

function frame(format: SseFormat, line: string): string {
  switch (format) {
    case "openai":
      return `data: ${line}\n\n`;
    case "anthropic": {
      const payload: unknown = JSON.parse(line);
      const type = typeof payload === "object" && payload !== null && "type" in payload ? String(payload.type) : "message";
      return `event: ${type}\ndata: ${line}\n\n`;
    }
    case "gemini":
      return `data: ${line}\r\n\r\n`;
    default: {
      const never: never = format;
      return never;
    }
  }
}

/** Never answers: no status line, no headers (until the client gives up or the fake closes). */
export function hang(): Reply {
  return { kind: "hang" };
}

/** Sends the response headers, then nothing more. */
export function stallAfterHeaders(options: ReplyOptions = {}): Reply {
  return sse([], { ...options, done: false, stallAfter: 0 });
}

/** Escape hatch: answer the request by hand. The request body has already been read. */
export function raw(respond: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Reply {
  return { kind: "raw", respond };
}

/**
 * Starts the fake. The script is a handler, one reply for every request, or a list of replies
 * given in order (the last one repeats).
 */
export async function startFakeUpstream(script: FakeHandler | Reply | readonly Reply[]): Promise<FakeUpstream> {
  const handler: FakeHandler =
    typeof script === "function"
      ? script
      : Array.isArray(script)
        ? (_req, i) => replyAt(script, i)
        : () => script as Reply;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const stop = new AbortController();
  let aborted = 0;
  let connections = 0;
  const abortWaiters: { count: number; resolve: () => void }[] = [];

  const noteAbort = (): void => {
    aborted += 1;
    for (const waiter of abortWaiters.splice(0)) {
      if (aborted >= waiter.count) waiter.resolve();
      else abortWaiters.push(waiter);
    }
  };

  const server = createServer((req, res) => {
    let cutByUs = false;
    res.on("close", () => {
      if (!res.writableFinished && !cutByUs && !stop.signal.aborted) noteAbort();
    });
    void (async () => {
      const rawBody = await readBody(req);
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: req.headers,
        body: parseBody(rawBody, req.headers["content-type"]),
      };
      const index = requests.length;
      requests.push(recorded);
      const reply = await handler(recorded, index);
      await send(reply, req, res, stop.signal, () => {
        cutByUs = true;
      });
    })().catch((err: unknown) => {
      if (stop.signal.aborted || res.destroyed) return;
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`fake upstream failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  });
  server.on("connection", (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return requests.length;
    },
    requests,
    get connections() {
      return connections;
    },
    get aborted() {
      return aborted;
    },
    waitForAbort(count = 1) {
      if (aborted >= count) return Promise.resolve();
      return new Promise<void>((resolveWait) => abortWaiters.push({ count, resolve: resolveWait }));
    },
    async close() {
      stop.abort();
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

function replyAt(replies: readonly Reply[], index: number): Reply {
  const reply = replies[Math.min(index, replies.length - 1)];
  if (!reply) throw new Error("startFakeUpstream was given an empty list of replies");
  return reply;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function parseBody(rawBody: string, contentType: string | undefined): unknown {
  if (rawBody === "" || !(contentType ?? "").includes("json")) return rawBody;
  try {
    return JSON.parse(rawBody) as unknown;
  } catch {
    return rawBody;
  }
}

async function send(reply: Reply, req: IncomingMessage, res: ServerResponse, stop: AbortSignal, markCut: () => void): Promise<void> {
  switch (reply.kind) {
    case "body":
      res.writeHead(reply.status, { "content-length": String(Buffer.byteLength(reply.body)), ...reply.headers });
      res.end(reply.body);
      return;
    case "frames": {
      res.writeHead(reply.status, reply.headers);
      res.flushHeaders();
      for (const [i, data] of reply.frames.entries()) {
        if (i === reply.cutAfter) {
          markCut();
          // Let what was written reach the client first: destroy() drops unflushed writes.
          await new Promise<void>((flushed) => res.write("", () => flushed()));
          res.destroy();
          return;
        }
        if (i === reply.stallAfter) return;
        if (i > 0 && reply.delayMs > 0) {
          await sleep(reply.delayMs, undefined, { signal: stop }).catch(() => undefined);
        }
        if (res.destroyed || stop.aborted) return;
        res.write(data);
      }
      if (reply.cutAfter !== undefined && reply.cutAfter >= reply.frames.length) {
        markCut();
        res.destroy();
        return;
      }
      if (reply.stallAfter !== undefined) return;
      res.end();
      return;
    }
    case "hang":
      return;
    case "raw":
      await reply.respond(req, res);
      return;
    default: {
      const never: never = reply;
      return never;
    }
  }
}
