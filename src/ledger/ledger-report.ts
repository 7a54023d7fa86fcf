/** What a report groups receipts by. */
export type ReportGroupBy = "route" | "model" | "provider" | "key" | "arm";

export const REPORT_GROUPS: readonly ReportGroupBy[] = ["route", "model", "provider", "key", "arm"];

export interface ReportQuery {
  by: ReportGroupBy;
  /** Receipts created at or after this Unix millisecond… */
  sinceMs: number;
  /** …and before this one. */
  untilMs: number;
}

/** Percentiles of one duration (nearest rank), over the receipts that had it. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  samples: number;
}

/**
 * What a store adds up for one group; `toReportRow` derives the rates. A task is a task id, or a
 * request sent without one. Task figures count each task with receipts in the group, by its
 * latest feedback.
 */
export interface ReportSums {
  group: string | null;
  requests: number;
  /** Receipts whose status is not `ok`. */
  errors: number;
  retries: number;
  fallbacks: number;
  escalations: number;
  inputTokens: number;
  outputTokens: number;
  /** Integer micro-USD of the receipts whose cost is known. */
  costMicroUsd: number;
  /** Receipts whose cost is unknown (null). */
  costUnknown: number;
  tasks: number;
  tasksWithFeedback: number;
  completedTasks: number;
  failedTasks: number;
  abandonedTasks: number;
  humanTakeovers: number;
  humanEditMinutes: number;
  /** Of the group's receipts that belong to tasks with feedback (any outcome). */
  feedbackTasks: { costMicroUsd: number; inputTokens: number; outputTokens: number };
  /** Of receipts with status `ok`. */
  latencyMs: Percentiles;
  /** Of receipts with status `ok` that have a time to first token. */
  ttftMs: Percentiles;
}

/** One group of `switchyard report` / `GET /admin/report`. */
export interface ReportRow extends ReportSums {
  /** errors ÷ requests. */
  errorRate: number | null;
  retriesPerRequest: number | null;
  /** retries ÷ tasks. */
  retriesPerTask: number | null;
  /** completed ÷ tasks with feedback. */
  completionRate: number | null;
  /** Tasks whose latest feedback says a human took over ÷ tasks with feedback. */
  humanTakeoverRate: number | null;
  /** feedbackTasks.costMicroUsd ÷ completed tasks, rounded to an integer micro-USD. */
  costPerCompletedTaskMicroUsd: number | null;
  inputTokensPerCompletedTask: number | null;
  outputTokensPerCompletedTask: number | null;
}

export interface ReportResult {
  /** Most requests first. */
  groups: ReportRow[];
  /** Every receipt in the window as one group (`group: null`). */
  total: ReportRow;
}

/** The JSON of `GET /admin/report` and `switchyard report --json`. */
export interface ReportDocument extends ReportResult {
  object: "report";
  by: ReportGroupBy;
  since: string;
  until: string;
}

export function reportDocument(query: ReportQuery, result: ReportResult): ReportDocument {
  return { object: "report", by: query.by, since: new Date(query.sinceMs).toISOString(), until: new Date(query.untilMs).toISOString(), ...result };
}

export function emptySums(group: string | null): ReportSums {
  return {
    group,
    requests: 0, errors: 0, retries: 0, fallbacks: 0, escalations: 0, inputTokens: 0, outputTokens: 0,
    costMicroUsd: 0, costUnknown: 0, tasks: 0, tasksWithFeedback: 0, completedTasks: 0, failedTasks: 0,
    abandonedTasks: 0, humanTakeovers: 0, humanEditMinutes: 0,
    feedbackTasks: { costMicroUsd: 0, inputTokens: 0, outputTokens: 0 },
    latencyMs: { p50: null, p95: null, samples: 0 },
    ttftMs: { p50: null, p95: null, samples: 0 },
  };
}

export function toReportRow(s: ReportSums): ReportRow {
  const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
  const done = s.completedTasks;
  return {
    ...s,
    errorRate: ratio(s.errors, s.requests),
    retriesPerRequest: ratio(s.retries, s.requests),
    retriesPerTask: ratio(s.retries, s.tasks),
    completionRate: ratio(done, s.tasksWithFeedback),
    humanTakeoverRate: ratio(s.humanTakeovers, s.tasksWithFeedback),
    costPerCompletedTaskMicroUsd: done === 0 ? null : Math.round(s.feedbackTasks.costMicroUsd / done),
    inputTokensPerCompletedTask: ratio(s.feedbackTasks.inputTokens, done),
    outputTokensPerCompletedTask: ratio(s.feedbackTasks.outputTokens, done),
  };
}

/** Most requests first, then by name (no group last). */
export function orderRows(rows: ReportRow[]): ReportRow[] {
  return rows.sort((a, b) => b.requests - a.requests || (a.group === b.group ? 0 : a.group === null ? 1 : b.group === null ? -1 : a.group < b.group ? -1 : 1));
}

/** 1-based nearest rank of percentile `p` (0–100) among `n` sorted values: ⌈p·n / 100⌉. */
export function nearestRank(n: number, p: number): number {
  return Math.max(1, Math.floor((n * p + 99) / 100));
}
