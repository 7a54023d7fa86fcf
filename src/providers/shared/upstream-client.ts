import { Pool } from "undici";
import { GatewayError } from "../../core/errors.ts";
import { headerValue, parseLoosely } from "./http-values.ts";
import { parseUpstreamJson } from "./parse-upstream-json.ts";
import { startUpstreamCall, type UpstreamCall } from "./upstream-call.ts";
import { exchangeStream, exchangeWhole, type ExchangeOptions, type ResponseHeaders, type UpstreamAnswer, type UpstreamStream } from "./upstream-exchange.ts";

export type { ResponseHeaders, UpstreamAnswer } from "./upstream-exchange.ts";

export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  /** Sent as JSON; a request without a body is a GET. */
  body?: unknown;
}

/** How one provider's failures read: the adapter's own classification. */
export interface UpstreamErrors {
  /** The error for an answer with a failing status (`body`: JSON where it parsed, else the text). */
  status(status: number, body: unknown, headers: ResponseHeaders): GatewayError;
  /** A successful status whose JSON body is an error object anyway, or null when it is not. */
  inBody(json: unknown, status: number, headers: ResponseHeaders): GatewayError | null;
}

/** An opened event stream: its body, and the call that must be released when it is over. */
export interface OpenedStream {
  call: UpstreamCall;
  body: UpstreamStream["body"];
  /** Frees the body and the call, once, however the stream ends. */
  release: () => void;
}

/** The I/O half every network adapter shares: one keep-alive pool per provider origin. */
export interface UpstreamClient {
  /** Sends a request and reads its whole answer. */
  send(call: UpstreamCall, request: UpstreamRequest): Promise<UpstreamAnswer>;
  /**
   * Runs one call that ends with its answer: the timer covers all of `work`, whatever it throws
   * becomes the call's error, and the call is disposed of afterwards.
   */
  run<T>(clientSignal: AbortSignal, limit: { ms: number; what: string }, work: (call: UpstreamCall) => Promise<T>): Promise<T>;
  /** Reads a JSON answer, throwing the provider's error for a failing status or an error body. */
  readJson(res: UpstreamAnswer, options?: { errorInBody?: boolean }): { json: unknown; text: string };
  /**
   * Sends a streaming request and waits for its headers (within `timeoutMs`). A failing status,
   * or JSON / HTML where an event stream was expected, is thrown before anything is read.
   */
  openStream(clientSignal: AbortSignal, timeoutMs: number, request: UpstreamRequest): Promise<OpenedStream>;
  /** A `timeout` error naming the provider. */
  timeout(message: string): GatewayError;
  close(): Promise<void>;
}

export function createUpstreamClient(options: { provider: string; origin: string; errors: UpstreamErrors }): UpstreamClient {
  const { provider, origin, errors } = options;
  // undici's fetch is several times slower than a keep-alive Pool for a proxy's traffic (DESIGN.md §3).
  const pool = new Pool(origin);
  const timeout = (message: string): GatewayError => new GatewayError("timeout", `${provider}: ${message}`, { provider });
  const optionsOf = (call: UpstreamCall, request: UpstreamRequest): ExchangeOptions => ({
    origin,
    path: request.path,
    method: request.body === undefined ? "GET" : "POST",
    headers: request.headers,
    body: request.body === undefined ? null : JSON.stringify(request.body),
    abort: call,
  });
  const send = (call: UpstreamCall, request: UpstreamRequest): Promise<UpstreamAnswer> => exchangeWhole(pool, optionsOf(call, request));
  const startCall = (clientSignal: AbortSignal): UpstreamCall => startUpstreamCall({ provider, origin, clientSignal });

  const readJson: UpstreamClient["readJson"] = (res, readOptions = {}) => {
    const text = res.text;
    if (res.statusCode >= 300) throw errors.status(res.statusCode, parseLoosely(text), res.headers);
    const json = parseUpstreamJson({ provider, status: res.statusCode, contentType: headerValue(res.headers["content-type"]), text });
    const failure = readOptions.errorInBody === false ? null : errors.inBody(json, res.statusCode, res.headers);
    if (failure) throw failure;
    return { json, text };
  };

  return {
    send,
    timeout,
    readJson,
    async run(clientSignal, limit, work) {
      const call = startCall(clientSignal);
      call.arm(limit.ms, () => timeout(`no ${limit.what} within ${limit.ms} ms`));
      try {
        return await work(call);
      } catch (err) {
        throw call.errorFrom(err);
      } finally {
        call.dispose();
      }
    },
    async openStream(clientSignal, timeoutMs, request) {
      const call = startCall(clientSignal);
      call.arm(timeoutMs, () => timeout(`no response headers within ${timeoutMs} ms`));
      let res: UpstreamStream;
      try {
        res = await exchangeStream(pool, optionsOf(call, request));
        const contentType = headerValue(res.headers["content-type"]) ?? "";
        if (res.statusCode >= 300 || /json|html/i.test(contentType)) {
          readJson({ statusCode: res.statusCode, headers: res.headers, text: await readRest(res.body) });
          throw new GatewayError("bad_response", `provider ${provider} answered with JSON, not an event stream (status ${res.statusCode})`, {
            provider,
            upstreamStatus: res.statusCode,
          });
        }
      } catch (err) {
        call.dispose();
        throw call.errorFrom(err);
      }
      call.disarm();
      const stream = res;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        call.dispose();
        stream.abort();
      };
      return { call, body: stream.body, release };
    },
    close: () => pool.close(),
  };
}

/** The rest of a body as text (an error answer where a stream was expected). */
async function readRest(body: AsyncIterator<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for (let next = await body.next(); !next.done; next = await body.next()) text += decoder.decode(next.value, { stream: true });
  return text + decoder.decode();
}
