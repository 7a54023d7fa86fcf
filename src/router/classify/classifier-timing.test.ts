import assert from "node:assert/strict";
import { test } from "node:test";
import { fourKTokenRequest, timeClassification } from "./classifier-timing.ts";
import { classifyRequest } from "./classify-request.ts";

test("the timing prompt is a realistic 4k-token request: long system prompt, long mixed last user turn", () => {
  const request = fourKTokenRequest();
  const f = classifyRequest(request).features;
  assert.ok(Math.abs(f.totalChars - 16_000) <= 500, `${f.totalChars} characters`);
  assert.ok(f.systemChars >= 3_500, `system ${f.systemChars}`);
  assert.ok(f.lastUserChars >= 11_000, `last user ${f.lastUserChars}`);
  assert.ok(f.codeFences >= 1 && f.stackTraceLines >= 1 && f.numberedItems >= 3, "prose, code, a stack trace and a list");
  assert.ok(f.scannedChars < f.totalChars, "long enough to hit the scan bounds");
});

test("timeClassification warms up, times each run and gives ordered percentiles in microseconds", () => {
  let calls = 0;
  const t = timeClassification(
    () => {
      calls++;
    },
    fourKTokenRequest(),
    200,
    50,
  );
  assert.equal(calls, 250);
  assert.equal(t.runs, 200);
  assert.ok(t.p50 >= 0 && t.p50 <= t.p99 && t.p99 <= t.max, JSON.stringify(t));
});
