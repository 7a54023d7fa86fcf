import { GatewayError, type ErrorKind } from "../../core/errors.ts";
import { redact, retryAfterFromHeaders } from "../shared/http-values.ts";

export interface UpstreamErrorInput {
  /** Configured provider name, first word of the message. */
  provider: string;
  /** HTTP status; null for an error object sent inside a stream. */
  status: number | null;
  /** The body parsed as JSON, or its text when it was not JSON. */
  body: unknown;
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Strings never to repeat in a message (the API key). */
  secrets?: readonly string[];
  /** Clock for `retry-after` HTTP dates. */
  nowMs?: number;
}

interface Details {
  message: string;
  code?: string;
  type?: string;
  innerCode?: string;
  param?: string;
  /** A status named inside the body (`status_code`, a numeric `code`), for in-stream errors. */
  statusHint?: number;
}

const CONTENT_FILTER_CODES = new Set(["content_filter", "content_policy_violation", "ResponsibleAIPolicyViolation"]);

/** Error `type`/`code` words, for errors without a telling HTTP status (in-stream, 200). */
const KIND_BY_WORD: Readonly<Record<string, ErrorKind>> = {
  rate_limit_exceeded: "rate_limited",
  rate_limit_error: "rate_limited",
  tokens: "rate_limited",
  requests: "rate_limited",
  overloaded_error: "overloaded",
  server_overloaded: "overloaded",
  invalid_request_error: "bad_request",
  invalid_api_key: "auth",
  authentication_error: "auth",
  permission_error: "permission",
  server_error: "upstream_5xx",
  api_error: "upstream_5xx",
};

const CONTEXT_LENGTH_MESSAGE = /maximum context length|context_length_exceeded|exceeds? the context window/i;

/** Status, body and headers of a failed Chat Completions call → the gateway's error. */
export function classifyOpenAIError(input: UpstreamErrorInput): GatewayError {
  const details = errorDetails(input.body);
  const status = input.status ?? details.statusHint ?? null;
  const kind = kindOf(status, details);
  const label = [status ?? "error in stream", details.code ?? details.type].filter((x) => x !== undefined).join(" ");
  const message = redact(`${input.provider}: ${label}: ${details.message}`, input.secrets ?? []);
  const retryAfterMs = retryAfterFromHeaders(input.headers ?? {}, input.nowMs ?? Date.now()) ?? retryAfterFromMessage(details.message);
  return new GatewayError(kind, message, {
    provider: input.provider,
    ...(status !== null && { upstreamStatus: status }),
    ...(details.code !== undefined && { code: details.code }),
    ...(details.param !== undefined && { param: details.param }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

function kindOf(status: number | null, d: Details): ErrorKind {
  const words = [d.code, d.type, d.innerCode].filter((w): w is string => w !== undefined);
  if (words.some((w) => CONTENT_FILTER_CODES.has(w))) return "content_filter";
  if (words.includes("insufficient_quota")) return "insufficient_quota";
  const clientSide = status === null || status < 500;
  if (clientSide && status !== 429 && (d.code === "context_length_exceeded" || CONTEXT_LENGTH_MESSAGE.test(d.message))) {
    return "context_length";
  }
  if (d.code === "model_not_found") return "model_not_found";
  switch (status) {
    case 400:
    case 422:
      return "bad_request";
    case 401:
      return "auth";
    case 402: // DeepSeek and OpenRouter: insufficient balance
      return "insufficient_quota";
    case 403:
      return "permission";
    case 404: // the model is the only resource a chat completion names
      return "model_not_found";
    case 408:
      return "timeout";
    case 409:
      return "upstream_5xx";
    case 413:
      return "payload_too_large";
    case 429:
      return "rate_limited";
    case 503:
    case 529:
      return "overloaded";
    default:
      if (status !== null && status >= 500) return "upstream_5xx";
      if (status !== null && status >= 400) return "bad_request";
      for (const word of words) {
        const kind = KIND_BY_WORD[word];
        if (kind) return kind;
      }
      return "upstream_5xx";
  }
}

/** Reads the shapes seen in the wild: `{error: {...}}`, a bare error object, `{error: "text"}`, Gemini's `[{error}]`, plain text or HTML. */
function errorDetails(body: unknown): Details {
  if (Array.isArray(body) && body.length > 0) return errorDetails(body[0]);
  if (typeof body === "string") return { message: describeText(body) };
  if (!isRecord(body)) return { message: String(body) };
  const inner = body["error"];
  if (typeof inner === "string") return { message: inner };
  const e = isRecord(inner) ? inner : body;
  const details: Details = { message: typeof e["message"] === "string" ? e["message"] : JSON.stringify(body).slice(0, 500) };
  const metadata = e["metadata"];
  // OpenRouter says "Provider returned error" and puts the real reason in metadata.raw.
  if (isRecord(metadata) && typeof metadata["raw"] === "string") details.message += ` (${metadata["raw"]})`;
  if (typeof e["code"] === "string") details.code = e["code"];
  if (typeof e["code"] === "number") details.statusHint = e["code"];
  if (typeof e["status_code"] === "number") details.statusHint = e["status_code"];
  if (typeof e["type"] === "string") details.type = e["type"];
  if (typeof e["param"] === "string") details.param = e["param"];
  const innerError = e["innererror"];
  if (isRecord(innerError) && typeof innerError["code"] === "string") details.innerCode = innerError["code"];
  return details;
}

function describeText(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "(empty body)";
  if (/^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return `an HTML page${title ? ` (${title})` : ""}`;
  }
  const flat = trimmed.replace(/\s+/g, " ");
  return flat.length > 500 ? `${flat.slice(0, 500)}…` : flat;
}

/** `retry-after-ms` (OpenAI), then `retry-after` in seconds or as an HTTP date. */
/** OpenAI's rate-limit messages end with "Please try again in 1.574s" (or "…in 20ms"). */
function retryAfterFromMessage(message: string): number | undefined {
  const match = /try again in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(message);
  if (!match?.[1]) return undefined;
  return Math.round(Number(match[1]) * (match[2] === "ms" ? 1 : 1000));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
