import type { Dispatcher } from "undici";

/** Response headers as undici parses them: lower-case names. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** An answer read whole. */
export interface UpstreamAnswer {
  statusCode: number;
  headers: ResponseHeaders;
  /** The body as UTF-8 text. */
  text: string;
}

/** An answer whose body is still arriving. */
export interface UpstreamStream {
  statusCode: number;
  headers: ResponseHeaders;
  /** Each `next()` yields everything received since the last one; ends, or rejects with why the body broke. */
  body: AsyncIterable<Uint8Array> & AsyncIterator<Uint8Array>;
  /** Stops receiving (the connection is closed rather than reused) unless the body has ended. */
  abort(): void;
}

export interface ExchangeOptions {
  origin: string;
  path: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body: string | null;
  /** Aborts the exchange with the signal's reason, before or after the headers. */
  signal: AbortSignal;
}

/** Buffered body bytes past which the upstream is paused until the reader catches up. */
const HIGH_WATER_BYTES = 64 * 1024;

/*
 * Upstream exchanges on undici's dispatch API: a handler of our own instead of `request()`,
 * which for each call builds a Readable body, an async resource and an abort listener of its
 * own — per request CPU the gateway does not need, since it reads answers whole or as a plain
 * sequence of chunks. The signal's reason is what the exchange rejects with, as with `request()`.
 */

/** Sends a request and reads the whole answer. */
export function exchangeWhole(dispatcher: Dispatcher, options: ExchangeOptions): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let statusCode = 0;
    let headers: ResponseHeaders = {};
    dispatch(dispatcher, options, {
      start(status, h) {
        statusCode = status;
        headers = h;
      },
      data(chunk) {
        chunks.push(chunk);
      },
      end() {
        resolve({ statusCode, headers, text: decodeUtf8(chunks) });
      },
      error: reject,
    });
  });
}

/** Sends a request and resolves once the headers are in; the body follows as it arrives. */
export function exchangeStream(dispatcher: Dispatcher, options: ExchangeOptions): Promise<UpstreamStream> {
  return new Promise((resolve, reject) => {
    let body: BodyQueue | null = null;
    dispatch(dispatcher, options, {
      start(statusCode, headers, c) {
        const queue = new BodyQueue(c);
        body = queue;
        resolve({
          statusCode,
          headers,
          body: queue,
          abort: () => {
            if (!queue.ended && !c.aborted) c.abort(new Error("the gateway stopped reading the answer"));
          },
        });
      },
      data(chunk) {
        body?.push(chunk);
      },
      end() {
        body?.end();
      },
      error(err) {
        if (body === null) reject(err);
        else body.fail(err);
      },
    });
  });
}

interface ExchangeHandler {
  start(statusCode: number, headers: ResponseHeaders, controller: Dispatcher.DispatchController): void;
  data(chunk: Buffer): void;
  end(): void;
  error(err: unknown): void;
}

function dispatch(dispatcher: Dispatcher, options: ExchangeOptions, handler: ExchangeHandler): void {
  const { signal } = options;
  let settled = false;
  let controller: Dispatcher.DispatchController | null = null;
  // Listening from the start: an abort while the request still waits for a connection settles
  // the exchange at once, and the request is dropped when its turn comes.
  const onAbort = (): void => {
    controller?.abort(signal.reason);
    fail(signal.reason);
  };
  const settle = (): void => {
    settled = true;
    signal.removeEventListener("abort", onAbort);
  };
  const fail = (err: unknown): void => {
    if (settled) return;
    settle();
    handler.error(err);
  };
  if (signal.aborted) {
    handler.error(signal.reason);
    return;
  }
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    dispatcher.dispatch(
      {
        origin: options.origin,
        path: options.path,
        method: options.method,
        headers: options.headers,
        body: options.body,
        // The call's own timers enforce the limits; undici's would also fire while a slow client applies backpressure.
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      {
        onRequestStart(c) {
          if (settled) {
            c.abort(signal.reason ?? new Error("the exchange was abandoned"));
            return;
          }
          controller = c;
        },
        onResponseStart(c, statusCode, headers) {
          // 1xx informational answers come before the real one.
          if (settled || statusCode < 200) return;
          handler.start(statusCode, headers as ResponseHeaders, c);
        },
        onResponseData(_c, chunk) {
          if (!settled) handler.data(chunk);
        },
        onResponseEnd() {
          if (settled) return;
          settle();
          handler.end();
        },
        onResponseError(_c, err) {
          // Aborted by the signal: the signal's reason says why, whatever undici wraps it in.
          fail(signal.aborted ? (signal.reason as unknown) : err);
        },
      },
    );
  } catch (err) {
    fail(err);
  }
}

/** The text of a body, without a byte-order mark (as undici's `body.text()` reads it). */
function decodeUtf8(chunks: readonly Buffer[]): string {
  const text = chunks.length === 1 ? (chunks[0]?.toString("utf8") ?? "") : Buffer.concat(chunks).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A body as an async iterator: whatever arrived since the last `next()`, one chunk at a time. */
class BodyQueue implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  private readonly controller: Dispatcher.DispatchController;
  private chunks: Buffer[] = [];
  private bytes = 0;
  ended = false;
  private failure: { error: unknown } | null = null;
  private waiting: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (err: unknown) => void } | null = null;

  constructor(controller: Dispatcher.DispatchController) {
    this.controller = controller;
  }

  push(chunk: Buffer): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting.resolve({ done: false, value: chunk });
      return;
    }
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > HIGH_WATER_BYTES && !this.controller.paused) this.controller.pause();
  }

  end(): void {
    this.ended = true;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve({ done: true, value: undefined });
  }

  fail(error: unknown): void {
    if (this.ended || this.failure) return;
    this.failure = { error };
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.chunks.length > 0) {
      const value = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
      this.chunks = [];
      this.bytes = 0;
      if (this.controller.paused && !this.failure) this.controller.resume();
      return Promise.resolve({ done: false, value });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
