import { formatUsd } from "../cost/compute-cost.ts";
import type { ReportGroupBy, ReportResult, ReportRow } from "./ledger-report.ts";

interface Column {
  header: string;
  cell: (r: ReportRow) => string;
}

const GAP = "  ";
const MAX_GROUP_WIDTH = 40;

const COLUMNS: readonly Column[] = [
  { header: "REQS", cell: (r) => grouped(r.requests) },
  { header: "ERR%", cell: (r) => percent(r.errorRate) },
  { header: "RETRY/REQ", cell: (r) => (r.retriesPerRequest === null ? "-" : r.retriesPerRequest.toFixed(2)) },
  { header: "FALLBK", cell: (r) => grouped(r.fallbacks) },
  { header: "ESC", cell: (r) => grouped(r.escalations) },
  { header: "TASKS", cell: (r) => grouped(r.tasks) },
  { header: "DONE% (OF)", cell: (r) => `${percent(r.completionRate)} (${grouped(r.tasksWithFeedback)})` },
  { header: "TAKEOVER%", cell: (r) => percent(r.humanTakeoverRate) },
  { header: "EDIT MIN", cell: (r) => trim(r.humanEditMinutes) },
  { header: "TOKENS IN/OUT", cell: (r) => `${grouped(r.inputTokens)}/${grouped(r.outputTokens)}` },
  { header: "COST USD", cell: (r) => `${formatUsd(r.costMicroUsd)}${r.costUnknown > 0 ? ` +${r.costUnknown}?` : ""}` },
  { header: "USD/DONE TASK", cell: (r) => (r.costPerCompletedTaskMicroUsd === null ? "-" : formatUsd(r.costPerCompletedTaskMicroUsd)) },
  { header: "MS P50/P95", cell: (r) => `${ms(r.latencyMs.p50)}/${ms(r.latencyMs.p95)}` },
  { header: "TTFT P50/P95", cell: (r) => `${ms(r.ttftMs.p50)}/${ms(r.ttftMs.p95)}` },
];

/** `switchyard report` as a fixed-width table: one line per group, then the total (no trailing newline). */
export function formatReportTable(
  report: ReportResult,
  options: { by: ReportGroupBy; sinceMs: number; untilMs: number; /** How a group is shown (e.g. a key's name for its id). */ label?: (group: string) => string },
): string {
  const window = `${new Date(options.sinceMs).toISOString()} – ${new Date(options.untilMs).toISOString()}`;
  if (report.total.requests === 0) return `No receipts from ${window}.`;
  const named = options.label ?? ((g: string) => g);
  const label = (r: ReportRow): string => clip(r.group === null ? `(no ${options.by})` : named(r.group));
  const rows = [...report.groups.map((r) => [label(r), ...COLUMNS.map((c) => c.cell(r))]), ["TOTAL", ...COLUMNS.map((c) => c.cell(report.total))]];
  const header = [options.by.toUpperCase(), ...COLUMNS.map((c) => c.header)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(GAP).trimEnd();
  const rule = line(widths.map((w) => "-".repeat(w)));
  const body = rows.map(line);
  const out = [`Receipts from ${window}, by ${options.by}`, "", line(header), rule, ...body.slice(0, -1), rule, body.at(-1) ?? ""];
  out.push(
    "",
    "DONE%: tasks whose latest feedback is `completed` ÷ tasks with feedback (OF). USD/DONE TASK: the cost of the group's receipts",
    "of tasks with feedback ÷ completed tasks; a task spanning groups counts in each, with its receipts there. MS: answered requests.",
  );
  if (report.total.costUnknown > 0) out.push(`+N?: N receipts whose cost is unknown (no price) are not in COST USD.`);
  return out.join("\n");
}

function percent(x: number | null): string {
  return x === null ? "-" : `${(x * 100).toFixed(1)}%`;
}

function ms(x: number | null): string {
  return x === null ? "-" : String(Math.round(x));
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

function grouped(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** One line, no control characters (group names such as routes come from config, keys from clients), capped width. */
function clip(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
  return clean.length <= MAX_GROUP_WIDTH ? clean : `${clean.slice(0, MAX_GROUP_WIDTH - 1)}…`;
}
