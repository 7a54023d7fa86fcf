import type { Config } from "../../src/config/schema.ts";
import type { RequestEstimate } from "../../src/cost/estimate-request.ts";
import type { Runtime } from "../../src/dispatch/runtime.ts";
import { MemoryBudgetStore } from "../../src/state/memory-budget-store.ts";
import { MemoryRateLimiter } from "../../src/state/rate-limiter.ts";

/** The parts of a Runtime that dispatch tests rarely care about: no budgets hit, a flat estimate, configured windows. */
export function runtimeExtras(config: Config): Pick<Runtime, "estimate" | "contextWindowOf" | "budgets" | "rateLimiter"> {
  const estimate = (): RequestEstimate => ({
    model: "m",
    inputTokens: 10,
    minInputTokens: 10,
    outputTokens: 10,
    outputCap: "request",
    outputInWindow: 10,
    method: "length",
    exact: false,
    costMicroUsd: null,
    contextWindow: null,
  });
  // Context windows as configured (the bundled table is the real estimator's business).
  const contextWindowOf: Runtime["contextWindowOf"] = (target) =>
    (Object.hasOwn(config.models, target.modelId) ? config.models[target.modelId]?.context_window : undefined) ?? null;
  return { estimate, contextWindowOf, budgets: new MemoryBudgetStore(), rateLimiter: new MemoryRateLimiter() };
}
