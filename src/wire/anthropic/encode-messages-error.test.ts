import assert from "node:assert/strict";
import { test } from "node:test";
import { ERROR_KINDS, GatewayError, type ErrorKind } from "../../core/errors.ts";
import { encodeMessagesError } from "./encode-messages-error.ts";

const expected: Partial<Record<ErrorKind, string>> = {
  bad_request: "invalid_request_error",
  auth: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  model_not_found: "not_found_error",
  payload_too_large: "request_too_large",
  rate_limited: "rate_limit_error",
  overloaded: "overloaded_error",
  network: "api_error",
  upstream_5xx: "api_error",
  internal: "api_error",
};

for (const [kind, type] of Object.entries(expected)) {
  test(`${kind} → ${type}`, () => {
    const body = encodeMessagesError(new GatewayError(kind as ErrorKind, "what happened"));
    assert.deepEqual(body, { type: "error", error: { type, message: "what happened" } });
  });
}

test("every kind has an Anthropic type", () => {
  for (const kind of Object.keys(ERROR_KINDS) as ErrorKind[]) {
    assert.match(encodeMessagesError(new GatewayError(kind, "x")).error.type, /^[a-z_]+$/);
  }
});
