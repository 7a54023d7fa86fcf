import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import type { Config } from "../config/schema.ts";
import { GatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import { createDeploymentHealth } from "../state/deployment-health.ts";
import { explainRequest, isoAt, type ExplainRuntime } from "./explain-request.ts";

const config: Config = parseConfigText({
  file: "test.yaml",
  env: {},
  text: `
providers:
  sim: { type: simulated }
  up: { type: openai-compatible, base_url: "http://127.0.0.1:1/v1" }
models:
  small: { provider: up, price: { input: 1, output: 2 } }
  big: { provider: up, price: { input: 5, output: 20 } }
  sim-x: { provider: sim }
lanes:
  cheap: [small, big]
routes:
  coding: { lane: cheap, max_latency_ms: 1000, max_output_tokens: 100, on_max_output_tokens: reject }
auto:
  rules:
    - { when: { task_type: code }, route: coding }
    - { when: { complexity: high }, model: big }
    - { lane: cheap }
resilience: { breaker: { min_requests: 1, failure_rate: 0.5, window_s: 60, cooldown_s: 30 } }
`,
}).config;

function runtime(): ExplainRuntime & { clock: { now: number } } {
  const clock = { now: 10_000 };
  return {
    clock,
    config,
    health: createDeploymentHealth(config, () => clock.now),
    priceOf: () => null,
    random: () => 0.5,
    isSimulated: (p) => p === "sim",
    monotonicMs: () => clock.now,
    wallClockMs: () => Date.UTC(2026, 0, 1, 12, 0, 0),
  };
}

const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: "auto", messages: [{ role: "user", content: text }], stream: false, extra: {}, ...extra });

test("auto: the classifier's view, the rule that fired, the route and the chain with breakers", () => {
  const rt = runtime();
  const e = explainRequest(rt, { requestedModel: "auto", request: ask("Fix this TypeScript bug:\n```ts\nconst x: number = 'a';\n```\nThe compiler fails."), taskType: null, complexity: null });
  assert.equal(e.taskType, "code");
  assert.deepEqual(e.signals, { taskType: "classifier", complexity: "classifier" });
  assert.equal(e.classification?.taskType, "code");
  assert.ok((e.classification?.reasons.length ?? 0) > 0);
  assert.ok((e.classification?.topFeatures.length ?? 0) > 0);
  assert.ok(e.classification?.topFeatures.every((f) => f.value !== 0 && f.value !== false));
  assert.deepEqual(e.rule, { index: 0, rule: { when: { task_type: "code" }, route: "coding" } });
  assert.equal(e.route, "coding");
  assert.equal(e.lane, "cheap");
  assert.deepEqual(e.chain.map((s) => [s.position, s.model, s.deployment, s.breaker?.status, s.available, s.demoted]), [
    [1, "small", "up/small", "closed", true, null],
    [2, "big", "up/big", "closed", true, null],
  ]);
});

test("headers win over the classifier, which then does not run", () => {
  const e = explainRequest(runtime(), { requestedModel: "auto", request: ask("hello"), taskType: "chat", complexity: "high" });
  assert.deepEqual(e.signals, { taskType: "header", complexity: "header" });
  assert.equal(e.classification, null);
  assert.equal(e.rule?.index, 1);
  assert.deepEqual(e.chain.map((s) => s.model), ["big"]);
});

test("an open breaker and a latency guard show in the chain; guards reorder it", () => {
  const rt = runtime();
  rt.health.record("up/small", undefined, "upstream_5xx");
  for (let i = 0; i < 5; i++) rt.health.observe("up/small", { latencyMs: 5000 });
  const e = explainRequest(rt, { requestedModel: "coding", request: ask("x"), taskType: null, complexity: null });
  assert.equal(e.signals, null);
  assert.equal(e.rule, null);
  assert.deepEqual(e.chain.map((s) => s.model), ["big", "small"]);
  const small = e.chain[1];
  assert.equal(small?.breaker?.status, "open");
  assert.equal(small?.breaker?.probeAt, new Date(Date.UTC(2026, 0, 1, 12, 0, 30)).toISOString());
  assert.equal(small?.available, false);
  assert.match(small?.demoted ?? "", /max_latency_ms 1000/);
});

test("the same errors as a real request: an unknown model, a max_tokens the route rejects", () => {
  assert.throws(() => explainRequest(runtime(), { requestedModel: "nope", request: ask("x"), taskType: null, complexity: null }), (err: unknown) => err instanceof GatewayError && err.status === 404);
  assert.throws(
    () => explainRequest(runtime(), { requestedModel: "coding", request: ask("x", { maxOutputTokens: 500 }), taskType: null, complexity: null }),
    (err: unknown) => err instanceof GatewayError && err.status === 400,
  );
});

test("explaining takes nothing from the breakers or the retry budget", () => {
  const rt = runtime();
  rt.health.record("up/small", undefined, "upstream_5xx");
  rt.clock.now += 31_000;
  explainRequest(rt, { requestedModel: "coding", request: ask("x"), taskType: null, complexity: null });
  const snap = rt.health.snapshot();
  assert.equal(snap.deployments.find((d) => d.deployment === "up/small")?.breaker?.status, "open", "still open: no half-open probe slot taken");
  assert.equal(snap.retryBudget.requests, 0);
});

test("isoAt converts a monotonic instant through the clocks' offset", () => {
  assert.equal(isoAt(1_500, 1_000, Date.UTC(2026, 0, 1)), "2026-01-01T00:00:00.500Z");
});
