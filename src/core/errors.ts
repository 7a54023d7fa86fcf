/**
 * The closed set of failure kinds. Each knows whether the same target may be retried, whether
 * the dispatcher may fall back to another target, and how it is shown to an OpenAI client.
 */
export type ErrorKind =
  | "rate_limited"
  | "insufficient_quota"
  | "overloaded"
  | "timeout"
  | "network"
  | "auth"
  | "permission"
  | "bad_request"
  | "not_found"
  | "model_not_found"
  | "context_length"
  | "content_filter"
  | "upstream_5xx"
  | "bad_response"
  | "budget_exceeded"
  | "payload_too_large"
  | "conflict"
  | "client_closed"
  | "unauthorized"
  | "forbidden"
  | "internal";

export interface ErrorKindInfo {
  /** The same target may be tried again after a backoff. */
  retryable: boolean;
  /** Another target in the chain may be tried. */
  fallback: boolean;
  /** HTTP status the gateway answers with when this is the final error. */
  status: number;
  /** OpenAI error `type`. */
  type: string;
}

/** Defaults written down as data. */
export const ERROR_KINDS: Readonly<Record<ErrorKind, ErrorKindInfo>> = {
  rate_limited: { retryable: true, fallback: true, status: 429, type: "rate_limit_error" },
  insufficient_quota: { retryable: false, fallback: true, status: 429, type: "insufficient_quota" },
  overloaded: { retryable: true, fallback: true, status: 503, type: "overloaded_error" },
  timeout: { retryable: true, fallback: true, status: 504, type: "timeout_error" },
  network: { retryable: true, fallback: true, status: 502, type: "api_error" },
  auth: { retryable: false, fallback: true, status: 502, type: "upstream_auth_error" },
  permission: { retryable: false, fallback: true, status: 502, type: "upstream_permission_error" },
  bad_request: { retryable: false, fallback: false, status: 400, type: "invalid_request_error" },
  not_found: { retryable: false, fallback: false, status: 404, type: "invalid_request_error" },
  model_not_found: { retryable: false, fallback: true, status: 404, type: "invalid_request_error" },
  context_length: { retryable: false, fallback: true, status: 400, type: "invalid_request_error" },
  content_filter: { retryable: false, fallback: false, status: 400, type: "invalid_request_error" },
  upstream_5xx: { retryable: true, fallback: true, status: 502, type: "api_error" },
  bad_response: { retryable: true, fallback: true, status: 502, type: "api_error" },
  budget_exceeded: { retryable: false, fallback: false, status: 429, type: "budget_exceeded" },
  payload_too_large: { retryable: false, fallback: false, status: 413, type: "invalid_request_error" },
  conflict: { retryable: false, fallback: false, status: 409, type: "invalid_request_error" },
  client_closed: { retryable: false, fallback: false, status: 499, type: "client_closed" },
  /** The client sent no gateway key, or one that is unknown or revoked (not an upstream's `auth`). */
  unauthorized: { retryable: false, fallback: false, status: 401, type: "authentication_error" },
  /** The client's gateway key may not use what it asked for (not an upstream's `permission`). */
  forbidden: { retryable: false, fallback: false, status: 403, type: "permission_error" },
  internal: { retryable: false, fallback: false, status: 500, type: "api_error" },
};

export interface GatewayErrorOptions {
  /** Configured provider name the error came from, when it came from an upstream. */
  provider?: string;
  /** HTTP status the upstream answered with. */
  upstreamStatus?: number;
  /** OpenAI error `code` (e.g. `model_not_found`, `context_length_exceeded`). */
  code?: string;
  /** The request parameter at fault. */
  param?: string;
  /** How long the upstream asked us to wait before retrying. */
  retryAfterMs?: number;
  /** Overrides the kind's default HTTP status. */
  status?: number;
  cause?: unknown;
}

/** The one error type of the gateway. */
export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly provider: string | undefined;
  readonly upstreamStatus: number | undefined;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly status: number;

  constructor(kind: ErrorKind, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.kind = kind;
    this.provider = options.provider;
    this.upstreamStatus = options.upstreamStatus;
    this.code = options.code;
    this.param = options.param;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status ?? ERROR_KINDS[kind].status;
  }

  get retryable(): boolean {
    return ERROR_KINDS[this.kind].retryable;
  }

  get fallback(): boolean {
    return ERROR_KINDS[this.kind].fallback;
  }

  /** The OpenAI-shaped body: `{"error": {"message", "type", "code", "param"}}`. */
  toOpenAI(): { error: { message: string; type: string; code: string | null; param: string | null } } {
    return {
      error: {
        message: this.message,
        type: ERROR_KINDS[this.kind].type,
        code: this.code ?? this.kind,
        param: this.param ?? null,
      },
    };
  }
}

/** Wraps anything thrown into a GatewayError, keeping GatewayErrors as they are. */
export function toGatewayError(err: unknown, provider?: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GatewayError("internal", message, { provider, cause: err });
}
