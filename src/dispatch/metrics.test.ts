import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import { makeReceipt } from "../ledger/make-receipt.ts";
import { createDeploymentHealth } from "../state/deployment-health.ts";
import { GatewayMetrics } from "./metrics.ts";

const config = parseConfigText({
  file: "test.yaml",
  env: {},
  text: `
providers: { up: { type: openai-compatible, base_url: "http://127.0.0.1:1/v1" } }
models: { m: { provider: up } }
resilience: { breaker: { min_requests: 2, failure_rate: 0.5, window_s: 60, cooldown_s: 60 } }
`,
}).config;

/** The value of one sample line, e.g. `switchyard_requests_total{...} 2`. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return null;
}

test("each receipt moves the request, attempt, retry, fallback, token and cost counters", async () => {
  const health = createDeploymentHealth(config, () => 0);
  const metrics = new GatewayMetrics({ config, health, processMetrics: false });
  const written: string[] = [];
  const sink = metrics.wrapSink({ write: (r) => written.push(r.requestId) });
  const receipt = makeReceipt({ route: "r", model: "m", provider: "up", status: "ok", retries: 1, fallbacks: 1, latencyMs: 1500, ttftMs: 300, escalations: 1, validationFailures: 2, cacheHit: false });
  sink.write(receipt);
  sink.write({ ...receipt, requestId: "b", status: "error", attempts: [], retries: 0, fallbacks: 0, escalations: 0, validationFailures: 0 });
  assert.deepEqual(written, [receipt.requestId, "b"]);
  const { text, contentType } = await metrics.render();
  assert.match(contentType, /text\/plain/);
  assert.equal(sample(text, "switchyard_requests_total", { route: "r", model: "m", provider: "up", status: "ok" }), 1);
  assert.equal(sample(text, "switchyard_requests_total", { status: "error" }), 1);
  assert.equal(sample(text, "switchyard_retries_total", { route: "r" }), 1);
  assert.equal(sample(text, "switchyard_fallbacks_total", { route: "r" }), 1);
  assert.equal(sample(text, "switchyard_escalations_total", { route: "r" }), 1);
  assert.equal(sample(text, "switchyard_validation_failures_total", { route: "r" }), 2);
  assert.equal(sample(text, "switchyard_request_duration_seconds_count", { route: "r", status: "ok" }), 1);
  assert.equal(sample(text, "switchyard_request_duration_seconds_sum", { route: "r", status: "ok" }), 1.5);
  assert.equal(sample(text, "switchyard_time_to_first_token_seconds_sum", { route: "r" }), 0.3 * 2);
  // Buckets are cumulative, up to +Inf: 1.5 s is above le=1 and within le=2.5.
  assert.equal(sample(text, "switchyard_request_duration_seconds_bucket", { le: "1", route: "r", status: "ok" }), 0);
  assert.equal(sample(text, "switchyard_request_duration_seconds_bucket", { le: "2.5", route: "r", status: "ok" }), 1);
  assert.equal(sample(text, "switchyard_request_duration_seconds_bucket", { le: "160", route: "r", status: "ok" }), 1);
  assert.equal(sample(text, "switchyard_request_duration_seconds_bucket", { le: "+Inf", route: "r", status: "ok" }), 1);
  assert.equal(sample(text, "switchyard_time_to_first_token_seconds_bucket", { le: "0.25", route: "r" }), 0);
  assert.equal(sample(text, "switchyard_time_to_first_token_seconds_bucket", { le: "0.5", route: "r" }), 2);
  assert.match(text, /# TYPE switchyard_request_duration_seconds histogram/);
  for (const a of receipt.attempts) {
    assert.ok((sample(text, "switchyard_upstream_attempts_total", { provider: a.provider, error_kind: a.errorKind ?? "none" }) ?? 0) >= 1, JSON.stringify(a));
  }
  assert.equal(sample(text, "switchyard_tokens_total", { type: "output" }), (receipt.outputTokens ?? 0) * 2);
  assert.ok((sample(text, "switchyard_cost_usd_total", { route: "r" }) ?? 0) > 0);
  assert.doesNotMatch(text, /process_cpu/);
});

test("breaker state and transitions come from the health registry; two gateways' registries stay apart", async () => {
  let clock = 1_000;
  const health = createDeploymentHealth(config, () => clock);
  const metrics = new GatewayMetrics({ config, health });
  const other = new GatewayMetrics({ config, health: createDeploymentHealth(config, () => clock) });
  health.record("up/m", undefined, "upstream_5xx");
  health.record("up/m", undefined, "upstream_5xx");
  let text = (await metrics.render()).text;
  assert.equal(sample(text, "switchyard_circuit_breaker_state", { deployment: "up/m" }), 2);
  assert.equal(sample(text, "switchyard_circuit_breaker_transitions_total", { deployment: "up/m", from: "closed", to: "open" }), 1);
  assert.match(text, /process_cpu_user_seconds_total/);
  clock += 61_000;
  health.admit("up/m");
  text = (await metrics.render()).text;
  assert.equal(sample(text, "switchyard_circuit_breaker_state", { deployment: "up/m" }), 1);
  assert.equal(sample(text, "switchyard_retry_budget_allowance", {}), 10);
  const otherText = (await other.render()).text;
  assert.equal(sample(otherText, "switchyard_circuit_breaker_state", { deployment: "up/m" }), null);
});

test("client-chosen <provider>/<model> names are bounded as label values", async () => {
  const metrics = new GatewayMetrics({ config, health: createDeploymentHealth(config, () => 0), processMetrics: false });
  for (let i = 0; i < 150; i++) metrics.observe(makeReceipt({ model: `up/x-${i}`, attempts: [] }));
  const text = (await metrics.render()).text;
  assert.equal(sample(text, "switchyard_requests_total", { model: "other" }), 50);
  assert.equal(sample(text, "switchyard_requests_total", { model: "up/x-0" }), 1);
});

test("a label set seen again adds to the same series; what a request did not report is not exported", async () => {
  const metrics = new GatewayMetrics({ config, health: createDeploymentHealth(config, () => 0), processMetrics: false });
  const bare = makeReceipt({ route: null, model: "m", provider: "up", status: "error", ttftMs: null, costMicroUsd: null, inputTokens: null, cachedInputTokens: 0, outputTokens: null, reasoningTokens: null, attempts: [] });
  metrics.observe(bare);
  let text = (await metrics.render()).text;
  assert.equal(sample(text, "switchyard_requests_total", { model: "m", status: "error" }), 1);
  assert.doesNotMatch(text, /^switchyard_tokens_total\{/m);
  assert.doesNotMatch(text, /^switchyard_cost_usd_total\{/m);
  assert.doesNotMatch(text, /^switchyard_time_to_first_token_seconds_count\{/m);
  // The same endpoint, route, model, provider and status, now with tokens, cost and a first token.
  for (let i = 0; i < 3; i++) metrics.observe({ ...bare, ttftMs: 100, costMicroUsd: 2_000_000, inputTokens: 10, outputTokens: 5 });
  text = (await metrics.render()).text;
  assert.equal(sample(text, "switchyard_requests_total", { model: "m", status: "error" }), 4);
  assert.equal(sample(text, "switchyard_tokens_total", { model: "m", type: "input" }), 30);
  assert.equal(sample(text, "switchyard_tokens_total", { model: "m", type: "output" }), 15);
  assert.equal(sample(text, "switchyard_tokens_total", { model: "m", type: "cached_input" }), null);
  assert.equal(sample(text, "switchyard_cost_usd_total", { model: "m" }), 6);
  assert.equal(sample(text, "switchyard_time_to_first_token_seconds_count", { model: "m" }), 3);
  assert.equal(sample(text, "switchyard_request_duration_seconds_count", { model: "m", status: "error" }), 4);
  // After the registry resets its histograms, requests count in them again from zero.
  metrics.registry.resetMetrics();
  metrics.observe(bare);
  text = (await metrics.render()).text;
  assert.equal(sample(text, "switchyard_request_duration_seconds_count", { model: "m", status: "error" }), 1);
});
