import { Pool, type Dispatcher } from "undici";
import { GatewayError } from "../../core/errors.ts";
import { startUpstreamCall, type UpstreamCall } from "./upstream-call.ts";

export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  /** Sent as JSON; a request without a body is a GET. */
  body?: unknown;
}

/** The I/O half every network adapter shares: one keep-alive pool per provider origin. */
export interface UpstreamClient {
  send(call: UpstreamCall, request: UpstreamRequest): Promise<Dispatcher.ResponseData>;
  /** One call's abort signal and timers, tied to the client's signal. */
  startCall(clientSignal: AbortSignal): UpstreamCall;
  /** A `timeout` error naming the provider. */
  timeout(message: string): GatewayError;
  /** Frees a streamed body and its call, once, however the stream ends. */
  releaser(call: UpstreamCall, body: Dispatcher.ResponseData["body"]): () => void;
  close(): Promise<void>;
}

export function createUpstreamClient(options: { provider: string; origin: string }): UpstreamClient {
  const { provider, origin } = options;
  // undici's fetch is several times slower than a keep-alive Pool for a proxy's traffic (DESIGN.md §3).
  const pool = new Pool(origin);
  return {
    send: (call, request) =>
      pool.request({
        origin,
        path: request.path,
        method: request.body === undefined ? "GET" : "POST",
        headers: request.headers,
        ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
        signal: call.signal,
        // The call's own timers enforce the limits; undici's would also fire while a slow client applies backpressure.
        headersTimeout: 0,
        bodyTimeout: 0,
      }),
    startCall: (clientSignal) => startUpstreamCall({ provider, origin, clientSignal }),
    timeout: (message) => new GatewayError("timeout", `${provider}: ${message}`, { provider }),
    releaser(call, body) {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        call.dispose();
        if (!body.destroyed && !body.readableEnded) body.destroy();
      };
    },
    close: () => pool.close(),
  };
}
