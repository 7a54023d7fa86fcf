import type { ErrorKind, GatewayError } from "../../core/errors.ts";

/**
 * Anthropic's error `type` for each gateway error kind
 * (https://docs.anthropic.com/en/api/errors). The HTTP status stays the kind's own; the SDK picks
 * its error class from the status and exposes this type.
 */
export const ANTHROPIC_ERROR_TYPES: Readonly<Record<ErrorKind, string>> = {
  bad_request: "invalid_request_error",
  context_length: "invalid_request_error",
  content_filter: "invalid_request_error",
  auth: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  model_not_found: "not_found_error",
  payload_too_large: "request_too_large",
  rate_limited: "rate_limit_error",
  budget_exceeded: "rate_limit_error",
  insufficient_quota: "billing_error",
  overloaded: "overloaded_error",
  timeout: "timeout_error",
  conflict: "conflict_error",
  network: "api_error",
  upstream_5xx: "api_error",
  bad_response: "api_error",
  client_closed: "api_error",
  unauthorized: "authentication_error",
  forbidden: "permission_error",
  internal: "api_error",
};

export interface AnthropicErrorBody {
  type: "error";
  error: { type: string; message: string };
}

/** The Anthropic-shaped error body: `{"type":"error","error":{"type","message"}}`. */
export function encodeMessagesError(error: GatewayError): AnthropicErrorBody {
  return { type: "error", error: { type: ANTHROPIC_ERROR_TYPES[error.kind], message: error.message } };
}
