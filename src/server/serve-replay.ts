import type { ServerResponse } from "node:http";
import { GatewayError } from "../core/errors.ts";
import { formatUsd } from "../cost/compute-cost.ts";
import type { ReceiptDraft } from "../dispatch/receipt-draft.ts";
import type { IdempotentResponse } from "../dispatch/response-stores.ts";
import { SSE_HEADERS } from "../wire/sse.ts";
import { headerSafe, responseHeaders } from "./response-headers.ts";
import { sendJsonText } from "./send.ts";

/** Longest `idempotency-key` kept: the store holds many of them, so each is bounded. */
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/**
 * Answers with a finished request's stored response: the same JSON, or the same SSE text at
 * once. The replay has its own receipt — no attempt, no cost — naming the request it repeats.
 */
export function serveReplay(options: { res: ServerResponse; draft: ReceiptDraft; stored: IdempotentResponse; idHeader: string | undefined }): void {
  const { res, draft, stored } = options;
  draft.requestedModel = stored.requestedModel;
  draft.plan = stored.plan;
  draft.target = stored.target;
  draft.finishReason = stored.finishReason;
  draft.meta.stream = stored.stream;
  draft.warnings.push(`idempotent replay of request ${stored.requestId}: no provider was called`);
  const headers = responseHeaders(draft, options.idHeader);
  if (stored.target) {
    headers["x-switchyard-model"] = headerSafe(stored.target.modelId);
    headers["x-switchyard-provider"] = headerSafe(stored.target.provider);
    if (draft.runtime.isSimulated(stored.target.provider)) headers["x-switchyard-simulated"] = "true";
  }
  headers["x-switchyard-idempotent-replay"] = stored.requestId;
  if (stored.stream) {
    res.writeHead(200, { ...SSE_HEADERS, ...headers });
    res.end(stored.body);
  } else {
    headers["x-switchyard-cost-usd"] = formatUsd(0);
    sendJsonText(res, 200, stored.body, headers);
  }
  draft.finish("ok", 200);
}

export function idempotencyKeyConflict(key: string): GatewayError {
  return new GatewayError(
    "conflict",
    `The idempotency-key '${key}' was already used with a different request body (or endpoint). Send a new key for a new request, or repeat the first request exactly to get its response again.`,
    { code: "idempotency_key_reused", param: "idempotency-key" },
  );
}

export function idempotencyKeyTooLong(length: number): GatewayError {
  return new GatewayError("bad_request", `The idempotency-key header is ${length} characters long; send at most ${MAX_IDEMPOTENCY_KEY_CHARS} (a UUID is plenty).`, {
    code: "invalid_idempotency_key",
    param: "idempotency-key",
  });
}
