import type { ServerResponse } from "node:http";
import { GatewayError } from "../core/errors.ts";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/**
 * A JSON text that is already serialised (an upstream's body forwarded as it came). `headers` is
 * taken over: its content type and length are set on it.
 */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string | number> = {}): void {
  headers["content-type"] = "application/json";
  headers["content-length"] = Buffer.byteLength(text);
  res.writeHead(status, headers);
  res.end(text);
}

/** Answers with the OpenAI-shaped error body and the error's HTTP status. */
export function sendError(res: ServerResponse, error: GatewayError, headers: Record<string, string> = {}): void {
  sendErrorBody(res, error, error.toOpenAI(), headers);
}

/**
 * Answers with an error in any wire format: the error's status, and the headers its kind calls
 * for — `retry-after` on a 429 that knows when to come back, `www-authenticate` on a 401 — unless
 * `headers` says otherwise. After headers went out, the connection is cut instead.
 */
export function sendErrorBody(res: ServerResponse, error: GatewayError, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const extra: Record<string, string> = {};
  if ((error.kind === "rate_limited" || error.kind === "budget_exceeded") && error.retryAfterMs !== undefined) {
    extra["retry-after"] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  if (error.kind === "unauthorized") extra["www-authenticate"] = 'Bearer realm="switchyard"';
  sendJson(res, error.status, body, { ...extra, ...headers });
}

export function notFound(path: string): GatewayError {
  return new GatewayError("not_found", `Unknown path ${path}. See GET /v1/models, POST /v1/chat/completions, GET /v1/receipts/{id}, GET /healthz.`, {
    code: "not_found",
  });
}
