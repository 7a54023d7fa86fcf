import { formatUsd } from "../cost/compute-cost.ts";
import { stripDatedSuffix } from "../cost/resolve-price.ts";
import type { Receipt, ReceiptStatus } from "./receipt.ts";

export interface FormatReceiptsTableOptions {
  /** ANSI colours (status, drift, simulated). Off by default. */
  color?: boolean;
  /** Timestamps in the local zone (default) or UTC. */
  timeZone?: "local" | "utc";
}

type Align = "left" | "right";
type Paint = "dim" | "green" | "red" | "yellow" | "magenta" | "bold";

interface Cell {
  text: string;
  paint?: Paint;
}

interface Column {
  header: string;
  align: Align;
  cell: (r: Receipt, o: Required<FormatReceiptsTableOptions>) => Cell;
}

/** No single value may widen its column past this; longer ones are cut in the middle. */
const MAX_CELL_WIDTH = 56;
const GAP = "  ";

const ANSI: Record<Paint, string> = { dim: "2", green: "32", red: "31", yellow: "33", magenta: "35", bold: "1" };

const STATUS_PAINT: Record<ReceiptStatus, Paint> = {
  ok: "green",
  error: "red",
  truncated: "red",
  rejected: "yellow",
  client_closed: "yellow",
};

const COLUMNS: readonly Column[] = [
  { header: "TIME", align: "left", cell: (r, o) => ({ text: formatTime(r.createdAt, o.timeZone), paint: "dim" }) },
  { header: "ID", align: "left", cell: (r) => ({ text: r.requestId.slice(0, 8), paint: "dim" }) },
  { header: "ROUTE", align: "left", cell: (r) => ({ text: r.route ?? (r.lane ? `lane:${r.lane}` : "-") }) },
  { header: "MODEL → REPORTED", align: "left", cell: (r) => modelCell(r) },
  {
    header: "PROVIDER",
    align: "left",
    cell: (r) => (r.simulated ? { text: `${r.provider ?? "-"} (simulated)`, paint: "magenta" } : { text: r.provider ?? "-" }),
  },
  {
    header: "STATUS",
    align: "left",
    cell: (r) => ({ text: r.status === "ok" || r.errorKind === r.status ? r.status : `${r.status} ${r.errorKind ?? r.httpStatus}`, paint: STATUS_PAINT[r.status] }),
  },
  { header: "TRIES", align: "right", cell: (r) => ({ text: attemptsText(r) }) },
  { header: "TOKENS IN/OUT (CACHED)", align: "right", cell: (r) => ({ text: tokensText(r) }) },
  { header: "COST USD", align: "right", cell: (r) => ({ text: r.costMicroUsd === null ? "-" : formatUsd(r.costMicroUsd) }) },
  { header: "MS (TTFT)", align: "right", cell: (r) => ({ text: `${Math.round(r.latencyMs)}${r.ttftMs === null ? "" : ` (${Math.round(r.ttftMs)})`}` }) },
];

/** A fixed-width text table of receipts, for `switchyard receipts` (no trailing newline). */
export function formatReceiptsTable(receipts: readonly Receipt[], options: FormatReceiptsTableOptions = {}): string {
  if (receipts.length === 0) return "No receipts.";
  const o: Required<FormatReceiptsTableOptions> = { color: options.color ?? false, timeZone: options.timeZone ?? "local" };
  const rows: Cell[][] = receipts.map((r) => COLUMNS.map((c) => clip(c.cell(r, o))));
  const widths = COLUMNS.map((c, i) => Math.max(c.header.length, ...rows.map((row) => row[i]?.text.length ?? 0)));

  const line = (cells: Cell[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        const column = COLUMNS[i];
        const last = i === cells.length - 1;
        const padded = column?.align === "right" ? cell.text.padStart(width) : last ? cell.text : cell.text.padEnd(width);
        return o.color && cell.paint ? `\u001b[${ANSI[cell.paint]}m${padded}\u001b[0m` : padded;
      })
      .join(GAP);

  const out = [
    line(COLUMNS.map((c) => ({ text: c.header, paint: "bold" }))),
    line(widths.map((w) => ({ text: "-".repeat(w) }))),
    ...rows.map(line),
  ];
  if (receipts.some(hasDrift)) out.push("", "≠ the upstream reported a different model than the one asked for");
  return out.join("\n");
}

function modelCell(r: Receipt): Cell {
  const model = r.model ?? r.requestedModel ?? "-";
  const reported = r.upstreamModelReported;
  if (reported === null || reported === model) return { text: model };
  if (hasDrift(r)) return { text: `${model} ≠ ${reported}`, paint: "yellow" };
  return { text: `${model} → ${reported}` };
}

/**
 * Whether the upstream answered with something other than what it was asked for. A dated
 * version of the same model (`gpt-4o` → `gpt-4o-2024-08-06`) is the expected resolution, not drift.
 */
function hasDrift(r: Receipt): boolean {
  const reported = r.upstreamModelReported;
  if (reported === null) return false;
  const asked = [r.upstreamModel, r.model].filter((x): x is string => x !== null).map((x) => x.toLowerCase());
  if (asked.length === 0) return false;
  const normalised = reported.toLowerCase();
  return !asked.includes(normalised) && !asked.includes(stripDatedSuffix(normalised));
}

function attemptsText(r: Receipt): string {
  const n = r.attempts.length;
  const notes = [r.retries > 0 ? `${r.retries}r` : "", r.fallbacks > 0 ? `${r.fallbacks}f` : ""].filter(Boolean);
  return notes.length ? `${n} (${notes.join(" ")})` : String(n);
}

function tokensText(r: Receipt): string {
  if (r.inputTokens === null && r.outputTokens === null) return "-";
  const cached = r.cachedInputTokens ? ` (${grouped(r.cachedInputTokens)})` : "";
  return `${r.inputTokens === null ? "-" : grouped(r.inputTokens)}/${r.outputTokens === null ? "-" : grouped(r.outputTokens)}${cached}`;
}

function grouped(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatTime(ms: number, zone: "local" | "utc"): string {
  const d = new Date(ms);
  const utc = zone === "utc";
  const p = (n: number): string => String(n).padStart(2, "0");
  const date = `${utc ? d.getUTCFullYear() : d.getFullYear()}-${p((utc ? d.getUTCMonth() : d.getMonth()) + 1)}-${p(utc ? d.getUTCDate() : d.getDate())}`;
  const time = `${p(utc ? d.getUTCHours() : d.getHours())}:${p(utc ? d.getUTCMinutes() : d.getMinutes())}:${p(utc ? d.getUTCSeconds() : d.getSeconds())}`;
  return `${date} ${time}`;
}

/** One line, no control characters (values such as the requested model come from clients), capped width. */
function clip(cell: Cell): Cell {
  // eslint-disable-next-line no-control-regex
  const text = cell.text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ");
  if (text.length <= MAX_CELL_WIDTH) return { ...cell, text };
  const keep = MAX_CELL_WIDTH - 1;
  const head = Math.ceil(keep / 2);
  return { ...cell, text: `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}` };
}
