import { taskKey, type Feedback } from "./feedback.ts";
import { emptySums, nearestRank, orderRows, toReportRow, type Percentiles, type ReportGroupBy, type ReportQuery, type ReportResult, type ReportSums } from "./ledger-report.ts";
import type { Receipt } from "./receipt.ts";
import { emptySpend, type ScopeSpend, type TimeRange } from "./spend-by-scope.ts";

/*
 * The ledger's aggregates computed in JavaScript over arrays: the in-memory store's, and the
 * reference the SQLite queries are held to by the conformance suite.
 */

const GROUP_OF: Record<ReportGroupBy, (r: Receipt) => string | null> = {
  route: (r) => r.route,
  model: (r) => r.model,
  provider: (r) => r.provider,
  key: (r) => r.keyId,
  arm: (r) => r.arm,
};

/** The latest feedback of each task: greatest `recordedAt`, then written last (`feedback` is in writing order). */
export function latestFeedback(feedback: Iterable<Feedback>): Map<string, Feedback> {
  const latest = new Map<string, Feedback>();
  for (const f of feedback) {
    const key = taskKey(f.taskId, f.requestId);
    const seen = latest.get(key);
    if (!seen || f.recordedAt >= seen.recordedAt) latest.set(key, f);
  }
  return latest;
}

export function reportOf(receipts: Iterable<Receipt>, feedback: Iterable<Feedback>, query: ReportQuery): ReportResult {
  const inRange: Receipt[] = [];
  for (const r of receipts) if (r.createdAt >= query.sinceMs && r.createdAt < query.untilMs) inRange.push(r);
  const latest = latestFeedback(feedback);
  const byGroup = new Map<string | null, Receipt[]>();
  const group = GROUP_OF[query.by];
  for (const r of inRange) {
    const g = group(r);
    const list = byGroup.get(g);
    if (list) list.push(r);
    else byGroup.set(g, [r]);
  }
  return {
    groups: orderRows([...byGroup].map(([g, rs]) => toReportRow(sumsOf(g, rs, latest)))),
    total: toReportRow(sumsOf(null, inRange, latest)),
  };
}

function sumsOf(group: string | null, receipts: readonly Receipt[], latest: ReadonlyMap<string, Feedback>): ReportSums {
  const s = emptySums(group);
  const tasks = new Map<string, Receipt[]>();
  for (const r of receipts) {
    s.requests++;
    if (r.status !== "ok") s.errors++;
    s.retries += r.retries;
    s.fallbacks += r.fallbacks;
    s.escalations += r.escalations;
    s.inputTokens += r.inputTokens ?? 0;
    s.outputTokens += r.outputTokens ?? 0;
    if (r.costMicroUsd === null) s.costUnknown++;
    else s.costMicroUsd += r.costMicroUsd;
    const key = taskKey(r.taskId, r.requestId);
    const list = tasks.get(key);
    if (list) list.push(r);
    else tasks.set(key, [r]);
  }
  s.tasks = tasks.size;
  for (const [key, rs] of tasks) {
    const f = latest.get(key);
    if (!f) continue;
    s.tasksWithFeedback++;
    if (f.outcome === "completed") s.completedTasks++;
    else if (f.outcome === "failed") s.failedTasks++;
    else s.abandonedTasks++;
    if (f.humanTakeover === true) s.humanTakeovers++;
    s.humanEditMinutes += f.humanEditMinutes ?? 0;
    for (const r of rs) {
      s.feedbackTasks.costMicroUsd += r.costMicroUsd ?? 0;
      s.feedbackTasks.inputTokens += r.inputTokens ?? 0;
      s.feedbackTasks.outputTokens += r.outputTokens ?? 0;
    }
  }
  const answered = receipts.filter((r) => r.status === "ok");
  s.latencyMs = percentiles(answered.map((r) => r.latencyMs));
  s.ttftMs = percentiles(answered.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs])));
  return s;
}

function percentiles(values: number[]): Percentiles {
  const n = values.length;
  if (n === 0) return { p50: null, p95: null, samples: 0 };
  values.sort((a, b) => a - b);
  return { p50: values[nearestRank(n, 50) - 1] ?? null, p95: values[nearestRank(n, 95) - 1] ?? null, samples: n };
}

/** A receipt's spend as budgets count it (see `WindowSpend`); null when unknown. */
export function budgetCostOf(r: Receipt): number | null {
  if (r.costMicroUsd !== null) return r.costMicroUsd;
  const cutOff = r.inputTokens === null && (r.status === "truncated" || r.status === "client_closed");
  return cutOff ? r.estimatedCostMicroUsd : null;
}

export function spendOf(receipts: Iterable<Receipt>, ranges: readonly TimeRange[]): ScopeSpend[] {
  const rows = new Map<string, ScopeSpend>();
  for (const r of receipts) {
    const hits = ranges.map((w) => r.createdAt >= w.startMs && r.createdAt < w.endMs);
    if (!hits.includes(true)) continue;
    const id = JSON.stringify([r.route, r.keyId]);
    let row = rows.get(id);
    if (!row) {
      row = { route: r.route, keyId: r.keyId, windows: ranges.map(emptySpend) };
      rows.set(id, row);
    }
    const cost = budgetCostOf(r);
    hits.forEach((hit, i) => {
      const w = row.windows[i];
      if (!hit || !w) return;
      w.requests++;
      w.tokens += (r.inputTokens ?? 0) + (r.outputTokens ?? 0);
      if (cost === null) w.costUnknown++;
      else w.costMicroUsd += cost;
    });
  }
  return [...rows.values()];
}
