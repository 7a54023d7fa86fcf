import { GatewayError, type ErrorKind } from "../../core/errors.ts";
import { redact, retryAfterFromHeaders } from "../shared/http-values.ts";

export interface GeminiErrorInput {
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

/** A Google API error: https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes */
interface GoogleError {
  code?: number;
  message: string;
  status?: string;
  details: Record<string, unknown>[];
}

const KIND_BY_STATUS: Readonly<Record<string, ErrorKind>> = {
  INVALID_ARGUMENT: "bad_request",
  FAILED_PRECONDITION: "bad_request",
  OUT_OF_RANGE: "bad_request",
  UNIMPLEMENTED: "bad_request",
  UNAUTHENTICATED: "auth",
  PERMISSION_DENIED: "permission",
  NOT_FOUND: "model_not_found",
  ALREADY_EXISTS: "conflict",
  RESOURCE_EXHAUSTED: "rate_limited",
  INTERNAL: "upstream_5xx",
  UNKNOWN: "upstream_5xx",
  DATA_LOSS: "upstream_5xx",
  ABORTED: "upstream_5xx",
  CANCELLED: "upstream_5xx",
  UNAVAILABLE: "overloaded",
  DEADLINE_EXCEEDED: "timeout",
};

const KIND_BY_HTTP: Readonly<Record<number, ErrorKind>> = {
  400: "bad_request",
  401: "auth",
  403: "permission",
  404: "model_not_found",
  408: "timeout",
  409: "conflict",
  413: "payload_too_large",
  429: "rate_limited",
  500: "upstream_5xx",
  503: "overloaded",
  504: "timeout",
};

/** "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)." */
const CONTEXT_LENGTH = /token count .*exceeds|exceeds the maximum number of tokens|context (window|length)|too many tokens/i;
/** FAILED_PRECONDITION for the caller's region: another provider can still answer. */
const REGION = /location is not supported|not available in your country/i;

/** Status, body and headers of a failed Gemini call → the gateway's error. */
export function classifyGeminiError(input: GeminiErrorInput): GatewayError {
  const secrets = input.secrets ?? [];
  const google = googleError(input.body);
  if (!google) return notAGoogleError(input, secrets);
  const status = input.status ?? google.code ?? null;
  const kind = kindOf(status, google);
  const label = [status ?? "error in stream", google.status].filter((x) => x !== undefined).join(" ");
  const retryAfterMs = retryDelayMs(google) ?? retryAfterFromHeaders(input.headers ?? {}, input.nowMs ?? Date.now()) ?? retryInMessage(google.message);
  const code = kind === "context_length" ? "context_length_exceeded" : kind === "model_not_found" ? "model_not_found" : undefined;
  return new GatewayError(kind, redactKeys(`${input.provider}: ${label}: ${google.message}`, secrets), {
    provider: input.provider,
    ...(status !== null && { upstreamStatus: status }),
    ...(code !== undefined && { code }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

function kindOf(status: number | null, e: GoogleError): ErrorKind {
  const reasons = e.details.map((d) => d["reason"]).filter((r): r is string => typeof r === "string");
  if (reasons.some((r) => r.startsWith("API_KEY_")) || /API key not valid|API key expired/i.test(e.message)) return "auth";
  if (e.status === "FAILED_PRECONDITION" && REGION.test(e.message)) return "permission";
  if ((status === 400 || e.status === "INVALID_ARGUMENT") && CONTEXT_LENGTH.test(e.message)) return "context_length";
  if (e.status === "RESOURCE_EXHAUSTED" && /credits are depleted/i.test(e.message)) return "insufficient_quota";
  const byStatus = e.status === undefined ? undefined : KIND_BY_STATUS[e.status];
  if (byStatus) return byStatus;
  if (status === null) return "upstream_5xx";
  return KIND_BY_HTTP[status] ?? (status >= 500 ? "upstream_5xx" : "bad_request");
}

/** `{error: {...}}`, or the same wrapped in an array (streamGenerateContent without `alt=sse`). */
function googleError(body: unknown): GoogleError | undefined {
  const first = Array.isArray(body) ? body[0] : body;
  const e = isRecord(first) ? first["error"] : undefined;
  if (!isRecord(e)) return undefined;
  const details = Array.isArray(e["details"]) ? e["details"].filter(isRecord) : [];
  return {
    message: typeof e["message"] === "string" ? e["message"] : JSON.stringify(e).slice(0, 500),
    ...(typeof e["code"] === "number" && { code: e["code"] }),
    ...(typeof e["status"] === "string" && { status: e["status"] }),
    details,
  };
}

/** An HTML page or text from something in front of Gemini (a proxy, a load balancer, a wrong URL). */
function notAGoogleError(input: GeminiErrorInput, secrets: readonly string[]): GatewayError {
  const { provider, status } = input;
  const what = describeBody(input.body);
  const byStatus = status === null ? undefined : KIND_BY_HTTP[status];
  // Only statuses that mean the same whoever sent them; a 404 page says the URL is wrong, not the model.
  const telling = status !== null && (status >= 500 || (byStatus !== undefined && !["bad_request", "model_not_found", "conflict"].includes(byStatus)));
  const kind: ErrorKind = telling ? (byStatus ?? "upstream_5xx") : "bad_response";
  const message = telling ? `${provider}: ${status}: ${what}` : `provider ${provider} answered${status === null ? "" : ` ${status}`} with ${what}`;
  const retryAfterMs = retryAfterFromHeaders(input.headers ?? {}, input.nowMs ?? Date.now());
  return new GatewayError(kind, redactKeys(message, secrets), {
    provider,
    ...(status !== null && { upstreamStatus: status }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

function describeBody(body: unknown): string {
  if (typeof body !== "string") return `an unexpected body: ${JSON.stringify(body)?.slice(0, 200) ?? String(body)}`;
  const trimmed = body.trim();
  if (trimmed === "") return "an empty body";
  if (/^<(!doctype|html)/i.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    return `an HTML page${title ? ` (${title})` : ""}`;
  }
  const flat = trimmed.replace(/\s+/g, " ");
  return `text: ${flat.length > 200 ? `${flat.slice(0, 200)}…` : flat}`;
}

/** `google.rpc.RetryInfo.retryDelay`, a protobuf Duration: "15s", "34.4s". */
function retryDelayMs(e: GoogleError): number | undefined {
  const info = e.details.find((d) => d["@type"] === "type.googleapis.com/google.rpc.RetryInfo");
  const delay = info?.["retryDelay"];
  const match = typeof delay === "string" ? /^(\d+(?:\.\d+)?)s$/.exec(delay.trim()) : null;
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000);
}

/** Newer quota messages end with "Please retry in 26.6s." */
function retryInMessage(message: string): number | undefined {
  const match = /retry in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(message);
  if (!match?.[1]) return undefined;
  return Math.round(Number(match[1]) * (match[2] === "ms" ? 1 : 1000));
}

/** The key, and any `key=` query parameter in a URL a message repeats. */
export function redactKeys(message: string, secrets: readonly string[]): string {
  return redact(message, secrets).replace(/([?&]key=)[^&\s"']+/gi, "$1[redacted]");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
