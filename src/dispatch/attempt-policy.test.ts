import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import type { Config } from "../config/schema.ts";
import { GatewayError } from "../core/errors.ts";
import type { Attempt } from "../ledger/receipt.ts";
import { resolveModel } from "../router/resolve-model.ts";
import { allAttemptsFailed, chainSettings, type AttemptTimeouts } from "./attempt-policy.ts";
import { ReceiptDraft } from "./receipt-draft.ts";
import { seededRandom } from "../router/random.ts";
import { createDeploymentHealth } from "../state/deployment-health.ts";
import { runtimeExtras } from "../../test/support/test-runtime.ts";
import type { Runtime } from "./runtime.ts";

const configOf = (resilience: string): Config =>
  parseConfigText({
    file: "test.yaml",
    env: {},
    text: `
providers: { sim: { type: simulated } }
models: { m: { provider: sim } }
aliases: { to-slow: slow }
routes:
  slow: { model: m, timeout_ms: 200000 }
  quick: { model: m, timeout_ms: 3000 }
  medium: { model: m, timeout_ms: 25000 }
  plain: { model: m }
${resilience}
`,
  }).config;

const DEFAULTS = configOf("");
const CUSTOM = configOf("resilience: { timeout: { ttft_ms: 5000, total_ms: 60000, idle_ms: 10000 } }");

const cases: { name: string; config: Config; model: string; header?: number; expected: AttemptTimeouts; deadlineMs: number }[] = [
  { name: "no route: the resilience defaults", config: DEFAULTS, model: "m", expected: { ttftMs: 20_000, totalMs: 120_000, idleMs: 30_000 }, deadlineMs: 300_000 },
  { name: "no route: the configured resilience timeouts", config: CUSTOM, model: "m", expected: { ttftMs: 5000, totalMs: 60_000, idleMs: 10_000 }, deadlineMs: 300_000 },
  { name: "a route without timeout_ms: resilience's", config: CUSTOM, model: "plain", expected: { ttftMs: 5000, totalMs: 60_000, idleMs: 10_000 }, deadlineMs: 300_000 },
  { name: "a route's long timeout is the deadline; attempts keep resilience's", config: DEFAULTS, model: "slow", expected: { ttftMs: 20_000, totalMs: 120_000, idleMs: 30_000 }, deadlineMs: 200_000 },
  { name: "a route's short timeout also caps each attempt", config: DEFAULTS, model: "quick", expected: { ttftMs: 3000, totalMs: 3000, idleMs: 3000 }, deadlineMs: 3000 },
  { name: "a route's timeout between ttft and idle caps only idle", config: DEFAULTS, model: "medium", expected: { ttftMs: 20_000, totalMs: 25_000, idleMs: 25_000 }, deadlineMs: 25_000 },
  { name: "an alias of a route uses the route's timeout", config: CUSTOM, model: "to-slow", expected: { ttftMs: 5000, totalMs: 60_000, idleMs: 10_000 }, deadlineMs: 200_000 },
  { name: "x-switchyard-timeout-ms wins over the route's", config: DEFAULTS, model: "slow", header: 1500, expected: { ttftMs: 1500, totalMs: 1500, idleMs: 1500 }, deadlineMs: 1500 },
];
for (const c of cases) {
  test(`chainSettings: ${c.name}`, () => {
    const plan = resolveModel(c.config, c.model, { taskType: null, complexity: null });
    const settings = chainSettings(c.config, plan, c.header ?? null);
    assert.deepEqual(settings.timeouts, c.expected);
    assert.equal(settings.deadlineMs, c.deadlineMs);
  });
}

test("chainSettings: a route's retries win over resilience.retry.attempts", () => {
  const cfg = parseConfigText({
    file: "t.yaml",
    env: {},
    text: "providers: { sim: { type: simulated } }\nmodels: { m: { provider: sim } }\nroutes: { r0: { model: m, retries: 0 }, r5: { model: m, retries: 5 } }\nresilience: { retry: { attempts: 3, base_ms: 10, max_ms: 100, retry_after_cap_ms: 2000 } }\n",
  }).config;
  const of = (model: string) => chainSettings(cfg, resolveModel(cfg, model, { taskType: null, complexity: null }), null);
  assert.equal(of("r0").maxRetries, 0);
  assert.equal(of("r5").maxRetries, 5);
  assert.equal(of("m").maxRetries, 3);
  assert.deepEqual([of("m").backoffBaseMs, of("m").backoffMaxMs, of("m").retryAfterCapMs], [10, 100, 2000]);
});

function draftWith(attempts: Partial<Attempt>[]): ReceiptDraft {
  const runtime: Runtime = {
    config: DEFAULTS,
    adapters: new Map(),
    priceOf: () => null,
    receipts: { write: () => undefined },
    monotonicMs: () => 0,
    wallClockMs: () => 0,
    isSimulated: () => true,
    health: createDeploymentHealth(DEFAULTS, () => 0),
    random: seededRandom(1),
    ...runtimeExtras(DEFAULTS),
  };
  const draft = new ReceiptDraft(runtime, {
    requestId: "r", endpoint: "/v1/chat/completions", taskId: null, taskType: null, complexity: null,
    idempotencyKey: null, stream: false, reasoningEffort: null,
  });
  for (const a of attempts) {
    draft.recordAttempt({
      provider: "sim", model: "m", upstreamModel: "m", status: null, errorKind: null, errorMessage: null, latencyMs: 0, ttftMs: null, ...a,
    });
  }
  return draft;
}

test("allAttemptsFailed: no last error means the plan had nothing to try", () => {
  const err = allAttemptsFailed(draftWith([]), null);
  assert.equal(err.kind, "internal");
  assert.match(err.message, /no target to try/);
});

for (const n of [0, 1]) {
  test(`allAttemptsFailed: with ${n} attempt(s) the last error is returned as it is`, () => {
    const last = new GatewayError("upstream_5xx", "bad gateway", { provider: "sim", upstreamStatus: 502, retryAfterMs: 1000, param: "x" });
    assert.equal(allAttemptsFailed(draftWith(Array.from({ length: n }, () => ({ errorKind: "upstream_5xx" }))), last), last);
  });
}

test("allAttemptsFailed: lists every attempt in order, with the last error's kind, status, code and provider", () => {
  const draft = draftWith([
    { provider: "sim", upstreamModel: "sim-pro", errorKind: "timeout", status: null, latencyMs: 20_000.4 },
    { provider: "alt", upstreamModel: "large-v2", errorKind: "upstream_5xx", status: 503, latencyMs: 12.6 },
    { provider: "alt", upstreamModel: "small", errorKind: "rate_limited", status: 429, latencyMs: 4 },
  ]);
  const last = new GatewayError("rate_limited", "slow down", { provider: "alt", upstreamStatus: 429, code: "rate_limit_exceeded" });
  const err = allAttemptsFailed(draft, last);
  assert.equal(
    err.message,
    "All 3 attempts failed: 1) sim/sim-pro: timeout after 20000 ms; 2) alt/large-v2: upstream_5xx 503 after 13 ms; 3) alt/small: rate_limited 429 after 4 ms. Last error: slow down",
  );
  assert.equal(err.kind, "rate_limited");
  assert.equal(err.status, 429);
  assert.equal(err.code, "rate_limit_exceeded");
  assert.equal(err.provider, "alt");
  assert.equal(err.upstreamStatus, 429);
  assert.equal(err.toOpenAI().error.type, "rate_limit_error");
});

test("allAttemptsFailed: the status override of the last error is kept", () => {
  const draft = draftWith([{ errorKind: "model_not_found", status: 404 }, { errorKind: "model_not_found", status: 404 }]);
  const last = new GatewayError("overloaded", "busy", { status: 529 });
  assert.equal(allAttemptsFailed(draft, last).status, 529);
});

test(
  "allAttemptsFailed: the last error's Retry-After survives the summary",
  () => {
    const draft = draftWith([{ errorKind: "rate_limited", status: 429 }, { errorKind: "rate_limited", status: 429 }]);
    const last = new GatewayError("rate_limited", "slow down", { upstreamStatus: 429, retryAfterMs: 2000 });
    assert.equal(allAttemptsFailed(draft, last).retryAfterMs, 2000);
  },
);
