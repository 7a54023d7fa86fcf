import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import type { ErrorKind } from "../../core/errors.ts";
import { fixturePath, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { classifyAnthropicError } from "./classify-anthropic-error.ts";

interface Sample {
  provider: string;
  status: number;
  kind: string;
  body?: unknown;
  headers?: Record<string, string> | null;
  sse?: string;
}

/** Expected per Anthropic sample of real-error-samples.json, keyed by its `kind` note. */
const EXPECTED: Record<string, { kind: ErrorKind; inStream?: boolean; retryAfterMs?: number; message?: string | RegExp }> = {
  "overloaded_error (HTTP)": { kind: "overloaded", message: "anthropic: 529 overloaded_error: Overloaded (request_id req_011CX7J5ZXp3npD8nY7VYZvm)" },
  "overloaded_error as mid-stream SSE error event": { kind: "overloaded", inStream: true, message: "anthropic: error in stream overloaded_error: Overloaded" },
  "mid-stream error event with request_id": { kind: "overloaded", inStream: true, message: "anthropic: error in stream overloaded_error: Overloaded (request_id req_011Ce3HwQb6vtbs9LQVmh4oe)" },
  "rate_limit_error (input TPM)": { kind: "rate_limited", message: /^anthropic: 429 rate_limit_error: This request would exceed the rate limit for your organization of 30,000 input tokens per minute\./ },
  "rate_limit_error (output TPM)": { kind: "rate_limited", message: /^anthropic: 429 rate_limit_error: This request would exceed your organization’s rate limit of 80,000 output tokens/ },
  "429 response headers (2025)": { kind: "rate_limited", retryAfterMs: 16_000, message: "anthropic: 429: (empty body)" },
  "429 response headers (2024, before retry-after was always sent)": { kind: "rate_limited" },
};

test("real Anthropic error samples", { skip: skipWithoutFixtures }, () => {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: Sample[] };
  const anthropic = samples.filter((s) => s.provider === "anthropic");
  assert.deepEqual(anthropic.map((s) => s.kind).sort(), Object.keys(EXPECTED).sort());
  for (const sample of anthropic) {
    const expected = EXPECTED[sample.kind];
    assert.ok(expected);
    // The SSE sample is the `data:` payload of an `event: error`.
    const body = sample.sse !== undefined ? JSON.parse(/^data: (.*)$/m.exec(sample.sse)?.[1] ?? "") : (sample.body ?? "");
    const status = expected.inStream ? null : sample.status;
    const error = classifyAnthropicError({ provider: "anthropic", status, body, headers: sample.headers ?? {} });
    assert.equal(error.kind, expected.kind, sample.kind);
    assert.equal(error.provider, "anthropic");
    assert.equal(error.upstreamStatus, status ?? undefined, sample.kind);
    assert.equal(error.retryAfterMs, expected.retryAfterMs, sample.kind);
    if (typeof expected.message === "string") assert.equal(error.message, expected.message);
    else if (expected.message) assert.match(error.message, expected.message);
  }
});

test("recorded Anthropic error responses (pydantic-ai cassettes)", { skip: skipWithoutFixtures }, () => {
  const expected: Record<string, { kind: ErrorKind; code?: string; message: string }> = {
    "test_anthropic__test_anthropic_count_tokens_error.0": {
      kind: "model_not_found",
      code: "model_not_found",
      message: "anthropic: 404 not_found_error: model: claude-does-not-exist (request_id req_011CVEA3SF7rnb3DuBZytqQa)",
    },
    "test_anthropic__test_anthropic_explicit_effort_xhigh_unsupported_model_errors.0": {
      kind: "bad_request",
      message: "anthropic: 400 invalid_request_error: This model does not support effort level 'xhigh'. Supported levels: high, low, max, medium. (request_id req_011Ca7jT9AHpgXgdv8igm4z9)",
    },
  };
  const names = readdirSync(fixturePath("errors/recorded/pydantic-ai"))
    .filter((f) => f.startsWith("test_anthropic") && f.endsWith(".meta.json"))
    .map((f) => f.slice(0, -".meta.json".length));
  assert.deepEqual(names.sort(), Object.keys(expected).sort());
  for (const name of names) {
    const meta = readFixtureJson(`errors/recorded/pydantic-ai/${name}.meta.json`) as { response: { status: { code: number } } };
    const body = readFixtureJson(`errors/recorded/pydantic-ai/${name}.response.json`);
    const error = classifyAnthropicError({ provider: "anthropic", status: meta.response.status.code, body });
    const want = expected[name];
    assert.equal(error.kind, want?.kind, name);
    assert.equal(error.code, want?.code, name);
    assert.equal(error.message, want?.message);
    assert.equal(error.upstreamStatus, meta.response.status.code);
  }
});

const body = (type: string, message: string, extra: Record<string, unknown> = {}): unknown => ({ type: "error", error: { type, message, ...extra }, request_id: "req_1" });

test("status table, from Anthropic's documented error types", () => {
  const rows: [number | null, unknown, ErrorKind, string?][] = [
    [400, body("invalid_request_error", "messages: roles must alternate"), "bad_request"],
    [400, body("invalid_request_error", "prompt is too long: 208310 tokens > 200000 maximum"), "context_length", "context_length_exceeded"],
    [400, body("invalid_request_error", "input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again"), "context_length", "context_length_exceeded"],
    [400, body("invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."), "insufficient_quota", "insufficient_quota"],
    [401, body("authentication_error", "invalid x-api-key"), "auth"],
    [402, body("billing_error", "payment required"), "insufficient_quota", "insufficient_quota"],
    [403, body("permission_error", "Your API key does not have permission to use the specified resource."), "permission"],
    [404, body("not_found_error", "model: claude-9"), "model_not_found", "model_not_found"],
    [413, body("request_too_large", "Request exceeds the maximum allowed number of bytes."), "payload_too_large"],
    [413, "<html><head><title>413 Request Entity Too Large</title></head></html>", "payload_too_large"],
    [429, body("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"), "rate_limited"],
    [429, body("rate_limit_error", "spend limit", { details: { error_code: "enforced_spend_limit_reached" } }), "insufficient_quota", "insufficient_quota"],
    [500, body("api_error", "Internal server error"), "upstream_5xx"],
    [502, "<html><head><title>502 Bad Gateway</title></head></html>", "upstream_5xx"],
    [504, body("timeout_error", "Request timed out"), "timeout"],
    [529, body("overloaded_error", "Overloaded"), "overloaded"],
    [null, body("api_error", "Internal server error"), "upstream_5xx"],
    [null, body("rate_limit_error", "slow down"), "rate_limited"],
    [null, body("invalid_request_error", "prompt is too long: 5 tokens > 4 maximum"), "context_length", "context_length_exceeded"],
    [null, body("something_new", "?"), "upstream_5xx"],
    [null, "not json at all", "upstream_5xx"],
  ];
  for (const [status, errorBody, kind, code] of rows) {
    const error = classifyAnthropicError({ provider: "a", status, body: errorBody });
    assert.equal(error.kind, kind, `${status} ${JSON.stringify(errorBody)}`);
    assert.equal(error.code, code, `${status} ${JSON.stringify(errorBody)}`);
    assert.equal(error.upstreamStatus, status ?? undefined);
  }
  assert.equal(classifyAnthropicError({ provider: "a", status: 502, body: "<html><head><title>502 Bad Gateway</title></head></html>" }).message, "a: 502: an HTML page (502 Bad Gateway)");
});

test("retry-after is kept for retryable errors, not for a spend limit; the API key never shows", () => {
  const headers = { "retry-after": "16" };
  assert.equal(classifyAnthropicError({ provider: "a", status: 429, body: body("rate_limit_error", "slow"), headers }).retryAfterMs, 16_000);
  assert.equal(classifyAnthropicError({ provider: "a", status: 529, body: body("overloaded_error", "Overloaded"), headers }).retryAfterMs, 16_000);
  const spend = classifyAnthropicError({ provider: "a", status: 429, body: body("rate_limit_error", "spend", { details: { error_code: "enforced_spend_limit_reached" } }), headers });
  assert.equal(spend.retryAfterMs, undefined);
  assert.equal(spend.retryable, false);
  const key = "sk-ant-api03-secret-abcdef";
  const leaked = classifyAnthropicError({ provider: "a", status: 401, body: body("authentication_error", `invalid x-api-key ${key}`), secrets: [key] });
  assert.equal(leaked.message, "a: 401 authentication_error: invalid x-api-key [redacted] (request_id req_1)");
});
