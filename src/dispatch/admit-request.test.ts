import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import { GatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import { resolvePrice } from "../cost/resolve-price.ts";
import { seededRandom } from "../router/random.ts";
import { resolveModel } from "../router/resolve-model.ts";
import { createDeploymentHealth } from "../state/deployment-health.ts";
import { MemoryBudgetStore } from "../state/memory-budget-store.ts";
import { MemoryRateLimiter } from "../state/rate-limiter.ts";
import { admitEmbeddings, admitRequest } from "./admit-request.ts";
import { createEstimator } from "./create-estimator.ts";
import { ReceiptDraft } from "./receipt-draft.ts";
import type { Runtime } from "./runtime.ts";

const NOON = Date.UTC(2026, 10, 24, 12);

function harness(budgets: string, nowMs = NOON) {
  const config = parseConfigText({
    file: "a.yaml",
    env: {},
    text: `
providers: { sim: { type: simulated } }
models:
  cheap-m: { provider: sim, price: { input: 0.1, output: 0.4 } }
  big-m:   { provider: sim, price: { input: 10, output: 40 } }
lanes: { cheap: [cheap-m], big: [big-m] }
routes: { main: { lane: big } }
${budgets}
`,
  }).config;
  const priceOf = (t: { modelId: string; upstreamModel: string }) => {
    const m = config.models[t.modelId];
    return resolvePrice({ modelId: t.modelId, upstreamModel: t.upstreamModel, ...(m?.price && { configured: m.price }) });
  };
  const budgetsStore = new MemoryBudgetStore();
  const runtime: Runtime = {
    config,
    adapters: new Map(),
    priceOf,
    receipts: { write: () => undefined },
    monotonicMs: () => 0,
    wallClockMs: () => nowMs,
    isSimulated: () => true,
    health: createDeploymentHealth(config, () => 0),
    random: seededRandom(1),
    ...createEstimator(config, priceOf),
    budgets: budgetsStore,
    rateLimiter: new MemoryRateLimiter(),
  };
  const request: ChatRequest = { model: "main", messages: [{ role: "user", content: "hello there" }], maxOutputTokens: 1000, stream: false, extra: {} };
  const admit = (priority: "low" | "normal" | "high" | null = null) => {
    const draft = new ReceiptDraft(runtime, { requestId: "r", endpoint: "/v1/chat/completions", taskId: null, taskType: null, complexity: null, idempotencyKey: null, stream: false, reasoningEffort: null });
    const plan = resolveModel(config, "main", { taskType: null, complexity: null });
    draft.plan = plan;
    return Promise.resolve(admitRequest({ draft, plan, request, key: null, priority, maxCostMicroUsd: null, stickyKey: null })).then((p) => ({ plan: p, draft }));
  };
  return { runtime, budgetsStore, admit };
}

describe("admitRequest", () => {
  it("reserves the estimate against every budget and records it on the draft", async () => {
    const h = harness("budgets: { daily_usd: 10, daily_tokens: 100000 }");
    const { plan, draft } = await h.admit();
    assert.equal(plan.targets[0]?.modelId, "big-m");
    assert.ok(draft.reservation?.ticket);
    const e = draft.reservation.estimate;
    assert.equal(e.outputTokens, 1000);
    assert.equal(draft.estimatedCostMicroUsd, e.costMicroUsd);
    assert.deepEqual(await h.budgetsStore.usage("usd|global|2026-11-24", NOON), { settled: 0, reserved: e.costMicroUsd });
    assert.deepEqual(await h.budgetsStore.usage("tokens|global|2026-11-24", NOON), { settled: 0, reserved: e.inputTokens + e.outputTokens });
  });

  it("pace: ahead of an even pace, normal priority moves to the cheapest cheaper lane; high keeps its lane", async () => {
    const h = harness("budgets: { daily_usd: 10, pace: { downgrade_when_ahead_by: 1.5 } }");
    // Noon: an even pace has spent $5; $8 is 1.6× ahead.
    await h.budgetsStore.add("usd|global|2026-11-24", 8_000_000, NOON + 3_600_000);
    const normal = await h.admit("normal");
    assert.equal(normal.plan.lane, "cheap");
    assert.match(normal.draft.budgetNote ?? "", /downgraded: budgets\.daily_usd is spending 1\.60× its even pace/);
    const high = await h.admit("high");
    assert.equal(high.plan.lane, "big");
    assert.equal(high.draft.budgetNote, null);
  });

  it("a budget with reject refuses with the limit, the spend and the reset; with downgrade it moves and stops refusing", async () => {
    const reject = harness("budgets: { daily_usd: 1, on_exceeded: reject }");
    await reject.budgetsStore.add("usd|global|2026-11-24", 999_000, NOON + 3_600_000);
    await assert.rejects(reject.admit(), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.kind, "budget_exceeded");
      assert.equal(err.status, 429);
      assert.match(err.message, /budgets\.daily_usd is spent: \$0\.999000 of \$1\.000000\. It resets at 2026-11-25T00:00:00\.000Z/);
      assert.equal(err.retryAfterMs, 12 * 3_600_000);
      return true;
    });
    const downgrade = harness("budgets: { daily_usd: 1, on_exceeded: downgrade }");
    await downgrade.budgetsStore.add("usd|global|2026-11-24", 999_000, NOON + 3_600_000);
    const { plan, draft } = await downgrade.admit();
    assert.equal(plan.lane, "cheap");
    assert.equal(plan.route, "main");
    // Still counted against the budget it is over.
    assert.ok((await downgrade.budgetsStore.usage("usd|global|2026-11-24", NOON)).reserved > 0);
    assert.ok(draft.warnings.some((w) => w.startsWith("downgraded to cheap: budgets.daily_usd is spent")));
  });

  it("per-request caps: over budgets.per_request_tokens is a 400 that says by how much", async () => {
    const h = harness("budgets: { per_request_tokens: 500, on_exceeded: reject }");
    await assert.rejects(h.admit(), /the request may use \d+ tokens \(prompt \d+ \+ output cap 1000\), above budgets\.per_request_tokens 500/);
  });

  it("embeddings count against the same budgets: let through while there is room, refused once it is spent", async () => {
    const h = harness("budgets: { daily_usd: 1, on_exceeded: reject }");
    const draft = () => {
      const d = new ReceiptDraft(h.runtime, { requestId: "e", endpoint: "/v1/embeddings", taskId: null, taskType: null, complexity: null, idempotencyKey: null, stream: false, reasoningEffort: null });
      d.plan = resolveModel(h.runtime.config, "main", { taskType: null, complexity: null });
      return d;
    };
    const ok = draft();
    await admitEmbeddings(ok, ok.plan!, null);
    assert.ok(ok.reservation?.ticket);
    await h.budgetsStore.add("usd|global|2026-11-24", 1_000_001, NOON + 3_600_000);
    const late = draft();
    await assert.rejects(admitEmbeddings(late, late.plan!, null), /budgets\.daily_usd is spent: \$1\.000001 of \$1\.000000/);
  });
});
