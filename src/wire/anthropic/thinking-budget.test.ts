import assert from "node:assert/strict";
import { test } from "node:test";
import { THINKING_BUDGETS, effortForBudget } from "./thinking-budget.ts";

test("each effort's own budget reads back as that effort", () => {
  for (const [effort, budget] of Object.entries(THINKING_BUDGETS)) assert.equal(effortForBudget(budget), effort);
});

test("budgets between two steps go to the nearer one on a log scale; out of range to the ends", () => {
  const cases: [number, string][] = [[1, "low"], [1024, "low"], [2047, "low"], [2049, "medium"], [4000, "medium"], [8191, "medium"], [8193, "high"], [10000, "high"], [23169, "high"], [23171, "xhigh"], [31999, "xhigh"], [128000, "xhigh"]];
  for (const [budget, effort] of cases) assert.equal(effortForBudget(budget), effort, String(budget));
});
