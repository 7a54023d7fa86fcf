import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import type { ErrorKind } from "../core/errors.ts";
import { createDeploymentHealth, DeploymentHealth, MAX_TRACKED_DEPLOYMENTS, type BreakerTransition, type DeploymentHealthOptions } from "./deployment-health.ts";

const D = "openai/gpt-5.4";
const OTHER = "azure/gpt-54-prod";

function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function healthWith(overrides: Partial<Omit<DeploymentHealthOptions, "clock">> = {}, start?: number) {
  const clock = fakeClock(start);
  const health = new DeploymentHealth({
    breaker: { failureRate: 0.5, minRequests: 4, windowMs: 60_000, cooldownMs: 30_000, halfOpenProbes: 1, buckets: 10 },
    adaptiveTtft: null,
    retryBudget: { ratio: 0.2, minPerSecond: 1, windowMs: 10_000, buckets: 10 },
    ...overrides,
    clock: clock.now,
  });
  return { health, clock };
}

/** One admitted attempt with the given outcome. */
function attempt(health: DeploymentHealth, deployment: string, result: "success" | ErrorKind): boolean {
  const a = health.admit(deployment);
  if (a.allowed) health.record(deployment, a.ticket, result);
  return a.allowed;
}

const configWith = (resilience: string) =>
  parseConfigText({ file: "t.yaml", env: {}, text: `providers: { sim: { type: simulated } }\nmodels: { m: { provider: sim } }\n${resilience}\n` }).config;

describe("DeploymentHealth: breaker", () => {
  it("opens after min_requests failures at the failure rate, and refuses while open", () => {
    const { health } = healthWith();
    for (let i = 0; i < 3; i += 1) assert.equal(attempt(health, D, "upstream_5xx"), true);
    assert.equal(health.isAvailable(D), true, "3 of min_requests 4: still closed");
    assert.equal(attempt(health, D, "upstream_5xx"), true);
    assert.equal(health.isAvailable(D), false);
    const refused = health.admit(D);
    assert.equal(refused.allowed, false);
    assert.equal(health.snapshot().deployments.find((d) => d.deployment === D)?.breaker?.status, "open");
    // Breakers are per deployment.
    assert.equal(health.admit(OTHER).allowed, true);
  });

  it("stays closed while failures are below the rate", () => {
    const { health } = healthWith();
    for (let i = 0; i < 20; i += 1) attempt(health, D, i % 3 === 2 ? "timeout" : "success");
    assert.equal(health.isAvailable(D), true);
  });

  it("the failure rate is inclusive: 2 of 4 at 0.5 opens", () => {
    const { health } = healthWith();
    attempt(health, D, "success");
    attempt(health, D, "success");
    attempt(health, D, "rate_limited");
    assert.equal(health.isAvailable(D), true);
    attempt(health, D, "overloaded");
    assert.equal(health.isAvailable(D), false);
  });

  it("the client's own errors count neither way", () => {
    const { health } = healthWith();
    for (let i = 0; i < 10; i += 1) attempt(health, D, "bad_request");
    for (let i = 0; i < 10; i += 1) attempt(health, D, "context_length");
    for (let i = 0; i < 3; i += 1) attempt(health, D, "network");
    assert.equal(health.isAvailable(D), true, "3 counted failures < min_requests 4");
    attempt(health, D, "network");
    assert.equal(health.isAvailable(D), false);
  });

  it("failures older than the window are forgotten", () => {
    const { health, clock } = healthWith();
    for (let i = 0; i < 3; i += 1) attempt(health, D, "upstream_5xx");
    clock.advance(61_000);
    attempt(health, D, "upstream_5xx");
    assert.equal(health.isAvailable(D), true);
  });

  it("half-open after the cooldown admits the configured probes; a success closes", () => {
    const { health, clock } = healthWith({ breaker: { failureRate: 0.5, minRequests: 2, windowMs: 60_000, cooldownMs: 30_000, halfOpenProbes: 2, buckets: 10 } });
    attempt(health, D, "timeout");
    attempt(health, D, "timeout");
    assert.equal(health.admit(D).allowed, false);
    clock.advance(29_999);
    assert.equal(health.admit(D).allowed, false);
    assert.equal(health.isAvailable(D), false);
    clock.advance(1);
    assert.equal(health.isAvailable(D), true, "isAvailable looks ahead past the cooldown");
    const p1 = health.admit(D);
    const p2 = health.admit(D);
    const p3 = health.admit(D);
    assert.deepEqual([p1.allowed, p2.allowed, p3.allowed], [true, true, false]);
    assert.equal(health.snapshot().deployments[0]?.breaker?.status, "half_open");
    health.record(D, p1.ticket, "success");
    assert.equal(health.snapshot().deployments[0]?.breaker?.status, "closed");
    assert.equal(health.admit(D).allowed, true);
    // The second probe's late outcome carries an old ticket and is ignored.
    health.record(D, p2.ticket, "timeout");
    assert.equal(health.snapshot().deployments[0]?.breaker?.status, "closed");
  });

  it("a failed probe opens the breaker again for another cooldown", () => {
    const { health, clock } = healthWith();
    for (let i = 0; i < 4; i += 1) attempt(health, D, "upstream_5xx");
    clock.advance(30_000);
    const probe = health.admit(D);
    assert.equal(probe.allowed, true);
    health.record(D, probe.ticket, "upstream_5xx");
    assert.equal(health.admit(D).allowed, false);
    clock.advance(29_000);
    assert.equal(health.admit(D).allowed, false);
    clock.advance(1_000);
    assert.equal(health.admit(D).allowed, true);
  });

  it("records transitions (oldest first) and calls every listener", () => {
    const { health, clock } = healthWith();
    const seenA: BreakerTransition[] = [];
    const seenB: BreakerTransition[] = [];
    health.onTransition((t) => seenA.push(t));
    health.onTransition((t) => seenB.push(t));
    const openedAt = clock.now();
    for (let i = 0; i < 4; i += 1) attempt(health, D, "upstream_5xx");
    clock.advance(30_000);
    const probe = health.admit(D);
    health.record(D, probe.ticket, "success");
    const transitions = health.snapshot().transitions;
    assert.deepEqual(
      transitions.map((t) => [t.deployment, t.from, t.to, t.reason, t.at]),
      [
        [D, "closed", "open", "failure_rate", openedAt],
        [D, "open", "half_open", "cooldown_elapsed", openedAt + 30_000],
        [D, "half_open", "closed", "probe_succeeded", openedAt + 30_000],
      ],
    );
    assert.deepEqual(transitions[0]?.window, { requests: 4, failures: 4 });
    assert.deepEqual(seenA, transitions);
    assert.deepEqual(seenB, transitions);
  });

  it("keeps at most the 200 most recent transitions", () => {
    const { health, clock } = healthWith({ breaker: { failureRate: 0.5, minRequests: 1, windowMs: 60_000, cooldownMs: 1, halfOpenProbes: 1, buckets: 10 } });
    let calls = 0;
    health.onTransition(() => (calls += 1));
    attempt(health, D, "upstream_5xx"); // closed → open
    for (let i = 0; i < 150; i += 1) {
      clock.advance(1);
      attempt(health, D, "upstream_5xx"); // open → half_open, then the probe fails: → open
    }
    const transitions = health.snapshot().transitions;
    assert.equal(calls, 301);
    assert.equal(transitions.length, 200);
    assert.equal(transitions.at(-1)?.reason, "probe_failed");
    assert.equal(transitions[0]?.at, clock.now() - 99, "the oldest kept is from 100 cycles ago");
  });

  it("breakers disabled (breaker: null): every attempt is admitted, nothing transitions", () => {
    const { health } = healthWith({ breaker: null });
    let calls = 0;
    health.onTransition(() => (calls += 1));
    for (let i = 0; i < 50; i += 1) assert.equal(attempt(health, D, "upstream_5xx"), true);
    const admission = health.admit(D);
    assert.deepEqual(admission, { allowed: true, ticket: undefined });
    assert.equal(health.isAvailable(D), true);
    assert.equal(calls, 0);
    assert.equal(health.snapshot().deployments[0]?.breaker, null);
  });

  it("createDeploymentHealth reads resilience.breaker (seconds) and enabled: false", () => {
    const clock = fakeClock();
    const on = createDeploymentHealth(configWith("resilience: { breaker: { min_requests: 2, failure_rate: 1, cooldown_s: 5, half_open_probes: 1 } }"), clock.now);
    attempt(on, D, "timeout");
    assert.equal(on.isAvailable(D), true);
    attempt(on, D, "timeout");
    assert.equal(on.isAvailable(D), false);
    clock.advance(4_999);
    assert.equal(on.isAvailable(D), false);
    clock.advance(1);
    assert.equal(on.isAvailable(D), true);

    const off = createDeploymentHealth(configWith("resilience: { breaker: { enabled: false, min_requests: 1 } }"), clock.now);
    for (let i = 0; i < 5; i += 1) attempt(off, D, "timeout");
    assert.equal(off.isAvailable(D), true);
  });
});

describe("DeploymentHealth: adaptive time to first token", () => {
  const adaptive = { factor: 3, minMs: 1000, minSamples: 5 };

  it("without adaptive settings, the configured value", () => {
    const { health } = healthWith();
    for (let i = 0; i < 50; i += 1) health.observe(D, { ttftMs: 100 });
    assert.equal(health.ttftTimeoutMs(D, 20_000), 20_000);
  });

  it("the configured value until min_samples, then p95 × factor", () => {
    const { health } = healthWith({ adaptiveTtft: adaptive });
    assert.equal(health.ttftTimeoutMs(D, 20_000), 20_000, "never seen");
    for (let i = 0; i < 4; i += 1) health.observe(D, { ttftMs: 800 });
    assert.equal(health.ttftTimeoutMs(D, 20_000), 20_000, "4 < min_samples 5");
    health.observe(D, { ttftMs: 900 });
    assert.equal(health.ttftTimeoutMs(D, 20_000), 2700);
    assert.equal(health.ttftTimeoutMs(OTHER, 20_000), 20_000, "per deployment");
  });

  it("within [min_ms, configured]", () => {
    const { health } = healthWith({ adaptiveTtft: adaptive });
    for (let i = 0; i < 10; i += 1) health.observe(D, { ttftMs: 50 });
    assert.equal(health.ttftTimeoutMs(D, 20_000), 1000, "150 is raised to min_ms");
    const slow = healthWith({ adaptiveTtft: adaptive }).health;
    for (let i = 0; i < 10; i += 1) slow.observe(D, { ttftMs: 9000 });
    assert.equal(slow.ttftTimeoutMs(D, 20_000), 20_000, "27000 is cut to the configured value");
    // A configured value below min_ms wins over min_ms.
    assert.equal(health.ttftTimeoutMs(D, 500), 500);
  });

  it("null, undefined and invalid samples are not counted", () => {
    const { health } = healthWith({ adaptiveTtft: adaptive });
    for (let i = 0; i < 10; i += 1) health.observe(D, { ttftMs: null, latencyMs: 10 });
    for (let i = 0; i < 10; i += 1) health.observe(D, { ttftMs: -5 });
    for (let i = 0; i < 10; i += 1) health.observe(D, { ttftMs: Number.NaN });
    assert.equal(health.ttftTimeoutMs(D, 20_000), 20_000);
    assert.equal(health.facts(D, null).ttftP50Ms, null);
  });

  it("createDeploymentHealth reads resilience.timeout.adaptive", () => {
    const clock = fakeClock();
    const health = createDeploymentHealth(configWith("resilience: { timeout: { adaptive: { factor: 2, min_ms: 100, min_samples: 3 } } }"), clock.now);
    for (let i = 0; i < 3; i += 1) health.observe(D, { ttftMs: 400 });
    assert.equal(health.ttftTimeoutMs(D, 20_000), 800);
  });
});

describe("DeploymentHealth: retry budget", () => {
  it("a quiet gateway may retry min_per_second × window; requests add ratio each", () => {
    const { health } = healthWith();
    let granted = 0;
    while (health.tryRetry()) granted += 1;
    assert.equal(granted, 10, "1/s × 10 s");
    for (let i = 0; i < 50; i += 1) health.noteRequest();
    granted = 0;
    while (health.tryRetry()) granted += 1;
    assert.equal(granted, 10, "0.2 × 50 more");
    assert.deepEqual(health.snapshot().retryBudget, { requests: 50, retries: 20, allowance: 20 });
  });

  it("the window slides: spent retries come back once they leave it", () => {
    const { health, clock } = healthWith();
    while (health.tryRetry());
    assert.equal(health.tryRetry(), false);
    clock.advance(5_000);
    assert.equal(health.tryRetry(), false);
    clock.advance(5_000);
    assert.equal(health.tryRetry(), true);
  });

  it("ratio 0 and min_per_second 0: no retries at all", () => {
    const { health } = healthWith({ retryBudget: { ratio: 0, minPerSecond: 0, windowMs: 10_000, buckets: 10 } });
    for (let i = 0; i < 100; i += 1) health.noteRequest();
    assert.equal(health.tryRetry(), false);
  });

  it("createDeploymentHealth reads resilience.retry.budget", () => {
    const clock = fakeClock();
    const health = createDeploymentHealth(configWith("resilience: { retry: { budget: { ratio: 0.5, min_per_second: 0, window_s: 2 } } }"), clock.now);
    assert.equal(health.tryRetry(), false);
    for (let i = 0; i < 4; i += 1) health.noteRequest();
    assert.equal(health.tryRetry(), true);
    assert.equal(health.tryRetry(), true);
    assert.equal(health.tryRetry(), false);
    clock.advance(2_000);
    assert.equal(health.tryRetry(), false, "the requests left the window with the retries");
  });
});

describe("DeploymentHealth: facts and snapshot", () => {
  it("facts of an unseen deployment: all null but the list price", () => {
    const { health } = healthWith();
    assert.deepEqual(health.facts(D, 12_500_000), { ttftP50Ms: null, latencyP50Ms: null, latencyP95Ms: null, costPer1kMicroUsd: null, listPriceMicroUsd: 12_500_000 });
  });

  it("facts: ttft p50, latency p95, mean cost per 1k", () => {
    const { health } = healthWith();
    for (let i = 1; i <= 20; i += 1) health.observe(D, { ttftMs: i * 10, latencyMs: i * 100 });
    health.observe(D, { costPer1kMicroUsd: 100 });
    health.observe(D, { costPer1kMicroUsd: 300 });
    health.observe(D, { costPer1kMicroUsd: null });
    assert.deepEqual(health.facts(D, null), { ttftP50Ms: 100, latencyP50Ms: 1000, latencyP95Ms: 1900, costPer1kMicroUsd: 200, listPriceMicroUsd: null });
  });

  it("the cost window keeps the 32 most recent samples", () => {
    const { health } = healthWith();
    for (let i = 0; i < 32; i += 1) health.observe(D, { costPer1kMicroUsd: 1000 });
    for (let i = 0; i < 32; i += 1) health.observe(D, { costPer1kMicroUsd: 10 });
    assert.equal(health.facts(D, null).costPer1kMicroUsd, 10);
  });

  it("snapshot: each deployment's breaker, ttft and latency summaries, and the retry budget", () => {
    const { health, clock } = healthWith();
    attempt(health, D, "upstream_5xx");
    attempt(health, D, "success");
    health.observe(D, { ttftMs: 120, latencyMs: 900 });
    for (let i = 0; i < 4; i += 1) attempt(health, OTHER, "timeout");
    health.noteRequest();
    assert.equal(health.tryRetry(), true);
    const snap = health.snapshot();
    assert.deepEqual(snap.deployments, [
      { deployment: D, breaker: { status: "closed", requests: 2, failures: 1, probeAtMs: null }, ttft: { count: 1, p50: 120, p95: 120 }, latency: { count: 1, p50: 900, p95: 900 } },
      { deployment: OTHER, breaker: { status: "open", requests: 0, failures: 0, probeAtMs: clock.now() + 30_000 }, ttft: { count: 0, p50: null, p95: null }, latency: { count: 0, p50: null, p95: null } },
    ]);
    assert.deepEqual(snap.retryBudget, { requests: 1, retries: 1, allowance: 10.2 });
    assert.equal(snap.transitions.length, 1);
  });

  it("snapshot does not move a breaker on", () => {
    const { health, clock } = healthWith();
    for (let i = 0; i < 4; i += 1) attempt(health, D, "upstream_5xx");
    clock.advance(60_000);
    assert.equal(health.snapshot().deployments[0]?.breaker?.status, "open");
    assert.equal(health.snapshot().transitions.length, 1);
  });
});

describe("DeploymentHealth bounds", () => {
  it("tracks at most MAX_TRACKED_DEPLOYMENTS; later ones are served untracked, the tracked ones keep their state", () => {
    const { health } = healthWith();
    for (let i = 0; i < MAX_TRACKED_DEPLOYMENTS; i += 1) health.observe(`p/m-${i}`, { latencyMs: 5 });
    health.observe("p/one-too-many", { latencyMs: 5 });
    assert.equal(health.snapshot().deployments.length, MAX_TRACKED_DEPLOYMENTS);
    assert.equal(health.admit("p/one-too-many").allowed, true);
    assert.equal(health.facts("p/m-0", null).latencyP95Ms, 5);
  });

  it("a transition listener can be removed", () => {
    const { health } = healthWith();
    const seen: BreakerTransition[] = [];
    const stop = health.onTransition((t) => seen.push(t));
    for (let i = 0; i < 4; i += 1) attempt(health, D, "upstream_5xx");
    stop();
    for (let i = 0; i < 4; i += 1) attempt(health, OTHER, "upstream_5xx");
    assert.equal(health.isAvailable(OTHER), false);
    assert.deepEqual(seen.map((t) => t.deployment), [D]);
  });
});
