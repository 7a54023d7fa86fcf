import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import type { Config } from "../config/schema.ts";
import { GatewayError, type ErrorKind } from "../core/errors.ts";
import { deploymentKey, type Target } from "../router/plan.ts";
import { seededRandom } from "../router/random.ts";
import { resolveModel } from "../router/resolve-model.ts";
import { createDeploymentHealth } from "../state/deployment-health.ts";
import type { AttemptTimeouts } from "./attempt-policy.ts";
import { ReceiptDraft } from "./receipt-draft.ts";
import { runDownChain } from "./run-down-chain.ts";
import { runtimeExtras } from "../../test/support/test-runtime.ts";
import type { Runtime } from "./runtime.ts";

/**
 * Providers a–d are simulated only so the config loads: the attempt function below stands in for
 * every upstream call, failing as each test's script says.
 */
const BASE = `
providers:
  a: { type: simulated }
  b: { type: simulated }
  c: { type: simulated }
  d: { type: simulated }
models:
  a-small:  { provider: a, context_window: 8000 }
  a-other:  { provider: a, context_window: 8000 }
  b-small:  { provider: b, context_window: 8000 }
  c-large:  { provider: c, context_window: 128000 }
  d-plain:  { provider: d }
lanes:
  ab: [a-small, b-small]
  abc: [a-small, b-small, c-large]
  same-provider: [a-small, a-other, b-small]
  windows: [a-small, b-small, c-large]
  small-only: [a-small, b-small]
  unknown-windows: [d-plain, a-small]
routes:
  ab: { lane: ab }
  abc: { lane: abc }
  same-provider: { lane: same-provider }
  windows: { lane: windows }
  small-only: { lane: small-only }
  unknown-windows: { lane: unknown-windows }
  short: { lane: ab, timeout_ms: 1000 }
  no-retries: { lane: ab, retries: 0 }
`;

const RESILIENCE = "resilience: { retry: { attempts: 2, base_ms: 1, max_ms: 2, retry_after_cap_ms: 1000 }, breaker: { min_requests: 3, failure_rate: 0.5 } }";

type Outcome = "ok" | ErrorKind | GatewayError;

interface Harness {
  draft: ReceiptDraft;
  runtime: Runtime;
  /** What each attempt was given, in order. */
  calls: { target: Target; timeouts: AttemptTimeouts; startedMs: number }[];
  /** Runs the chain; each attempt on a provider takes the next outcome of its script (the last repeats). */
  run(script: Record<string, Outcome[]>, options?: { signal?: AbortSignal; targets?: Target[]; latencyMs?: number }): Promise<string>;
  advance(ms: number): void;
}

function harness(route: string, resilience = RESILIENCE, meta: { timeoutMs?: number } = {}): Harness {
  const config: Config = parseConfigText({ file: "chain.yaml", env: {}, text: `${BASE}\n${resilience}\n` }).config;
  let now = 10_000;
  const runtime: Runtime = {
    config,
    adapters: new Map(),
    priceOf: () => null,
    receipts: { write: () => undefined },
    monotonicMs: () => now,
    wallClockMs: () => 1_700_000_000_000,
    isSimulated: () => true,
    health: createDeploymentHealth(config, () => now),
    random: seededRandom(5),
    ...runtimeExtras(config),
  };
  const draft = new ReceiptDraft(runtime, {
    requestId: "req",
    endpoint: "/v1/chat/completions",
    taskId: null,
    taskType: null,
    complexity: null,
    idempotencyKey: null,
    stream: false,
    reasoningEffort: null,
    ...(meta.timeoutMs !== undefined && { timeoutMs: meta.timeoutMs }),
  });
  draft.plan = resolveModel(config, route, { taskType: null, complexity: null });
  const calls: Harness["calls"] = [];
  return {
    draft,
    runtime,
    calls,
    advance: (ms) => (now += ms),
    run(script, options = {}) {
      const used = new Map<string, number>();
      return runDownChain(
        draft,
        options.signal ?? new AbortController().signal,
        async (context) => {
          calls.push(context);
          const provider = context.target.provider;
          const list = script[provider] ?? ["ok"];
          const i = used.get(provider) ?? 0;
          used.set(provider, i + 1);
          const outcome = list[Math.min(i, list.length - 1)] as Outcome;
          now += options.latencyMs ?? 10;
          if (outcome instanceof GatewayError) throw outcome;
          if (outcome !== "ok") throw new GatewayError(outcome, `${provider} failed with ${outcome}`, { provider });
          draft.recordAnswered(context.target, now - context.startedMs);
          draft.ttftMs = draft.elapsedMs();
          return provider;
        },
        options.targets ? { targets: options.targets } : {},
      );
    },
  };
}

const attemptsOf = (draft: ReceiptDraft): string[] => draft.attempts.map((a) => `${a.provider}:${a.errorKind ?? "ok"}`);

/** Opens a deployment's breaker by feeding it failures. */
function openBreaker(runtime: Runtime, deployment: string): void {
  for (let i = 0; i < 3; i += 1) {
    const admission = runtime.health.admit(deployment);
    runtime.health.record(deployment, admission.ticket, "upstream_5xx");
  }
  assert.equal(runtime.health.isAvailable(deployment), false);
}

async function rejects(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the chain to fail");
}

describe("runDownChain: retries and fallbacks", () => {
  it("the first target answers: one attempt, nothing else", async () => {
    const h = harness("ab");
    assert.equal(await h.run({}), "a");
    assert.deepEqual(attemptsOf(h.draft), ["a:ok"]);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks, h.draft.skipped, h.draft.warnings], [0, 0, [], []]);
    assert.equal(h.draft.target?.modelId, "a-small");
  });

  it("a retryable failure, then success on the same target", async () => {
    const h = harness("ab");
    assert.equal(await h.run({ a: ["upstream_5xx", "ok"] }), "a");
    assert.deepEqual(attemptsOf(h.draft), ["a:upstream_5xx", "a:ok"]);
    assert.equal(h.draft.retries, 1);
    assert.equal(h.draft.fallbacks, 0);
    const failed = h.draft.attempts[0];
    assert.equal(failed?.errorMessage, "a failed with upstream_5xx");
    assert.equal(failed?.latencyMs, 10);
    assert.equal(failed?.upstreamModel, "a-small");
  });

  it("retries exhausted, then the next target", async () => {
    const h = harness("ab");
    assert.equal(await h.run({ a: ["overloaded"] }), "b");
    assert.deepEqual(attemptsOf(h.draft), ["a:overloaded", "a:overloaded", "a:overloaded", "b:ok"]);
    assert.equal(h.draft.retries, 2);
    assert.equal(h.draft.fallbacks, 1);
    assert.equal(h.draft.target?.provider, "b");
  });

  it("a route's retries: 0 falls back at once", async () => {
    const h = harness("no-retries");
    assert.equal(await h.run({ a: ["rate_limited"] }), "b");
    assert.deepEqual(attemptsOf(h.draft), ["a:rate_limited", "b:ok"]);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks], [0, 1]);
  });

  it("every target fails: the error lists each attempt and keeps the last kind", async () => {
    const h = harness("ab", RESILIENCE.replace("attempts: 2", "attempts: 1"));
    const err = await rejects(h.run({ a: ["upstream_5xx"], b: [new GatewayError("rate_limited", "slow down", { provider: "b", upstreamStatus: 429 })] }));
    assert.equal(err.kind, "rate_limited");
    assert.equal(err.status, 429);
    assert.match(err.message, /^All 4 attempts failed: 1\) a\/a-small: upstream_5xx after 10 ms; 2\) a\/a-small: upstream_5xx after 10 ms; 3\) b\/b-small: rate_limited 429 after 10 ms; 4\) b\/b-small: rate_limited 429 after 10 ms\. Last error: slow down$/);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks], [2, 1]);
  });

  it("a non-fallbackable error stops with one attempt, the error as it was", async () => {
    for (const kind of ["bad_request", "content_filter", "not_found"] as const) {
      const h = harness("abc");
      const original = new GatewayError(kind, "your request is at fault", { provider: "a", upstreamStatus: 400 });
      const err = await rejects(h.run({ a: [original] }));
      assert.equal(err, original);
      assert.deepEqual(attemptsOf(h.draft), [`a:${kind}`]);
      assert.deepEqual([h.draft.retries, h.draft.fallbacks], [0, 0]);
    }
  });

  it("a timeout moves on without retrying while another target is available", async () => {
    const h = harness("ab");
    assert.equal(await h.run({ a: ["timeout"] }), "b");
    assert.deepEqual(attemptsOf(h.draft), ["a:timeout", "b:ok"]);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks], [0, 1]);
  });

  it("a timeout on the last target is retried there", async () => {
    const h = harness("ab");
    assert.equal(await h.run({ b: ["timeout", "ok"] }, { targets: [{ modelId: "b-small", provider: "b", upstreamModel: "b-small" }] }), "b");
    assert.deepEqual(attemptsOf(h.draft), ["b:timeout", "b:ok"]);
    assert.equal(h.draft.retries, 1);
  });

  it("upstream auth falls back only to another provider", async () => {
    const h = harness("same-provider");
    assert.equal(await h.run({ a: ["auth"] }), "b");
    assert.deepEqual(attemptsOf(h.draft), ["a:auth", "b:ok"]);
    assert.equal(h.draft.fallbacks, 1);
  });

  it("a model not found upstream falls back to the same provider's next model", async () => {
    const h = harness("same-provider");
    const result = await h.run({ a: ["model_not_found", "ok"] });
    assert.equal(result, "a");
    assert.deepEqual(h.draft.attempts.map((a) => `${a.model}:${a.errorKind ?? "ok"}`), ["a-small:model_not_found", "a-other:ok"]);
  });

  it("options.targets replaces the plan's chain", async () => {
    const h = harness("ab");
    const only: Target = { modelId: "c-large", provider: "c", upstreamModel: "c-large" };
    assert.equal(await h.run({}, { targets: [only] }), "c");
    assert.deepEqual(h.calls.map((c) => c.target), [only]);
  });

  it("a client that goes away stops the chain at once", async () => {
    const h = harness("abc");
    const controller = new AbortController();
    controller.abort();
    const err = await rejects(h.run({ a: ["upstream_5xx"] }, { signal: controller.signal }));
    assert.equal(err.kind, "client_closed");
    assert.deepEqual(attemptsOf(h.draft), ["a:client_closed"]);
  });
});

describe("runDownChain: context length", () => {
  it("falls back only to a target with a larger configured context_window", async () => {
    const h = harness("windows");
    assert.equal(await h.run({ a: ["context_length"] }), "c");
    assert.deepEqual(attemptsOf(h.draft), ["a:context_length", "c:ok"]);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks], [0, 1]);
    assert.deepEqual(h.draft.skipped, [], "a smaller window is passed over, not skipped for a breaker");
  });

  it("no larger target: stops with the context-length error", async () => {
    const h = harness("small-only");
    const err = await rejects(h.run({ a: ["context_length"] }));
    assert.equal(err.kind, "context_length");
    assert.deepEqual(attemptsOf(h.draft), ["a:context_length"]);
  });

  it("an unknown window cannot be compared: no fallback", async () => {
    const h = harness("unknown-windows");
    const err = await rejects(h.run({ d: ["context_length"] }));
    assert.equal(err.kind, "context_length");
    assert.deepEqual(attemptsOf(h.draft), ["d:context_length"]);
  });
});

describe("runDownChain: breakers", () => {
  it("a target whose breaker is open is skipped without an attempt", async () => {
    const h = harness("abc");
    openBreaker(h.runtime, "a/a-small");
    assert.equal(await h.run({}), "b");
    assert.deepEqual(attemptsOf(h.draft), ["b:ok"]);
    assert.deepEqual(h.draft.skipped, ["a/a-small"]);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks], [0, 0]);
  });

  it("a failure followed by an open breaker further down: that one is passed over too", async () => {
    const h = harness("abc", RESILIENCE.replace("attempts: 2", "attempts: 0"));
    openBreaker(h.runtime, "b/b-small");
    assert.equal(await h.run({ a: ["upstream_5xx"] }), "c");
    assert.deepEqual(attemptsOf(h.draft), ["a:upstream_5xx", "c:ok"]);
    assert.equal(h.draft.fallbacks, 1);
  });

  it(
    "a target passed over after a failure because its breaker is open is named in skipped",
    async () => {
      const h = harness("abc", RESILIENCE.replace("attempts: 2", "attempts: 0"));
      openBreaker(h.runtime, "b/b-small");
      await h.run({ a: ["upstream_5xx"] });
      assert.deepEqual(h.draft.skipped, ["b/b-small"]);
    },
  );

  it("every breaker open: 503 overloaded naming them", async () => {
    const h = harness("abc");
    for (const d of ["a/a-small", "b/b-small", "c/c-large"]) openBreaker(h.runtime, d);
    const err = await rejects(h.run({}));
    assert.equal(err.kind, "overloaded");
    assert.equal(err.status, 503);
    assert.match(err.message, /circuit breaker of a\/a-small, b\/b-small, c\/c-large is open/);
    assert.deepEqual(h.calls, []);
    assert.deepEqual(h.draft.attempts, []);
    assert.deepEqual(h.draft.skipped, ["a/a-small", "b/b-small", "c/c-large"]);
  });

  it("failures feed the breaker: once it opens mid-request, the retries there stop", async () => {
    const h = harness("ab", RESILIENCE.replace("attempts: 2", "attempts: 5"));
    assert.equal(await h.run({ a: ["upstream_5xx"] }), "b");
    // min_requests 3 at 50%: the third failure opens a's breaker; its next retry is skipped.
    assert.deepEqual(attemptsOf(h.draft), ["a:upstream_5xx", "a:upstream_5xx", "a:upstream_5xx", "b:ok"]);
    // a was tried, not skipped: the request moved on as soon as its breaker opened.
    assert.deepEqual(h.draft.skipped, []);
    assert.equal(h.draft.fallbacks, 1);
    assert.equal(h.runtime.health.isAvailable("a/a-small"), false);
    assert.equal(h.runtime.health.snapshot().transitions[0]?.deployment, "a/a-small");
  });

  it(
    "a breaker that opened on this failure: no retry is counted, waited for or taken from the budget",
    async () => {
      const h = harness("ab", RESILIENCE.replace("attempts: 2", "attempts: 5"));
      await h.run({ a: ["upstream_5xx"] });
      assert.deepEqual([h.draft.retries, h.draft.fallbacks], [2, 1], "two retries were made; the third was not");
      assert.equal(h.runtime.health.snapshot().retryBudget.retries, 2);
    },
  );

  it("a success is recorded; a stream's time to first token is observed, a whole answer's is not", async () => {
    const h = harness("ab");
    await h.run({}, { latencyMs: 250 });
    const snap = () => h.runtime.health.snapshot().deployments.find((d) => d.deployment === "a/a-small");
    assert.equal(snap()?.breaker?.requests, 1);
    assert.equal(snap()?.breaker?.failures, 0);
    assert.equal(snap()?.ttft.p50, null);
    h.draft.meta.stream = true;
    await h.run({}, { latencyMs: 250 });
    assert.equal(snap()?.breaker?.requests, 2);
    assert.equal(snap()?.ttft.p50, 250);
  });

  it("breakers disabled: nothing is skipped", async () => {
    const h = harness("ab", "resilience: { retry: { attempts: 0 }, breaker: { enabled: false, min_requests: 1 } }");
    for (let i = 0; i < 5; i += 1) h.runtime.health.record("a/a-small", undefined, "upstream_5xx");
    assert.equal(await h.run({}), "a");
  });
});

describe("runDownChain: waits, budgets and the deadline", () => {
  it("a retry-after above the cap falls back at once", async () => {
    const h = harness("ab");
    const started = performance.now();
    const limited = new GatewayError("rate_limited", "slow down", { provider: "a", upstreamStatus: 429, retryAfterMs: 60_000 });
    assert.equal(await h.run({ a: [limited] }), "b");
    assert.ok(performance.now() - started < 500);
    assert.deepEqual(attemptsOf(h.draft), ["a:rate_limited", "b:ok"]);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks], [0, 1]);
  });

  it("a retry-after under the cap is waited for", async () => {
    const h = harness("ab");
    const started = performance.now();
    const limited = new GatewayError("rate_limited", "slow down", { provider: "a", upstreamStatus: 429, retryAfterMs: 60 });
    assert.equal(await h.run({ a: [limited, "ok"] }), "a");
    assert.ok(performance.now() - started >= 55, "waited out the hint");
    assert.equal(h.draft.retries, 1);
  });

  it("the retry budget spent: falls back instead of retrying, with a warning", async () => {
    const h = harness("ab", "resilience: { retry: { attempts: 2, base_ms: 1, max_ms: 2, budget: { ratio: 0, min_per_second: 0 } } }");
    assert.equal(await h.run({ a: ["upstream_5xx"] }), "b");
    assert.deepEqual(attemptsOf(h.draft), ["a:upstream_5xx", "b:ok"]);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks], [0, 1]);
    assert.deepEqual(h.draft.warnings, ["a-small: not retried (the gateway's retry budget is spent)"]);
  });

  it("each attempt's timeouts are cut to what is left of the deadline", async () => {
    const h = harness("short");
    await h.run({ a: ["upstream_5xx", "ok"] }, { latencyMs: 300 });
    assert.deepEqual(h.calls[0]?.timeouts, { ttftMs: 1000, totalMs: 1000, idleMs: 1000 });
    assert.deepEqual(h.calls[1]?.timeouts, { ttftMs: 700, totalMs: 700, idleMs: 700 });
  });

  it("the deadline passes: a timeout error listing the attempts", async () => {
    const h = harness("short");
    const err = await rejects(h.run({ a: ["upstream_5xx"], b: ["ok"] }, { latencyMs: 600 }));
    assert.equal(err.kind, "timeout");
    assert.equal(err.status, 504);
    assert.match(err.message, /^All 2 attempts failed: .*Last error: The request's deadline of 1000 ms \(route short's timeout_ms\) passed before any target answered\. Last error: a failed with upstream_5xx$/);
    assert.deepEqual(attemptsOf(h.draft), ["a:upstream_5xx", "a:upstream_5xx"]);
    assert.ok(h.draft.warnings.includes("a-small: not retried (the deadline is too close)"), h.draft.warnings.join("; "));
    assert.ok(!h.calls.some((c) => c.target.provider === "b"), "no attempt after the deadline");
  });

  it("x-switchyard-timeout-ms sets the deadline; one attempt past it is its own error", async () => {
    const h = harness("ab", RESILIENCE, { timeoutMs: 50 });
    const err = await rejects(h.run({ a: ["upstream_5xx"] }, { latencyMs: 60 }));
    assert.equal(err.kind, "timeout");
    assert.equal(err.message, "The request's deadline of 50 ms (x-switchyard-timeout-ms) passed before any target answered. Last error: a failed with upstream_5xx");
    assert.deepEqual(attemptsOf(h.draft), ["a:upstream_5xx"]);
  });

  it("a deadline already gone before the first attempt", async () => {
    const h = harness("short");
    h.advance(5000);
    const err = await rejects(h.run({}));
    assert.equal(err.kind, "timeout");
    assert.equal(err.message, "The request's deadline of 1000 ms (route short's timeout_ms) passed before any target answered.");
    assert.deepEqual(h.calls, []);
  });
});

describe("runDownChain: the failed attempt's answer is not kept", () => {
  it("usage, finish reason and tool calls of a failed attempt are cleared", async () => {
    const h = harness("ab", RESILIENCE.replace("attempts: 2", "attempts: 0"));
    h.draft.usage = { inputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: 0 };
    h.draft.toolCalls = 3;
    h.draft.finishReason = { unified: "stop", raw: "stop" };
    await rejects(h.run({ a: ["upstream_5xx"], b: ["bad_request"] }));
    assert.deepEqual([h.draft.usage, h.draft.toolCalls, h.draft.finishReason, h.draft.ttftMs], [null, 0, null, null]);
    assert.equal(deploymentKey(h.draft.target as Target), "b/b-small");
  });
});

describe("runDownChain: a second run on one draft (escalation)", () => {
  it("retries, fallbacks and attempts add up across both runs", async () => {
    const h = harness("ab");
    assert.equal(await h.run({}), "a");
    assert.equal(await h.run({ c: ["upstream_5xx", "ok"] }, { targets: [{ modelId: "c-large", provider: "c", upstreamModel: "c-large" }] }), "c");
    assert.deepEqual(attemptsOf(h.draft), ["a:ok", "c:upstream_5xx", "c:ok"]);
    assert.deepEqual([h.draft.retries, h.draft.fallbacks], [1, 0]);
  });

  it(
    "when the second run fails, its error lists only its own attempts, not the answer before it",
    async () => {
      const h = harness("ab", RESILIENCE.replace("attempts: 2", "attempts: 1"));
      await h.run({});
      const err = await rejects(h.run({ c: ["upstream_5xx"] }, { targets: [{ modelId: "c-large", provider: "c", upstreamModel: "c-large" }] }));
      assert.doesNotMatch(err.message, /a\/a-small/);
      assert.match(err.message, /^All 2 attempts failed/);
    },
  );
});
