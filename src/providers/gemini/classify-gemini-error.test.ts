import assert from "node:assert/strict";
import { test } from "node:test";
import type { ErrorKind } from "../../core/errors.ts";
import { readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { classifyGeminiError } from "./classify-gemini-error.ts";

interface Sample {
  provider: string;
  status: number;
  kind: string;
  body?: unknown;
}

/** Expected error per Gemini sample of real-error-samples.json, keyed by its `kind` note. */
const EXPECTED_SAMPLES: Record<string, { kind: ErrorKind; retryAfterMs?: number; message: RegExp }> = {
  "RESOURCE_EXHAUSTED (AI Studio free tier, full details)": {
    kind: "rate_limited",
    retryAfterMs: 15_000,
    message: /^gemini: 429 RESOURCE_EXHAUSTED: You exceeded your current quota, please check your plan and billing details/,
  },
  "RESOURCE_EXHAUSTED (Vertex AI)": { kind: "rate_limited", message: /^gemini: 429 RESOURCE_EXHAUSTED: Resource exhausted\. Please try again later\./ },
  "RESOURCE_EXHAUSTED (minimal)": { kind: "rate_limited", message: /^gemini: 429 RESOURCE_EXHAUSTED: Resource has been exhausted/ },
  "UNAVAILABLE (model overloaded)": { kind: "overloaded", message: /^gemini: 503 UNAVAILABLE: The model is overloaded\./ },
  "UNAVAILABLE (2026 wording)": { kind: "overloaded", message: /^gemini: 503 UNAVAILABLE: This model is currently experiencing high demand/ },
};

test("real error samples from Gemini", { skip: skipWithoutFixtures }, () => {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: Sample[] };
  const gemini = samples.filter((s) => s.provider === "gemini");
  assert.deepEqual(gemini.map((s) => s.kind).sort(), Object.keys(EXPECTED_SAMPLES).sort());
  for (const sample of gemini) {
    const expected = EXPECTED_SAMPLES[sample.kind];
    assert.ok(expected);
    const error = classifyGeminiError({ provider: "gemini", status: sample.status, body: sample.body });
    assert.equal(error.kind, expected.kind, sample.kind);
    assert.equal(error.upstreamStatus, sample.status);
    assert.equal(error.provider, "gemini");
    assert.equal(error.retryAfterMs, expected.retryAfterMs, sample.kind);
    assert.match(error.message, expected.message);
  }
});

test("recorded 429 with RetryInfo: a fractional retryDelay", { skip: skipWithoutFixtures }, () => {
  for (const path of ["gemini/google-429-retry-info.json", "errors/recorded/vercel-ai/google-429-retry-info.json"]) {
    const error = classifyGeminiError({ provider: "gemini", status: 429, body: readFixtureJson(path) });
    assert.equal(error.kind, "rate_limited", path);
    assert.equal(error.retryAfterMs, 34_400, path);
    assert.equal(error.retryable, true);
    assert.equal(error.message, "gemini: 429 RESOURCE_EXHAUSTED: You exceeded your current quota, please check your plan.");
  }
});

test("status table", () => {
  const google = (code: number, status: string, message = "something"): unknown => ({ error: { code, message, status } });
  const rows: [number | null, unknown, ErrorKind][] = [
    [400, google(400, "INVALID_ARGUMENT", "Request contains an invalid argument."), "bad_request"],
    [400, google(400, "INVALID_ARGUMENT", "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."), "context_length"],
    [400, google(400, "FAILED_PRECONDITION", "Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio."), "permission"],
    [400, google(400, "FAILED_PRECONDITION", "Precondition check failed."), "bad_request"],
    [400, { error: { code: 400, message: "API key expired. Please renew the API key.", status: "INVALID_ARGUMENT", details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }] } }, "auth"],
    [401, google(401, "UNAUTHENTICATED", "Request had invalid authentication credentials."), "auth"],
    [403, google(403, "PERMISSION_DENIED", "Your API key was reported as leaked."), "permission"],
    [404, google(404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta"), "model_not_found"],
    [429, google(429, "RESOURCE_EXHAUSTED"), "rate_limited"],
    [429, google(429, "RESOURCE_EXHAUSTED", "Your prepayment credits are depleted."), "insufficient_quota"],
    [500, google(500, "INTERNAL", "An internal error has occurred."), "upstream_5xx"],
    [503, google(503, "UNAVAILABLE"), "overloaded"],
    [504, google(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete."), "timeout"],
    [499, google(499, "CANCELLED", "The operation was cancelled."), "upstream_5xx"],
    [502, "<html><head><title>502 Bad Gateway</title></head></html>", "upstream_5xx"],
    [429, "Too Many Requests", "rate_limited"],
    [404, "<!DOCTYPE html><html><title>Error 404 (Not Found)!!1</title></html>", "bad_response"],
    [400, "garbage", "bad_response"],
    [null, google(500, "INTERNAL"), "upstream_5xx"],
    [null, { error: { message: "no status at all" } }, "upstream_5xx"],
  ];
  for (const [status, body, kind] of rows) {
    const error = classifyGeminiError({ provider: "gemini", status, body });
    assert.equal(error.kind, kind, `${status} ${JSON.stringify(body)}`);
  }
});

test("codes, in-stream statuses and retry hints", () => {
  const context = classifyGeminiError({ provider: "g", status: 400, body: { error: { code: 400, message: "The input token count (5) exceeds the maximum number of tokens allowed (4).", status: "INVALID_ARGUMENT" } } });
  assert.equal(context.code, "context_length_exceeded");
  assert.equal(context.fallback, true, "a bigger model elsewhere may take it");
  const inStream = classifyGeminiError({ provider: "g", status: null, body: { error: { code: 503, message: "busy", status: "UNAVAILABLE" } } });
  assert.equal(inStream.upstreamStatus, 503, "the body's code stands in for the status");
  assert.equal(inStream.message, "g: 503 UNAVAILABLE: busy");
  const bare = classifyGeminiError({ provider: "g", status: null, body: { error: { message: "boom" } } });
  assert.equal(bare.message, "g: error in stream: boom");
  assert.equal(bare.upstreamStatus, undefined);
  const header = classifyGeminiError({ provider: "g", status: 429, body: { error: { code: 429, message: "slow down", status: "RESOURCE_EXHAUSTED" } }, headers: { "retry-after": "12" } });
  assert.equal(header.retryAfterMs, 12_000);
  const inMessage = classifyGeminiError({ provider: "g", status: 429, body: { error: { code: 429, message: "Quota exceeded. Please retry in 26.6s.", status: "RESOURCE_EXHAUSTED" } } });
  assert.equal(inMessage.retryAfterMs, 26_600);
  const retryInfo = { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "2s" };
  const both = classifyGeminiError({ provider: "g", status: 429, body: { error: { code: 429, message: "x", status: "RESOURCE_EXHAUSTED", details: [retryInfo] } }, headers: { "retry-after": "12" } });
  assert.equal(both.retryAfterMs, 2_000, "the body's RetryInfo is the more precise hint");
});

test("the API key never appears in a message, as itself or as a key= parameter", () => {
  const key = "AIzaSyD-0123456789abcdefghij";
  const error = classifyGeminiError({
    provider: "g",
    status: 400,
    body: { error: { code: 400, message: `Invalid request to https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?key=${key}&alt=sse (${key})`, status: "INVALID_ARGUMENT" } },
    secrets: [key],
  });
  assert.equal(error.message.includes(key), false);
  assert.match(error.message, /\?key=\[redacted\]&alt=sse \(\[redacted\]\)$/);
  const other = classifyGeminiError({ provider: "g", status: 502, body: `<html><title>bad ?key=${key}</title></html>` });
  assert.equal(other.message.includes(key), false, "a key= parameter is redacted even when the key is not known");
});
