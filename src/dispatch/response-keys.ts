import { createHash } from "node:crypto";
import type { ChatRequest } from "../core/request.ts";

/** What an idempotency key is bound to: the endpoint and the body's exact bytes. */
export function idempotencyFingerprint(endpoint: string, body: Uint8Array): string {
  return createHash("sha256").update(endpoint).update("\n").update(body).digest("base64url");
}

/**
 * The response cache's key: the route and the resolved core request, without `stream`, so a
 * question asked streaming and not streaming (and through either wire format) shares one entry.
 */
export function responseCacheKey(route: string, request: ChatRequest): string {
  const { stream: _stream, ...rest } = request;
  return createHash("sha256").update(JSON.stringify([route, rest])).digest("base64url");
}
