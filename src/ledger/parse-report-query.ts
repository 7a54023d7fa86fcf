import { REPORT_GROUPS, type ReportGroupBy, type ReportQuery } from "./ledger-report.ts";

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Thrown for a bad `since`, `until` or `by`; names the parameter. */
export class ReportWindowError extends Error {
  readonly param: "since" | "until" | "by";

  constructor(param: "since" | "until" | "by", message: string) {
    super(message);
    this.name = "ReportWindowError";
    this.param = param;
  }
}

/**
 * A report bound as Unix ms: a duration back from now (`30m`, `24h`, `7d`, `2w`) or an ISO 8601
 * date or time (`2026-11-01`, `2026-11-01T09:00:00Z`; a date alone is midnight UTC).
 */
export function parseReportTime(param: "since" | "until", text: string, nowMs: number): number {
  const value = text.trim();
  const duration = /^(\d+)\s*([mhdw])$/i.exec(value);
  if (duration) return nowMs - Number(duration[1]) * (UNIT_MS[(duration[2] ?? "").toLowerCase()] ?? 0);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new ReportWindowError(param, `${param} '${text}' is neither a duration back from now (30m, 24h, 7d, 2w) nor an ISO date (2026-11-01, 2026-11-01T09:00:00Z).`);
}

/** The window a report covers: `since` (default 7 days back) to `until` (default now). */
export function parseReportWindow(input: { since?: string | undefined; until?: string | undefined; nowMs: number }): { sinceMs: number; untilMs: number } {
  const sinceMs = parseReportTime("since", input.since ?? "7d", input.nowMs);
  const untilMs = input.until === undefined ? input.nowMs : parseReportTime("until", input.until, input.nowMs);
  if (sinceMs >= untilMs) {
    throw new ReportWindowError("since", `since (${new Date(sinceMs).toISOString()}) must be before until (${new Date(untilMs).toISOString()}).`);
  }
  return { sinceMs, untilMs };
}

/** A report's query from its text parameters (`/admin/report`'s query string, `switchyard report`'s flags). */
export function parseReportQuery(input: { since?: string | undefined; until?: string | undefined; by?: string | undefined; nowMs: number }): ReportQuery {
  const by = input.by ?? "route";
  if (!(REPORT_GROUPS as readonly string[]).includes(by)) {
    throw new ReportWindowError("by", `by '${by}' is not a grouping reports know; use one of ${REPORT_GROUPS.join(", ")}.`);
  }
  return { by: by as ReportGroupBy, ...parseReportWindow(input) };
}
