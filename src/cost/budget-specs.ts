import type { BudgetsConfig, ScopedBudgetConfig } from "../config/schema.ts";
import { calendarWindow, type BudgetPeriod, type CalendarWindow } from "./budget-window.ts";

export type BudgetUnit = "usd" | "tokens";

/** One budget a request counts against, in the window that contains now. */
export interface BudgetSpec {
  /** Where it is configured, for messages: `budgets.daily_usd`, `key team-a: daily_tokens`, … */
  name: string;
  unit: BudgetUnit;
  /** Integer micro-USD or tokens. */
  limit: number;
  /** The store key: unit, scope and window. */
  key: string;
  /** Null for per-task budgets, which last as long as the task. */
  window: CalendarWindow | null;
  expiresAtMs: number;
  onExceeded: "downgrade" | "reject";
  downgradeTo: string | undefined;
}

export interface BudgetScope {
  budgets: BudgetsConfig | undefined;
  route: string | null;
  key: { id: string; name: string; budget: Partial<Record<"daily_usd" | "monthly_usd" | "daily_tokens" | "monthly_tokens", number>> } | null;
  taskId: string | null;
  nowMs: number;
}

/** A task's spend is remembered this long after its window would otherwise be open-ended. */
const TASK_TTL_MS = 7 * 24 * 3_600_000;

const PERIODS: readonly { field: "daily_usd" | "monthly_usd" | "daily_tokens" | "monthly_tokens"; period: BudgetPeriod; unit: BudgetUnit }[] = [
  { field: "daily_usd", period: "day", unit: "usd" },
  { field: "monthly_usd", period: "month", unit: "usd" },
  { field: "daily_tokens", period: "day", unit: "tokens" },
  { field: "monthly_tokens", period: "month", unit: "tokens" },
];

/**
 * Every budget that applies to a request: the global ones, its route's, its key's and its task's,
 * each in the calendar window (in the configured time zone) that contains now. Pure.
 */
export function budgetSpecs(scope: BudgetScope): BudgetSpec[] {
  const b = scope.budgets;
  const timeZone = b?.time_zone ?? "UTC";
  const onExceeded = b?.on_exceeded ?? "downgrade";
  const specs: BudgetSpec[] = [];
  const periodic = (owner: string, label: string, limits: Partial<ScopedBudgetConfig>, inherit: { onExceeded: "downgrade" | "reject"; downgradeTo: string | undefined }): void => {
    for (const { field, period, unit } of PERIODS) {
      const value = limits[field];
      if (value === undefined) continue;
      const window = calendarWindow(period, timeZone, scope.nowMs);
      specs.push({
        name: `${label}${field}`,
        unit,
        limit: unit === "usd" ? Math.round(value * 1e6) : value,
        key: `${unit}|${owner}|${window.label}`,
        window,
        expiresAtMs: window.endMs,
        onExceeded: limits.on_exceeded ?? inherit.onExceeded,
        downgradeTo: limits.downgrade_to ?? inherit.downgradeTo,
      });
    }
  };
  const global = { onExceeded, downgradeTo: b?.downgrade_to };
  if (b) periodic("global", "budgets.", b, global);
  if (b && scope.route !== null && Object.hasOwn(b.routes, scope.route)) {
    periodic(`route:${scope.route}`, `budgets.routes.${scope.route}.`, b.routes[scope.route] ?? {}, global);
  }
  if (scope.key) periodic(`key:${scope.key.id}`, `key ${scope.key.name}: `, scope.key.budget, global);
  if (b && scope.taskId !== null) {
    const task = (unit: BudgetUnit, value: number | undefined, field: string): void => {
      if (value === undefined) return;
      specs.push({
        name: `budgets.${field} (task ${scope.taskId})`,
        unit,
        limit: unit === "usd" ? Math.round(value * 1e6) : value,
        key: `${unit}|task:${scope.taskId}`,
        window: null,
        expiresAtMs: scope.nowMs + TASK_TTL_MS,
        onExceeded,
        downgradeTo: b.downgrade_to,
      });
    };
    task("tokens", b.per_task_tokens, "per_task_tokens");
    task("usd", b.per_task_usd, "per_task_usd");
  }
  return specs;
}
