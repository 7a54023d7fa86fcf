import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import type { Receipt } from "../../src/ledger/receipt.ts";
import type { BudgetView } from "../../src/server/handle-admin-budgets.ts";
import { startTestGateway, type TestGateway } from "../support/test-gateway.ts";

const MODELS = `
providers:
  simulated: { type: simulated, seed: 11, latency_scale: 0 }
models:
  sim-mini: { provider: simulated, price: { input: 0.15, output: 0.6 } }
  sim-pro:  { provider: simulated, price: { input: 1.25, output: 10 } }
lanes:
  cheap: [sim-mini]
  work:  [sim-pro]
`;

const ask = (i: number) => ({ model: "main", max_tokens: 200, messages: [{ role: "user" as const, content: `Say hello to guest number ${i}.` }] });

async function budgetsOf(gw: TestGateway): Promise<BudgetView[]> {
  const res = await fetch(`${gw.url}/admin/budgets`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: BudgetView[] }).data;
}

async function settle(gw: TestGateway): Promise<Receipt[]> {
  await gw.gateway.writer.flush();
  const res = await fetch(`${gw.url}/v1/receipts?limit=1000`);
  return ((await res.json()) as { data: Receipt[] }).data;
}

describe("a daily budget under fifty concurrent requests: reject", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(`${MODELS}
routes:
  main: { lane: work }
budgets:
  daily_usd: 0.02
  on_exceeded: reject
`);
  });
  after(async () => gw?.close());

  it("never overspends, rejects the rest with what was spent and when it resets, and the receipts add up to the spend exactly", async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => gw.openai.chat.completions.create(ask(i)).withResponse()));
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
    assert.ok(ok.length >= 5, `only ${ok.length} answered`);
    assert.ok(refused.length >= 5, `only ${refused.length} refused`);
    assert.equal(ok.length + refused.length, 50);
    for (const err of refused) {
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.equal((err as InstanceType<typeof OpenAI.RateLimitError>).status, 429);
      assert.match((err as Error).message, /Budget exhausted: budgets\.daily_usd is spent: \$0\.0\d+ of \$0\.020000\. It resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);
      assert.ok(Number((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get("retry-after")) > 0);
    }

    // Spend the rest one by one: the last refusal shows the budget is used to within one estimate.
    for (let i = 0; i < 30; i += 1) {
      try {
        await gw.openai.chat.completions.create(ask(100 + i));
      } catch (err) {
        assert.ok(err instanceof OpenAI.RateLimitError);
        break;
      }
    }
    const receipts = await settle(gw);
    const estimate = Math.max(...receipts.map((r) => r.estimatedCostMicroUsd ?? 0));
    const [daily] = await budgetsOf(gw);
    assert.ok(daily);
    assert.equal(daily.name, "budgets.daily_usd");
    assert.equal(daily.limit, 20_000);
    assert.equal(daily.reserved, 0);
    assert.ok(daily.settled <= daily.limit, `settled ${daily.settled} > limit`);
    assert.ok(estimate > 0);
    assert.ok(daily.settled > daily.limit - estimate, `settled ${daily.settled} is more than one estimate (${estimate}) below the limit`);
    const sum = receipts.reduce((total, r) => total + (r.costMicroUsd ?? 0), 0);
    assert.equal(sum, daily.settled, "the receipts add up to the budget's spend exactly");
    const rejected = receipts.filter((r) => r.errorKind === "budget_exceeded");
    assert.ok(rejected.length >= refused.length);
    for (const r of rejected) assert.deepEqual([r.status, r.httpStatus, r.costMicroUsd, r.attempts.length], ["rejected", 429, 0, 0]);
    for (const r of receipts.filter((x) => x.status === "ok")) assert.ok((r.estimatedCostMicroUsd ?? 0) >= (r.costMicroUsd ?? 0), "the estimate is an upper bound");
  });
});

describe("a route budget that downgrades, under a global one that rejects", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(`${MODELS.replace("lanes:", "  tiny-window: { provider: simulated, upstream: sim-mini, context_window: 200, price: { input: 0.15, output: 0.6 } }\nlanes:\n  small-first: [tiny-window, sim-pro]")}
routes:
  tiny: { model: tiny-window }
  small-first: { lane: small-first }
  main: { lane: work, rate_limit: { requests_per_minute: 1000 } }
  limited: { lane: cheap, rate_limit: { requests_per_minute: 3 } }
  capped: { lane: work, max_cost_usd: 0.0001 }
budgets:
  daily_usd: 5
  on_exceeded: reject
  routes:
    main: { daily_usd: 0.01, on_exceeded: downgrade, downgrade_to: cheap }
`);
  });
  after(async () => gw?.close());

  it("moves the overflow to the cheap lane, says so, and keeps the full-price spend inside the route's budget", async () => {
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => gw.openai.chat.completions.create(ask(i)).withResponse()));
    const by = (model: string) => outcomes.filter((o) => o.response.headers.get("x-switchyard-model") === model);
    assert.ok(by("sim-pro").length >= 3, `${by("sim-pro").length} on sim-pro`);
    assert.ok(by("sim-mini").length >= 20, `${by("sim-mini").length} downgraded`);
    assert.equal(by("sim-pro").length + by("sim-mini").length, 50);
    for (const o of by("sim-mini")) {
      assert.match(o.response.headers.get("x-switchyard-budget") ?? "", /^downgraded: budgets\.routes\.main\.daily_usd is spent/);
    }
    const receipts = await settle(gw);
    const pro = receipts.filter((r) => r.model === "sim-pro").reduce((s, r) => s + (r.costMicroUsd ?? 0), 0);
    assert.ok(pro <= 10_000, `full-price spend ${pro} is above the route's budget`);
    const downgraded = receipts.filter((r) => r.model === "sim-mini");
    assert.ok(downgraded.every((r) => r.route === "main" && r.lane === "cheap" && r.warnings.some((w) => w.startsWith("downgraded to cheap"))));
    const views = await budgetsOf(gw);
    const route = views.find((v) => v.name === "budgets.routes.main.daily_usd");
    const total = receipts.reduce((s, r) => s + (r.costMicroUsd ?? 0), 0);
    assert.equal(route?.settled, total, "the route's counter holds all its spend, downgraded requests included");
    assert.equal(views.find((v) => v.name === "budgets.daily_usd")?.settled, total);
  });

  it("a prompt that cannot fit a target's context window is caught before any call; a chain skips that target", async () => {
    const long = { model: "tiny", max_tokens: 50, messages: [{ role: "user" as const, content: "Summarise this. ".repeat(200) }] };
    await assert.rejects(gw.openai.chat.completions.create(long), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.code, "context_length_exceeded");
      assert.match(err.message, /The request does not fit: the prompt is about [\d,]+ tokens.*model tiny-window's context window is 200 tokens/);
      return true;
    });
    const { response } = await gw.openai.chat.completions.create({ ...long, model: "small-first" }).withResponse();
    assert.equal(response.headers.get("x-switchyard-model"), "sim-pro");
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.deepEqual(receipt.attempts.map((a) => a.model), ["sim-pro"]);
    assert.ok(receipt.warnings.some((w) => /skipped the targets the prompt does not fit/.test(w)));
  });

  it("a route's rate limit answers 429 with retry-after", async () => {
    const limited = { ...ask(1), model: "limited" };
    for (let i = 0; i < 3; i += 1) await gw.openai.chat.completions.create(limited);
    await assert.rejects(gw.openai.chat.completions.create(limited), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.match(err.message, /Rate limit of route limited reached: 3 requests per minute/);
      assert.ok(Number(err.headers?.get("retry-after")) >= 1);
      return true;
    });
  });

  it("a request whose estimate is above the route's or the client's cost cap is refused before any call", async () => {
    await assert.rejects(gw.openai.chat.completions.create({ ...ask(2), model: "capped" }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.match(err.message, /may cost up to \$0\.00\d+, above route capped's max_cost_usd \$0\.000100/);
      return true;
    });
    await assert.rejects(gw.openai.chat.completions.create(ask(3), { headers: { "x-switchyard-max-cost-usd": "0.00001" } }), /above x-switchyard-max-cost-usd \$0\.000010/);
    await assert.rejects(gw.openai.chat.completions.create(ask(3), { headers: { "x-switchyard-max-cost-usd": "lots" } }), /must be a positive amount in USD/);
  });
});
