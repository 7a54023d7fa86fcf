import type { BudgetsConfig } from "../config/schema.ts";
import { budgetSpecs, type BudgetSpec } from "../cost/budget-specs.ts";
import { calendarWindow, type CalendarWindow } from "../cost/budget-window.ts";
import type { ReceiptStore } from "../ledger/receipt-store.ts";
import { sumSpend, type SpendFilter } from "../ledger/spend-by-scope.ts";
import type { BudgetStore } from "../state/budget-store.ts";
import type { KeyRecord } from "../state/key-store.ts";

/** Whose spending a line of budgets counts: the whole gateway, one route or one gateway key. */
export interface BudgetScope {
  kind: "global" | "route" | "key";
  /** `global`, the route's name or the key's name. */
  name: string;
  /** The receipts it counts. */
  filter: SpendFilter;
  /** Its configured day and month budgets in the windows that contain now; none: totals only. */
  specs: BudgetSpec[];
}

export interface BudgetWindows {
  timeZone: string;
  day: CalendarWindow;
  month: CalendarWindow;
}

/** Today and this month in the budgets' time zone. The ledger is summed over `[day, month]`, in that order. */
export function budgetWindows(budgets: BudgetsConfig | undefined, nowMs: number): BudgetWindows {
  const timeZone = budgets?.time_zone ?? "UTC";
  return { timeZone, day: calendarWindow("day", timeZone, nowMs), month: calendarWindow("month", timeZone, nowMs) };
}

/**
 * The global scope, then one per route and one per key given, each with the day and month
 * budgets configured for it (per-task budgets are not among them: they have no calendar window).
 */
export function budgetScopes(options: { budgets: BudgetsConfig | undefined; routes: readonly string[]; keys: readonly KeyRecord[]; nowMs: number }): BudgetScope[] {
  const { budgets, nowMs } = options;
  const only = (specs: BudgetSpec[], owner: string): BudgetSpec[] => specs.filter((s) => s.window !== null && s.key.startsWith(`${s.unit}|${owner}|`));
  const scopes: BudgetScope[] = [
    { kind: "global", name: "global", filter: {}, specs: budgets ? only(budgetSpecs({ budgets, route: null, key: null, taskId: null, nowMs }), "global") : [] },
  ];
  for (const route of options.routes) {
    const specs = budgets && Object.hasOwn(budgets.routes, route) ? only(budgetSpecs({ budgets, route, key: null, taskId: null, nowMs }), `route:${route}`) : [];
    scopes.push({ kind: "route", name: route, filter: { route }, specs });
  }
  for (const key of options.keys) {
    scopes.push({ kind: "key", name: key.name, filter: { keyId: key.id }, specs: only(budgetSpecs({ budgets, route: null, key, taskId: null, nowMs }), `key:${key.id}`) });
  }
  return scopes;
}

export interface SeededBudget {
  key: string;
  amount: number;
}

/**
 * At start, before the gateway listens: adds what the ledger says was already spent in each
 * budget's current day or month — global, each route budget, each key budget — to the budget
 * counters, so a restart does not hand out the day's budget again. Per-task budgets start from
 * zero (their sums would need a scan per task id). Returns what was added.
 */
export async function seedBudgets(options: {
  budgets: BudgetsConfig | undefined;
  store: BudgetStore;
  ledger: Pick<ReceiptStore, "spendByScope">;
  keys: readonly KeyRecord[];
  nowMs: number;
}): Promise<SeededBudget[]> {
  const { budgets, nowMs } = options;
  const keys = options.keys.filter((k) => k.revokedAt === null);
  const scopes = budgetScopes({ budgets, routes: Object.keys(budgets?.routes ?? {}), keys, nowMs }).filter((s) => s.specs.length > 0);
  if (scopes.length === 0) return [];
  const windows = budgetWindows(budgets, nowMs);
  const rows = await options.ledger.spendByScope([windows.day, windows.month]);
  const seeded: SeededBudget[] = [];
  for (const scope of scopes) {
    for (const spec of scope.specs) {
      const spent = sumSpend(rows, scope.filter, spec.window?.period === "day" ? 0 : 1);
      const amount = spec.unit === "usd" ? spent.costMicroUsd : spent.tokens;
      if (amount <= 0) continue;
      await options.store.add(spec.key, amount, spec.expiresAtMs);
      seeded.push({ key: spec.key, amount });
    }
  }
  return seeded;
}
