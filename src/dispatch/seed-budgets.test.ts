import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import { makeReceipt } from "../ledger/make-receipt.ts";
import { createMemoryReceiptStore } from "../ledger/memory-receipt-store.ts";
import type { Receipt } from "../ledger/receipt.ts";
import type { KeyRecord } from "../state/key-store.ts";
import { MemoryBudgetStore } from "../state/memory-budget-store.ts";
import { budgetScopes, seedBudgets } from "./seed-budgets.ts";

const BUDGETS = parseConfigText({
  file: "test.yaml",
  env: {},
  text: `
providers: { sim: { type: simulated } }
models: { m: { provider: sim } }
routes: { general: { model: m }, other: { model: m } }
budgets:
  time_zone: Europe/Berlin
  daily_usd: 10
  monthly_usd: 100
  daily_tokens: 1000000
  per_task_usd: 1
  routes: { general: { daily_usd: 5, monthly_tokens: 1000000 } }
`,
}).config.budgets;

/** 11:00 in Berlin: the day began at 23:00 UTC the evening before, the month at 23:00 UTC on 31 October. */
const NOW = Date.UTC(2026, 10, 24, 10, 0);

const key = (id: string, extra: Partial<KeyRecord> = {}): KeyRecord => ({
  id, name: `name-${id}`, prefix: "sk-sy-ab", hash: id, createdAt: 0, revokedAt: null, budget: {}, rateLimit: {}, routes: null, ...extra,
});
const KEYS = [key("k1", { budget: { daily_usd: 1, monthly_tokens: 1000 } }), key("k2", { revokedAt: 1, budget: { daily_usd: 1 } }), key("k3")];

const rc = (id: string, iso: string, extra: Partial<Receipt>): Receipt =>
  makeReceipt({ requestId: id, createdAt: Date.parse(iso), taskId: null, keyId: null, route: "general", status: "ok", inputTokens: 100, outputTokens: 10, costMicroUsd: 1000, ...extra });

const RECEIPTS = [
  rc("today-after-utc-midnight-in-berlin", "2026-11-23T23:30:00Z", {}),
  rc("yesterday-in-berlin", "2026-11-23T22:30:00Z", { inputTokens: 200, outputTokens: 20, costMicroUsd: 2000 }),
  rc("october-in-berlin", "2026-10-31T22:59:00Z", { costMicroUsd: 4000 }),
  rc("today-other-route-key", "2026-11-24T08:00:00Z", { route: "other", keyId: "k1", inputTokens: 50, outputTokens: 5, costMicroUsd: 500 }),
  rc("cut-off-stream", "2026-11-24T09:00:00Z", { keyId: "k2", status: "client_closed", inputTokens: null, outputTokens: null, costMicroUsd: null, estimatedCostMicroUsd: 300 }),
];

describe("seedBudgets", () => {
  test("adds today's and this month's ledger spend, in the budgets' time zone, to every configured budget", async () => {
    const ledger = createMemoryReceiptStore();
    await ledger.insertMany(RECEIPTS);
    const store = new MemoryBudgetStore();
    const seeded = await seedBudgets({ budgets: BUDGETS, store, ledger, keys: KEYS, nowMs: NOW });
    const expected: Record<string, number> = {
      "usd|global|2026-11-24": 1000 + 500 + 300,
      "usd|global|2026-11": 1000 + 2000 + 500 + 300,
      "tokens|global|2026-11-24": 110 + 55,
      "usd|route:general|2026-11-24": 1000 + 300,
      "tokens|route:general|2026-11": 110 + 220,
      "usd|key:k1|2026-11-24": 500,
      "tokens|key:k1|2026-11": 55,
    };
    assert.deepEqual(Object.fromEntries(seeded.map((s) => [s.key, s.amount])), expected);
    for (const [k, amount] of Object.entries(expected)) assert.deepEqual(await store.usage(k, NOW), { settled: amount, reserved: 0 }, k);
    assert.deepEqual(await store.usage("usd|key:k2|2026-11-24", NOW), { settled: 0, reserved: 0 }, "a revoked key's budget is not seeded");
  });

  test("the seeded spend ends with its window", async () => {
    const ledger = createMemoryReceiptStore();
    await ledger.insertMany(RECEIPTS);
    const store = new MemoryBudgetStore();
    await seedBudgets({ budgets: BUDGETS, store, ledger, keys: [], nowMs: NOW });
    const tomorrow = Date.parse("2026-11-24T23:00:00Z");
    assert.equal((await store.usage("usd|global|2026-11-24", tomorrow)).settled, 0);
    assert.equal((await store.usage("usd|global|2026-11", tomorrow)).settled, 3800);
  });

  test("without budgets the ledger is not read", async () => {
    const ledger = { spendByScope: () => Promise.reject(new Error("must not be called")) };
    assert.deepEqual(await seedBudgets({ budgets: undefined, store: new MemoryBudgetStore(), ledger, keys: [key("k3")], nowMs: NOW }), []);
  });
});

describe("budgetScopes", () => {
  test("global, each route and each key, with only their own day and month budgets", () => {
    const scopes = budgetScopes({ budgets: BUDGETS, routes: ["general", "other"], keys: [KEYS[0] as KeyRecord], nowMs: NOW });
    assert.deepEqual(
      scopes.map((s) => [s.kind, s.name, s.filter, s.specs.map((x) => x.name)]),
      [
        ["global", "global", {}, ["budgets.daily_usd", "budgets.monthly_usd", "budgets.daily_tokens"]],
        ["route", "general", { route: "general" }, ["budgets.routes.general.daily_usd", "budgets.routes.general.monthly_tokens"]],
        ["route", "other", { route: "other" }, []],
        ["key", "name-k1", { keyId: "k1" }, ["key name-k1: daily_usd", "key name-k1: monthly_tokens"]],
      ],
    );
  });
});
