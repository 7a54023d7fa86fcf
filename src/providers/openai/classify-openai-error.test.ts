import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import type { ErrorKind } from "../../core/errors.ts";
import { fixturePath, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { retryAfterFromHeaders } from "../shared/http-values.ts";
import { classifyOpenAIError } from "./classify-openai-error.ts";

interface Sample {
  provider: string;
  status: number;
  kind: string;
  body?: unknown;
  body_text?: string;
}

/** Expected kind per sample of real-error-samples.json from an OpenAI-format provider, keyed by its `kind` note. */
const EXPECTED_SAMPLES: Record<string, { kind: ErrorKind; code?: string; param?: string; retryAfterMs?: number; message?: RegExp }> = {
  insufficient_quota: { kind: "insufficient_quota", code: "insufficient_quota", message: /^openai: 429 insufficient_quota: You exceeded your current quota/ },
  "insufficient_quota (older message, 2023)": { kind: "insufficient_quota", code: "insufficient_quota" },
  "rate_limit_exceeded (TPM)": { kind: "rate_limited", code: "rate_limit_exceeded", retryAfterMs: 1574, message: /^openai: 429 rate_limit_exceeded: Rate limit reached for o4-mini/ },
  "rate_limit_exceeded (message only)": { kind: "rate_limited", retryAfterMs: 3890, message: /^openai: 429: Rate limit reached for gpt-4.1/ },
  context_length_exceeded: { kind: "context_length", code: "context_length_exceeded", param: "messages" },
  "context_length_exceeded (with completion budget)": { kind: "context_length", code: "context_length_exceeded", param: "messages" },
  invalid_api_key: { kind: "auth", code: "invalid_api_key", message: /^openai: 401 invalid_api_key: Incorrect API key provided/ },
  "upstream rate limit (recorded)": { kind: "rate_limited", message: /Provider returned error \(google\/gemini-2.0-flash-exp:free is temporarily rate-limited upstream/ },
};

test("real error samples from OpenAI-format providers", { skip: skipWithoutFixtures }, () => {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: Sample[] };
  const openAIFormat = samples.filter((s) => ["openai", "openrouter"].includes(s.provider) && (s.body !== undefined || s.body_text !== undefined));
  assert.ok(openAIFormat.length >= 8, "expected at least 8 OpenAI-format samples");
  for (const sample of openAIFormat) {
    const expected = EXPECTED_SAMPLES[sample.kind];
    assert.ok(expected, `no expectation for sample "${sample.kind}"`);
    const error = classifyOpenAIError({ provider: sample.provider, status: sample.status, body: sample.body ?? sample.body_text });
    assert.equal(error.kind, expected.kind, sample.kind);
    assert.equal(error.provider, sample.provider);
    assert.equal(error.upstreamStatus, sample.status);
    assert.equal(error.code, expected.code, sample.kind);
    assert.equal(error.param, expected.param, sample.kind);
    assert.equal(error.retryAfterMs, expected.retryAfterMs, sample.kind);
    if (expected.message) assert.match(error.message, expected.message);
  }
});

test("recorded error responses (pydantic-ai cassettes)", { skip: skipWithoutFixtures }, () => {
  const expected: Record<string, { kind: ErrorKind; code?: string; param?: string }> = {
    "test_groq__test_tool_regular_error.0": { kind: "model_not_found", code: "model_not_found" },
    "test_groq__test_tool_use_failed_error.0": { kind: "bad_request", code: "tool_use_failed" },
    "test_openai__test_openai_o1_mini_system_role[system].0": { kind: "bad_request", code: "unsupported_value", param: "messages[0].role" },
    "test_openai__test_openai_web_search_tool_model_not_supported.0": { kind: "bad_request", param: "web_search_options" },
    "test_openai_responses__test_openai_responses_model_http_error.0": { kind: "bad_request", code: "decimal_below_min_value", param: "temperature" },
    "test_openrouter__test_openrouter_errors_raised.0": { kind: "rate_limited" },
    "test_openrouter__test_openrouter_errors_raised.1": { kind: "rate_limited" },
    "test_openrouter__test_openrouter_errors_raised.2": { kind: "rate_limited" },
  };
  const dir = fixturePath("errors/recorded/pydantic-ai");
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".meta.json") && !f.startsWith("test_anthropic"))
    .map((f) => f.slice(0, -".meta.json".length));
  assert.deepEqual(names.sort(), Object.keys(expected).sort());
  for (const name of names) {
    const meta = readFixtureJson(`errors/recorded/pydantic-ai/${name}.meta.json`) as { response: { status: { code: number } } };
    const body = readFixtureJson(`errors/recorded/pydantic-ai/${name}.response.json`);
    const error = classifyOpenAIError({ provider: "x", status: meta.response.status.code, body });
    const want = expected[name];
    assert.equal(error.kind, want?.kind, name);
    assert.equal(error.code, want?.code, name);
    assert.equal(error.param, want?.param, name);
    assert.equal(error.upstreamStatus, meta.response.status.code);
  }
});

test("recorded 400 bodies (vercel-ai) are bad requests naming the parameter", { skip: skipWithoutFixtures }, () => {
  const cases = [
    ["errors/recorded/vercel-ai/gpt-image-response-format-error.json", "unknown_parameter", "response_format"],
    ["errors/recorded/vercel-ai/reasoning-model-temperature-error.json", undefined, "temperature"],
    ["errors/recorded/vercel-ai/reasoning-model-legacy-parameter-error.json", "unsupported_parameter", "max_tokens"],
    ["openai/reasoning-model-legacy-parameter-error.json", "unsupported_parameter", "max_tokens"],
  ] as const;
  for (const [path, code, param] of cases) {
    const error = classifyOpenAIError({ provider: "openai", status: 400, body: readFixtureJson(path) });
    assert.equal(error.kind, "bad_request", path);
    assert.equal(error.code, code, path);
    assert.equal(error.param, param, path);
    assert.equal(error.status, 400);
  }
});

test("status table", () => {
  const rows: [number, unknown, ErrorKind][] = [
    [400, { error: { message: "bad", type: "invalid_request_error" } }, "bad_request"],
    [422, { detail: [{ msg: "field required" }] }, "bad_request"],
    [400, { error: { message: "This model's maximum context length is 131072 tokens.", type: "invalid_request_error", code: "invalid_request_error" } }, "context_length"],
    [400, { error: { message: "The response was filtered", code: "content_filter", innererror: { code: "ResponsibleAIPolicyViolation" } } }, "content_filter"],
    [400, { error: { message: "Your request was rejected", code: "content_policy_violation" } }, "content_filter"],
    [401, { error: { message: "no key" } }, "auth"],
    [402, { error: { message: "Insufficient Balance" } }, "insufficient_quota"],
    [403, { error: { message: "region" } }, "permission"],
    [404, { error: { message: "The model `gpt-9` does not exist", code: "model_not_found" } }, "model_not_found"],
    [404, "404 page not found", "model_not_found"],
    [408, { error: { message: "timeout" } }, "timeout"],
    [409, { error: { message: "conflict" } }, "upstream_5xx"],
    [413, "too large", "payload_too_large"],
    [429, { error: { message: "slow down", code: "rate_limit_exceeded" } }, "rate_limited"],
    [429, { error: { message: "quota", type: "insufficient_quota" } }, "insufficient_quota"],
    [500, { error: { message: "The server had an error", type: "server_error" } }, "upstream_5xx"],
    [502, "<html><head><title>502 Bad Gateway</title></head></html>", "upstream_5xx"],
    [503, { error: { message: "The engine is currently overloaded" } }, "overloaded"],
    [529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, "overloaded"],
    [200, { error: { message: "slow down", type: "rate_limit_error" } }, "rate_limited"],
  ];
  for (const [status, body, kind] of rows) {
    const error = classifyOpenAIError({ provider: "p", status, body });
    assert.equal(error.kind, kind, `${status} ${JSON.stringify(body)}`);
    assert.equal(error.upstreamStatus, status);
  }
  const html = classifyOpenAIError({ provider: "p", status: 502, body: "<html><head><title>502 Bad Gateway</title></head></html>" });
  assert.equal(html.message, "p: 502: an HTML page (502 Bad Gateway)");
});

test("in-stream errors take the status the body names (Groq status_code, OpenRouter numeric code)", () => {
  const groq = classifyOpenAIError({ provider: "groq", status: null, body: { error: { message: "Tool call validation failed", type: "invalid_request_error", code: "tool_use_failed", status_code: 400 } } });
  assert.equal(groq.kind, "bad_request");
  assert.equal(groq.upstreamStatus, 400);
  const openrouter = classifyOpenAIError({ provider: "or", status: null, body: { error: { code: 502, message: "Provider returned error" } } });
  assert.equal(openrouter.kind, "upstream_5xx");
  assert.equal(openrouter.code, undefined);
  const bare = classifyOpenAIError({ provider: "o", status: null, body: { error: { message: "boom" } } });
  assert.equal(bare.kind, "upstream_5xx");
  assert.equal(bare.upstreamStatus, undefined);
  assert.equal(bare.message, "o: error in stream: boom");
});

test("retry hints: retry-after-ms, retry-after seconds or HTTP date, else the message", () => {
  const now = Date.parse("Tue, 10 Sep 2024 23:58:08 GMT");
  assert.equal(retryAfterFromHeaders({ "retry-after-ms": "250.4", "retry-after": "9" }, now), 250);
  assert.equal(retryAfterFromHeaders({ "retry-after": "16" }, now), 16_000);
  assert.equal(retryAfterFromHeaders({ "retry-after": "1.5" }, now), 1_500);
  assert.equal(retryAfterFromHeaders({ "retry-after": "Tue, 10 Sep 2024 23:58:38 GMT" }, now), 30_000);
  assert.equal(retryAfterFromHeaders({ "retry-after": "soon" }, now), undefined);
  assert.equal(retryAfterFromHeaders({}, now), undefined);
  const fromHeader = classifyOpenAIError({ provider: "p", status: 429, body: { error: { message: "Please try again in 20ms." } }, headers: { "retry-after": "2" } });
  assert.equal(fromHeader.retryAfterMs, 2_000);
  const fromMessage = classifyOpenAIError({ provider: "p", status: 429, body: { error: { message: "Please try again in 20ms." } } });
  assert.equal(fromMessage.retryAfterMs, 20);
});

test("the API key never appears in a message", () => {
  const key = "sk-proj-abcdefghijklmnop1234";
  const error = classifyOpenAIError({ provider: "p", status: 401, body: { error: { message: `Incorrect API key provided: ${key}.` } }, secrets: [key] });
  assert.equal(error.message.includes(key), false);
  assert.match(error.message, /\[redacted\]/);
});
