import { GatewayError, type ErrorKind } from "../../core/errors.ts";
import { redact, retryAfterFromHeaders } from "../shared/http-values.ts";
import { snippet } from "../shared/parse-upstream-json.ts";

export interface AnthropicErrorInput {
  /** Configured provider name, first word of the message. */
  provider: string;
  /** HTTP status; null for an `error` event inside a stream. */
  status: number | null;
  /** The body parsed as JSON, or its text when it was not JSON. */
  body: unknown;
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Strings never to repeat in a message (the API key). */
  secrets?: readonly string[];
  /** Clock for `retry-after` HTTP dates. */
  nowMs?: number;
}

/** https://docs.claude.com/en/api/errors */
const KIND_BY_STATUS: Readonly<Record<number, ErrorKind>> = {
  400: "bad_request",
  401: "auth",
  402: "insufficient_quota",
  403: "permission",
  // The model is the only resource a message names.
  404: "model_not_found",
  408: "timeout",
  413: "payload_too_large",
  429: "rate_limited",
  500: "upstream_5xx",
  503: "overloaded",
  504: "timeout",
  529: "overloaded",
};

/** Error `type`s, for errors without an HTTP status (in-stream `error` events). */
const KIND_BY_TYPE: Readonly<Record<string, ErrorKind>> = {
  invalid_request_error: "bad_request",
  authentication_error: "auth",
  billing_error: "insufficient_quota",
  permission_error: "permission",
  not_found_error: "model_not_found",
  request_too_large: "payload_too_large",
  rate_limit_error: "rate_limited",
  api_error: "upstream_5xx",
  timeout_error: "timeout",
  overloaded_error: "overloaded",
};

/** OpenAI error codes for the kinds OpenAI clients tell apart by code. */
const OPENAI_CODE: Partial<Record<ErrorKind, string>> = {
  context_length: "context_length_exceeded",
  model_not_found: "model_not_found",
  insufficient_quota: "insufficient_quota",
};

// "prompt is too long: 208310 tokens > 200000 maximum";
// "input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, …"
const CONTEXT_LENGTH_MESSAGE = /prompt is too long|exceed context limit|context window/i;
// A 429 whose details say the organisation hit its spend limit, or a 400 about credits: waiting will not help.
const OUT_OF_CREDIT_MESSAGE = /credit balance is too low/i;

interface Details {
  message: string;
  type?: string;
  errorCode?: string;
  requestId?: string;
}

/** Status, body and headers of a failed Messages API call (or an in-stream `error` event) → the gateway's error. */
export function classifyAnthropicError(input: AnthropicErrorInput): GatewayError {
  const details = errorDetails(input.body);
  const kind = kindOf(input.status, details);
  const label = [input.status ?? "error in stream", details.type].filter((x) => x !== undefined).join(" ");
  const requestId = details.requestId === undefined ? "" : ` (request_id ${details.requestId})`;
  const message = redact(`${input.provider}: ${label}: ${details.message}${requestId}`, input.secrets ?? []);
  const retryAfterMs = retryAfterFromHeaders(input.headers ?? {}, input.nowMs ?? Date.now());
  const code = OPENAI_CODE[kind];
  return new GatewayError(kind, message, {
    provider: input.provider,
    ...(input.status !== null && { upstreamStatus: input.status }),
    ...(code !== undefined && { code }),
    ...(retryAfterMs !== undefined && kind !== "insufficient_quota" && { retryAfterMs }),
  });
}

function kindOf(status: number | null, d: Details): ErrorKind {
  if (d.errorCode === "enforced_spend_limit_reached" || OUT_OF_CREDIT_MESSAGE.test(d.message)) return "insufficient_quota";
  const clientSide = status === null || (status >= 400 && status < 500 && status !== 429);
  if (clientSide && (d.type === undefined || d.type === "invalid_request_error") && CONTEXT_LENGTH_MESSAGE.test(d.message)) {
    return "context_length";
  }
  if (status !== null && status >= 400) return KIND_BY_STATUS[status] ?? (status >= 500 ? "upstream_5xx" : "bad_request");
  return (d.type !== undefined ? KIND_BY_TYPE[d.type] : undefined) ?? "upstream_5xx";
}

/** `{"type":"error","error":{"type","message","details"},"request_id"}`, else whatever came (text, HTML). */
function errorDetails(body: unknown): Details {
  if (typeof body === "string") return { message: describeText(body) };
  if (!isRecord(body)) return { message: String(body) };
  const inner = isRecord(body["error"]) ? body["error"] : body;
  const details: Details = { message: typeof inner["message"] === "string" ? inner["message"] : snippet(JSON.stringify(body), 500) };
  if (typeof inner["type"] === "string" && inner["type"] !== "error") details.type = inner["type"];
  const extra = inner["details"];
  if (isRecord(extra) && typeof extra["error_code"] === "string") details.errorCode = extra["error_code"];
  if (typeof body["request_id"] === "string") details.requestId = body["request_id"];
  return details;
}

function describeText(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "(empty body)";
  if (/^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return `an HTML page${title ? ` (${title})` : ""}`;
  }
  return snippet(trimmed, 500);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
