import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import { GatewayError } from "../core/errors.ts";
import type { ProviderAdapter } from "../providers/provider.ts";
import { createDeploymentHealth } from "../state/deployment-health.ts";
import { createHealthProbe, startHealthProbe, type ProbeResult } from "./health-probe.ts";

const config = parseConfigText({
  file: "test.yaml",
  env: {},
  text: `
providers:
  good: { type: openai-compatible, base_url: "http://127.0.0.1:1/v1" }
  bad: { type: openai-compatible, base_url: "http://127.0.0.1:1/v1" }
  slow: { type: openai-compatible, base_url: "http://127.0.0.1:1/v1" }
  sim: { type: simulated }
models:
  a: { provider: good }
  b: { provider: bad, upstream: b-up }
  c: { deployments: [{ provider: bad, upstream: c1 }, { provider: good, upstream: c2 }] }
  s: { provider: slow }
  m: { provider: sim }
resilience: { breaker: { min_requests: 2, failure_rate: 0.5, window_s: 60, cooldown_s: 60 } }
`,
}).config;

function adapter(name: string, listModels?: (signal: AbortSignal) => Promise<string[]>): ProviderAdapter {
  const unused = (): never => {
    throw new Error("not for probes");
  };
  return { name, type: "openai-compatible", chat: unused, chatStream: unused, ...(listModels && { listModels: ({ signal }: { signal: AbortSignal }) => listModels(signal) }) };
}

const hangs = (signal: AbortSignal): Promise<string[]> =>
  new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new GatewayError("client_closed", "cancelled")), { once: true }));

function setup(overrides: Partial<Record<string, ProviderAdapter>> = {}) {
  const calls: string[] = [];
  const adapters = new Map<string, ProviderAdapter>([
    ["good", adapter("good", async () => (calls.push("good"), ["a"]))],
    ["bad", adapter("bad", async () => (calls.push("bad"), Promise.reject(new GatewayError("upstream_5xx", "down"))))],
    ["slow", adapter("slow", (signal) => (calls.push("slow"), hangs(signal)))],
    ["sim", adapter("sim", async () => (calls.push("sim"), ["m"]))],
  ]);
  for (const [name, a] of Object.entries(overrides)) if (a) adapters.set(name, a);
  const health = createDeploymentHealth(config, () => 0);
  const seen: [string, ProbeResult][] = [];
  const options = { config, adapters, health, isSimulated: (p: string) => p === "sim", intervalMs: 60_000, timeoutMs: 50, onResult: (p: string, r: ProbeResult) => seen.push([p, r]) };
  return { calls, health, seen, options };
}

test("a failing provider's result lands on each of its deployments; successes and timeouts too; simulated providers are left alone", async () => {
  const { calls, health, seen, options } = setup();
  health.record("bad/traffic-only", undefined, "success");
  const probe = createHealthProbe(options);
  const results = await probe.runOnce();
  assert.deepEqual(Object.fromEntries(results), { good: "success", bad: "upstream_5xx", slow: "timeout" });
  assert.deepEqual(calls.sort(), ["bad", "good", "slow"]);
  assert.deepEqual(seen.map(([p]) => p).sort(), ["bad", "good", "slow"]);
  await probe.runOnce();
  const breakers = Object.fromEntries(health.snapshot().deployments.map((d) => [d.deployment, d.breaker]));
  // Two failures each (min_requests 2, rate 1): open.
  assert.equal(breakers["bad/b-up"]?.status, "open");
  assert.equal(breakers["bad/c1"]?.status, "open");
  assert.equal(breakers["slow/s"]?.status, "open");
  // A deployment traffic has reached is known too: 1 success + 2 failures ≥ 0.5.
  assert.equal(breakers["bad/traffic-only"]?.status, "open");
  assert.deepEqual(breakers["good/a"], { status: "closed", requests: 2, failures: 0, probeAtMs: null });
  assert.equal(breakers["good/c2"]?.requests, 2);
  assert.equal(breakers["sim/m"], undefined);
});

test("an adapter without listModels is skipped; a throwing one costs only its own result", async () => {
  const { calls, seen, options } = setup({
    bad: adapter("bad"),
    slow: adapter("slow", () => {
      throw new TypeError("bug");
    }),
  });
  const results = await createHealthProbe(options).runOnce();
  assert.deepEqual(Object.fromEntries(results), { good: "success", slow: "internal" });
  assert.deepEqual(calls, ["good"]);
  assert.equal(seen.length, 2);
});

test("startHealthProbe runs a first round at once, and stop() abandons a round under way without recording", async () => {
  const { health, seen, options } = setup();
  const probe = startHealthProbe({ ...options, timeoutMs: 10_000 });
  for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(seen.map(([p]) => p).sort(), ["bad", "good"]);
  probe.stop();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(seen.length, 2, "the hanging provider's abandoned probe records nothing");
  assert.equal(health.snapshot().deployments.some((d) => d.deployment === "slow/s"), false);
});
