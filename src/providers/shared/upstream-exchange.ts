import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import type { AbortHook } from "./upstream-call.ts";

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
  /** Aborts the exchange with the hook's reason, before or after the headers. */
  abort: AbortHook;
}

/** Buffered body bytes past which the upstream is paused until the reader catches up. */
const HIGH_WATER_BYTES = 64 * 1024;

/*
 * Upstream exchanges on undici's dispatch API: a handler of our own instead of `request()`,
 * which for each call builds a Readable body, an async resource and an abort listener of its
 * own — per request CPU the gateway does not need, since it reads answers whole or as a plain
 * sequence of chunks. The hook's reason is what the exchange rejects with, as with `request()`'s
 * signal.
 */

/** Sends a request and reads the whole answer. */
export function exchangeWhole(dispatcher: Dispatcher, options: ExchangeOptions): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    new WholeExchange(options.abort, resolve, reject).begin(dispatcher, options);
  });
}

/** Sends a request and resolves once the headers are in; the body follows as it arrives. */
export function exchangeStream(dispatcher: Dispatcher, options: ExchangeOptions): Promise<UpstreamStream> {
  return new Promise((resolve, reject) => {
    new StreamExchange(options.abort, resolve, reject).begin(dispatcher, options);
  });
}

/**
 * One request on undici's dispatch API, as the handler undici calls back. It settles once: with
 * its answer, with undici's error, or with the hook's reason as soon as the hook aborts — also
 * while the request still waits for a connection (it is dropped when its turn comes).
 */
abstract class Exchange<T> implements Dispatcher.DispatchHandler {
  private settled = false;
  private controller: Dispatcher.DispatchController | null = null;
  private readonly hook: AbortHook;
  /** Settle the promise the exchange was started for. */
  protected readonly resolve: (value: T) => void;
  protected readonly reject: (err: unknown) => void;
  private readonly onAbort = (reason: unknown): void => {
    this.controller?.abort(reason as Error);
    this.fail(reason);
  };

  constructor(hook: AbortHook, resolve: (value: T) => void, reject: (err: unknown) => void) {
    this.hook = hook;
    this.resolve = resolve;
    this.reject = reject;
  }

  begin(dispatcher: Dispatcher, options: ExchangeOptions): void {
    if (this.hook.aborted) {
      this.settled = true;
      this.error(this.hook.reason);
      return;
    }
    this.hook.onAbort(this.onAbort);
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
        this,
      );
    } catch (err) {
      this.fail(err);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.settled) {
      controller.abort((this.hook.reason as Error | undefined) ?? new Error("the exchange was abandoned"));
      return;
    }
    this.controller = controller;
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx informational answers come before the real one.
    if (this.settled || statusCode < 200) return;
    this.start(statusCode, headers as ResponseHeaders, controller);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.settled) this.data(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settle();
    this.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    // Aborted by the hook: its reason says why, whatever undici wraps it in.
    this.fail(this.hook.aborted ? this.hook.reason : err);
  }

  protected abstract start(statusCode: number, headers: ResponseHeaders, controller: Dispatcher.DispatchController): void;
  protected abstract data(chunk: Buffer): void;
  protected abstract end(): void;
  protected abstract error(err: unknown): void;

  private settle(): void {
    this.settled = true;
    this.hook.offAbort(this.onAbort);
  }

  private fail(err: unknown): void {
    if (this.settled) return;
    this.settle();
    this.error(err);
  }
}

class WholeExchange extends Exchange<UpstreamAnswer> {
  private readonly chunks: Buffer[] = [];
  private statusCode = 0;
  private headers: ResponseHeaders = {};

  protected start(statusCode: number, headers: ResponseHeaders): void {
    this.statusCode = statusCode;
    this.headers = headers;
  }

  protected data(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  protected end(): void {
    this.resolve({ statusCode: this.statusCode, headers: this.headers, text: decodeUtf8(this.chunks) });
  }

  protected error(err: unknown): void {
    this.reject(err);
  }
}

class StreamExchange extends Exchange<UpstreamStream> {
  private body: BodyQueue | null = null;

  protected start(statusCode: number, headers: ResponseHeaders, c: Dispatcher.DispatchController): void {
    const queue = new BodyQueue(c);
    this.body = queue;
    this.resolve({
      statusCode,
      headers,
      body: queue,
      abort: () => {
        if (!queue.ended && !c.aborted) c.abort(new Error("the gateway stopped reading the answer"));
      },
    });
  }

  protected data(chunk: Buffer): void {
    this.body?.push(chunk);
  }

  protected end(): void {
    this.body?.end();
  }

  protected error(err: unknown): void {
    if (this.body === null) this.reject(err);
    else this.body.fail(err);
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
