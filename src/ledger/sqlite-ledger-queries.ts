import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { emptySums, orderRows, toReportRow, type Percentiles, type ReportGroupBy, type ReportQuery, type ReportResult, type ReportSums } from "./ledger-report.ts";
import type { ScopeSpend, TimeRange } from "./spend-by-scope.ts";

/*
 * The ledger's aggregates in SQL, so a report over millions of receipts holds a few rows per
 * group in memory: SQLite groups, sorts (spilling to disk when it must) and ranks. Same
 * definitions as memory-ledger-queries.ts, which the conformance suite holds both to.
 */

/** Group expressions: chosen from this table only, never from input. */
const GROUP_COLUMN: Record<ReportGroupBy, string> = { route: "route", model: "model", provider: "provider", key: "key_id", arm: "arm" };

/** What joins receipts to feedback (see `taskKey`). */
const TASK_KEY = "COALESCE(task_id, char(0) || request_id)";
const IN_RANGE = "created_at >= ? AND created_at < ?";

type Row = Record<string, SQLInputValue>;

/** Runs every query in one read transaction, so the parts of a report agree. */
export function sqliteReport(db: DatabaseSync, query: ReportQuery): ReportResult {
  const range = [query.sinceMs, query.untilMs];
  db.exec("BEGIN");
  try {
    const groups = sumsBy(db, GROUP_COLUMN[query.by], range);
    const total = sumsBy(db, "NULL", range).get(null) ?? emptySums(null);
    return { groups: orderRows([...groups.values()].map(toReportRow)), total: toReportRow(total) };
  } finally {
    db.exec("COMMIT");
  }
}

function sumsBy(db: DatabaseSync, group: string, range: number[]): Map<string | null, ReportSums> {
  const sums = new Map<string | null, ReportSums>();
  const of = (g: SQLInputValue): ReportSums => {
    const key = g === null ? null : String(g);
    let s = sums.get(key);
    if (!s) {
      s = emptySums(key);
      sums.set(key, s);
    }
    return s;
  };

  const requests = db.prepare(
    `SELECT ${group} AS grp, COUNT(*) AS requests, SUM(status <> 'ok') AS errors, SUM(retries) AS retries,
       SUM(fallbacks) AS fallbacks, SUM(escalations) AS escalations, COALESCE(SUM(input_tokens), 0) AS input_tokens,
       COALESCE(SUM(output_tokens), 0) AS output_tokens, COALESCE(SUM(cost_micro_usd), 0) AS cost,
       SUM(cost_micro_usd IS NULL) AS cost_unknown, COUNT(DISTINCT ${TASK_KEY}) AS tasks
     FROM receipts WHERE ${IN_RANGE} GROUP BY grp`,
  );
  for (const r of requests.all(...range) as Row[]) {
    Object.assign(of(r["grp"] ?? null), {
      requests: num(r["requests"]), errors: num(r["errors"]), retries: num(r["retries"]), fallbacks: num(r["fallbacks"]),
      escalations: num(r["escalations"]), inputTokens: num(r["input_tokens"]), outputTokens: num(r["output_tokens"]),
      costMicroUsd: num(r["cost"]), costUnknown: num(r["cost_unknown"]), tasks: num(r["tasks"]),
    });
  }

  // One row per (group, task) with feedback, joined with the task's latest feedback through the
  // (task_key, recorded_at) index; ties on recorded_at go to the row written last.
  const tasks = db.prepare(
    `WITH t AS (
       SELECT ${group} AS grp, ${TASK_KEY} AS task_key, COALESCE(SUM(cost_micro_usd), 0) AS cost,
         COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens
       FROM receipts WHERE ${IN_RANGE} GROUP BY grp, task_key
     )
     SELECT t.grp AS grp, COUNT(*) AS with_feedback, SUM(f.outcome = 'completed') AS completed,
       SUM(f.outcome = 'failed') AS failed, SUM(f.outcome = 'abandoned') AS abandoned,
       SUM(f.human_takeover = 1) AS takeovers, COALESCE(SUM(f.human_edit_minutes), 0) AS edit_minutes,
       SUM(t.cost) AS cost, SUM(t.input_tokens) AS input_tokens, SUM(t.output_tokens) AS output_tokens
     FROM t JOIN feedback f ON f.rowid = (
       SELECT rowid FROM feedback WHERE task_key = t.task_key ORDER BY recorded_at DESC, rowid DESC LIMIT 1
     )
     GROUP BY t.grp`,
  );
  for (const r of tasks.all(...range) as Row[]) {
    Object.assign(of(r["grp"] ?? null), {
      tasksWithFeedback: num(r["with_feedback"]), completedTasks: num(r["completed"]), failedTasks: num(r["failed"]),
      abandonedTasks: num(r["abandoned"]), humanTakeovers: num(r["takeovers"]), humanEditMinutes: num(r["edit_minutes"]),
      feedbackTasks: { costMicroUsd: num(r["cost"]), inputTokens: num(r["input_tokens"]), outputTokens: num(r["output_tokens"]) },
    });
  }

  for (const [column, field] of [["latency_ms", "latencyMs"], ["ttft_ms", "ttftMs"]] as const) {
    for (const [g, p] of percentilesBy(db, group, column, range)) of(g)[field] = p;
  }
  return sums;
}

/** Nearest-rank p50 and p95 of a column over answered receipts, ranked by a window function. */
function percentilesBy(db: DatabaseSync, group: string, column: string, range: number[]): Map<SQLInputValue, Percentiles> {
  const rows = db.prepare(
    `WITH ranked AS (
       SELECT ${group} AS grp, ${column} AS x,
         ROW_NUMBER() OVER (PARTITION BY ${group} ORDER BY ${column}) AS rn,
         COUNT(*) OVER (PARTITION BY ${group}) AS n
       FROM receipts WHERE ${IN_RANGE} AND status = 'ok' AND ${column} IS NOT NULL
     )
     SELECT grp, n, MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN x END) AS p50, MAX(CASE WHEN rn = (n * 95 + 99) / 100 THEN x END) AS p95
     FROM ranked WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100 GROUP BY grp`,
  ).all(...range) as Row[];
  return new Map(rows.map((r) => [r["grp"] ?? null, { p50: numOrNull(r["p50"]), p95: numOrNull(r["p95"]), samples: num(r["n"]) }]));
}

/** One scan over the widest range; each range's sums are conditional on it. */
export function sqliteSpendByScope(db: DatabaseSync, ranges: readonly TimeRange[]): ScopeSpend[] {
  if (ranges.length === 0) return [];
  // Where a stream was cut off before its usage came, budgets keep the estimate charged.
  const cost = `COALESCE(cost_micro_usd, CASE WHEN input_tokens IS NULL AND status IN ('truncated', 'client_closed') THEN estimated_cost_micro_usd END)`;
  const parts = ranges.map((_, i) => {
    const inside = `created_at >= ? AND created_at < ?`;
    return `SUM(CASE WHEN ${inside} THEN 1 ELSE 0 END) AS requests_${i},
      SUM(CASE WHEN ${inside} THEN COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) ELSE 0 END) AS tokens_${i},
      SUM(CASE WHEN ${inside} THEN COALESCE(${cost}, 0) ELSE 0 END) AS cost_${i},
      SUM(CASE WHEN ${inside} AND ${cost} IS NULL THEN 1 ELSE 0 END) AS unknown_${i}`;
  });
  const params: number[] = ranges.flatMap((w) => Array.from({ length: 4 }, () => [w.startMs, w.endMs]).flat());
  const start = Math.min(...ranges.map((w) => w.startMs));
  const end = Math.max(...ranges.map((w) => w.endMs));
  const rows = db
    .prepare(`SELECT route, key_id, ${parts.join(",\n")} FROM receipts WHERE ${IN_RANGE} GROUP BY route, key_id`)
    .all(...params, start, end) as Row[];
  return rows
    .map((r) => ({
      route: str(r["route"]),
      keyId: str(r["key_id"]),
      windows: ranges.map((_, i) => ({
        costMicroUsd: num(r[`cost_${i}`]),
        tokens: num(r[`tokens_${i}`]),
        requests: num(r[`requests_${i}`]),
        costUnknown: num(r[`unknown_${i}`]),
      })),
    }))
    .filter((row) => row.windows.some((w) => w.requests > 0));
}

function num(v: SQLInputValue | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}

function numOrNull(v: SQLInputValue | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function str(v: SQLInputValue | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}
