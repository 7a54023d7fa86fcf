import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import { budgetSpecs } from "./budget-specs.ts";

const config = parseConfigText({
  file: "b.yaml",
  env: {},
  text: `
providers: { sim: { type: simulated } }
models: { m: { provider: sim } }
lanes: { cheap: [m] }
routes: { coding: { model: m }, other: { model: m } }
budgets:
  time_zone: Europe/Berlin
  daily_usd: 50
  monthly_tokens: 9000000
  per_task_tokens: 200000
  on_exceeded: reject
  routes:
    coding: { daily_tokens: 1200000, on_exceeded: downgrade, downgrade_to: cheap }
`,
}).config;

const NOW = Date.UTC(2026, 10, 24, 23, 30); // already the 25th in Berlin

test("global, route, key and task budgets, each in its window, with the scope's policy", () => {
  const specs = budgetSpecs({
    budgets: config.budgets,
    route: "coding",
    key: { id: "key_1", name: "team-a", budget: { daily_usd: 5 } },
    taskId: "t-9",
    nowMs: NOW,
  });
  assert.deepEqual(
    specs.map((s) => [s.name, s.unit, s.limit, s.key, s.onExceeded, s.downgradeTo ?? null]),
    [
      ["budgets.daily_usd", "usd", 50_000_000, "usd|global|2026-11-25", "reject", null],
      ["budgets.monthly_tokens", "tokens", 9_000_000, "tokens|global|2026-11", "reject", null],
      ["budgets.routes.coding.daily_tokens", "tokens", 1_200_000, "tokens|route:coding|2026-11-25", "downgrade", "cheap"],
      ["key team-a: daily_usd", "usd", 5_000_000, "usd|key:key_1|2026-11-25", "reject", null],
      ["budgets.per_task_tokens (task t-9)", "tokens", 200_000, "tokens|task:t-9", "reject", null],
    ],
  );
  assert.equal(new Date(specs[0]?.expiresAtMs ?? 0).toISOString(), "2026-11-25T23:00:00.000Z");
  assert.equal(specs[4]?.window, null);
});

test("a route without its own budget and a request without key or task get only the global ones", () => {
  const specs = budgetSpecs({ budgets: config.budgets, route: "other", key: null, taskId: null, nowMs: NOW });
  assert.deepEqual(specs.map((s) => s.name), ["budgets.daily_usd", "budgets.monthly_tokens"]);
});

test("no budgets section: only a key's own budget applies, downgrading by default", () => {
  const specs = budgetSpecs({ budgets: undefined, route: null, key: { id: "k", name: "n", budget: { monthly_usd: 1.5 } }, taskId: "t", nowMs: NOW });
  assert.deepEqual(specs.map((s) => [s.key, s.limit, s.onExceeded]), [["usd|key:k|2026-11", 1_500_000, "downgrade"]]);
});
