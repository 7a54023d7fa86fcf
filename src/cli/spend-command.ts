import { existsSync } from "node:fs";
import type { Config } from "../config/schema.ts";
import { formatUsd } from "../cost/compute-cost.ts";
import type { BudgetSpec } from "../cost/budget-specs.ts";
import { pace, type CalendarWindow } from "../cost/budget-window.ts";
import { budgetScopes, budgetWindows, type BudgetScope } from "../dispatch/seed-budgets.ts";
import { sumSpend, type ScopeSpend } from "../ledger/spend-by-scope.ts";
import { openSqliteReceiptStore } from "../ledger/sqlite-receipt-store.ts";
import type { KeyRecord } from "../state/key-store.ts";
import { keyStorePathFor, openSqliteKeyStore } from "../state/sqlite-key-store.ts";
import { loadCliConfig } from "./load-cli-config.ts";

/** Spent against one budget (or with none configured: `limit` null). Integer micro-USD or tokens. */
export interface SpendAmount {
  spent: number;
  limit: number | null;
  /** Where the limit is configured, e.g. `budgets.daily_usd`. */
  budget: string | null;
  /** Spent ÷ what an even pace would have spent by now (see `pace`); null without a limit. */
  paceRatio: number | null;
}

export interface SpendPeriod {
  window: { label: string; start: string; resets: string };
  usd: SpendAmount;
  tokens: SpendAmount;
  requests: number;
  /** Receipts whose cost is unknown (no price): not in `usd.spent`. */
  costUnknown: number;
}

export interface SpendScopeView {
  scope: BudgetScope["kind"];
  name: string;
  keyId: string | null;
  day: SpendPeriod;
  month: SpendPeriod;
}

/** The JSON of `switchyard spend --json`. */
export interface SpendDocument {
  object: "spend";
  timeZone: string;
  now: string;
  scopes: SpendScopeView[];
}

/**
 * Today's and this month's spend of the whole gateway, each route and each live key, from the
 * ledger, against the budgets configured for them, in the budgets' time zone.
 */
export function buildSpendView(options: { config: Config; keys: readonly KeyRecord[]; rows: readonly ScopeSpend[]; nowMs: number }): SpendDocument {
  const { config, nowMs } = options;
  const windows = budgetWindows(config.budgets, nowMs);
  const routes = [...new Set([...Object.keys(config.routes), ...Object.keys(config.budgets?.routes ?? {})])];
  const scopes = budgetScopes({ budgets: config.budgets, routes, keys: options.keys.filter((k) => k.revokedAt === null), nowMs });
  const period = (scope: BudgetScope, window: CalendarWindow, index: number): SpendPeriod => {
    const spent = sumSpend(options.rows, scope.filter, index);
    const amount = (unit: BudgetSpec["unit"], value: number): SpendAmount => {
      const spec = scope.specs.find((s) => s.unit === unit && s.window?.period === window.period);
      if (!spec) return { spent: value, limit: null, budget: null, paceRatio: null };
      const ratio = pace({ window, nowMs, spent: value, limit: spec.limit }).ratio;
      return { spent: value, limit: spec.limit, budget: spec.name, paceRatio: Math.round(ratio * 1000) / 1000 };
    };
    return {
      window: { label: window.label, start: new Date(window.startMs).toISOString(), resets: new Date(window.endMs).toISOString() },
      usd: amount("usd", spent.costMicroUsd),
      tokens: amount("tokens", spent.tokens),
      requests: spent.requests,
      costUnknown: spent.costUnknown,
    };
  };
  return {
    object: "spend",
    timeZone: windows.timeZone,
    now: new Date(nowMs).toISOString(),
    scopes: scopes.map((s) => ({ scope: s.kind, name: s.name, keyId: s.filter.keyId ?? null, day: period(s, windows.day, 0), month: period(s, windows.month, 1) })),
  };
}

export function formatSpendTable(doc: SpendDocument): string {
  const header = ["SCOPE", "PERIOD", "USD SPENT / LIMIT", "PACE", "TOKENS SPENT / LIMIT", "PACE", "REQS", "RESETS"];
  const rows: string[][] = [];
  for (const s of doc.scopes) {
    const name = s.scope === "global" ? "global" : `${s.scope}:${s.name}`;
    for (const [i, p] of [s.day, s.month].entries()) {
      const usd = `${formatUsd(p.usd.spent)}${p.costUnknown > 0 ? ` +${p.costUnknown}?` : ""} / ${p.usd.limit === null ? "-" : formatUsd(p.usd.limit)}`;
      const tokens = `${grouped(p.tokens.spent)} / ${p.tokens.limit === null ? "-" : grouped(p.tokens.limit)}`;
      rows.push([i === 0 ? name : "", p.window.label, usd, paceText(p.usd), tokens, paceText(p.tokens), grouped(p.requests), p.window.resets]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const left = new Set([0, 1, 7]);
  const line = (cells: readonly string[]): string => cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  const out = [`Spend from the ledger, days and months in ${doc.timeZone} (now ${doc.now})`, "", line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  out.push("", "PACE: spent ÷ what an even pace from 0 to the limit would have spent by now (1.00 = on pace).");
  if (doc.scopes.some((s) => s.day.costUnknown + s.month.costUnknown > 0)) out.push("+N?: N receipts whose cost is unknown (no price) are not in USD SPENT.");
  return out.join("\n");
}

/** `switchyard spend`: reads the ledger and keys.db the gateway writes; creates neither. */
export async function runSpendCommand(opts: { config?: string; json?: boolean }): Promise<number> {
  const { config, ledgerPath } = loadCliConfig(opts.config);
  const nowMs = Date.now();
  const keysPath = keyStorePathFor(ledgerPath);
  let keys: KeyRecord[] = [];
  if (existsSync(keysPath)) {
    const keyStore = openSqliteKeyStore(keysPath);
    try {
      keys = await keyStore.list();
    } finally {
      await keyStore.close();
    }
  }
  let rows: ScopeSpend[] = [];
  if (existsSync(ledgerPath)) {
    const windows = budgetWindows(config.budgets, nowMs);
    const store = openSqliteReceiptStore(ledgerPath);
    try {
      rows = await store.spendByScope([windows.day, windows.month]);
    } finally {
      await store.close();
    }
  } else if (!opts.json) {
    console.error(`No ledger at ${ledgerPath} yet: nothing has been spent.`);
  }
  const doc = buildSpendView({ config, keys, rows, nowMs });
  console.log(opts.json ? JSON.stringify(doc, null, 2) : formatSpendTable(doc));
  return 0;
}

function paceText(a: SpendAmount): string {
  return a.paceRatio === null ? "-" : `${a.paceRatio.toFixed(2)}×`;
}

function grouped(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
