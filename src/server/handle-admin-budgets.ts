import { budgetScopes } from "../dispatch/seed-budgets.ts";
import { pace } from "../cost/budget-window.ts";
import type { Runtime } from "../dispatch/runtime.ts";
import type { Handler } from "./router.ts";
import { sendJson } from "./send.ts";

/** One budget as `/admin/budgets` shows it. Amounts are integer micro-USD or tokens, as `unit` says. */
export interface BudgetView {
  name: string;
  unit: "usd" | "tokens";
  limit: number;
  settled: number;
  reserved: number;
  window: { period: "day" | "month"; label: string; start: string; resets: string } | null;
  /** Spent ÷ what an even pace would have spent by now; null for per-task budgets. */
  paceRatio: number | null;
}

/**
 * GET /admin/budgets: every configured global and route budget in its current window — its
 * limit, what has settled, what is reserved by requests in flight, when it resets and the pace.
 * (A key's budgets are reported with the key.)
 */
export function createBudgetsHandler(runtime: Pick<Runtime, "config" | "budgets" | "wallClockMs">): Handler {
  return async (_req, res) => sendJson(res, 200, { object: "list", data: await budgetsView(runtime) });
}

export async function budgetsView(runtime: Pick<Runtime, "config" | "budgets" | "wallClockMs">): Promise<BudgetView[]> {
  const budgets = runtime.config.budgets;
  if (!budgets) return [];
  const now = runtime.wallClockMs();
  const specs = budgetScopes({ budgets, routes: Object.keys(budgets.routes), keys: [], nowMs: now }).flatMap((scope) => scope.specs);
  return Promise.all(
    specs.map(async (spec) => {
      const usage = await runtime.budgets.usage(spec.key, now);
      const w = spec.window;
      return {
        name: spec.name,
        unit: spec.unit,
        limit: spec.limit,
        settled: usage.settled,
        reserved: usage.reserved,
        window: w ? { period: w.period, label: w.label, start: new Date(w.startMs).toISOString(), resets: new Date(w.endMs).toISOString() } : null,
        paceRatio: w ? Math.round(pace({ window: w, nowMs: now, spent: usage.settled, limit: spec.limit }).ratio * 1000) / 1000 : null,
      };
    }),
  );
}
