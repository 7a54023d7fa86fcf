import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatReportTable } from "./format-report-table.ts";
import { emptySums, toReportRow, type ReportRow } from "./ledger-report.ts";

const row = (group: string | null, extra: Partial<ReturnType<typeof emptySums>>): ReportRow => toReportRow({ ...emptySums(group), ...extra });

const OPTIONS = { by: "route" as const, sinceMs: Date.UTC(2026, 10, 17), untilMs: Date.UTC(2026, 10, 24) };

describe("formatReportTable", () => {
  const a = row("coding\u001b[31m", {
    requests: 1200, errors: 30, retries: 60, fallbacks: 4, escalations: 2, tasks: 300, tasksWithFeedback: 200, completedTasks: 150,
    humanTakeovers: 10, humanEditMinutes: 42.25, inputTokens: 1_234_567, outputTokens: 89_000, costMicroUsd: 12_345_678, costUnknown: 3,
    feedbackTasks: { costMicroUsd: 9_000_000, inputTokens: 0, outputTokens: 0 }, latencyMs: { p50: 812.4, p95: 2400.6, samples: 1170 }, ttftMs: { p50: 300, p95: 900, samples: 800 },
  });
  const none = row(null, { requests: 5, errors: 5 });
  const total = row(null, { requests: 1205, errors: 35, costMicroUsd: 12_345_678, costUnknown: 3 });
  const text = formatReportTable({ groups: [a, none], total }, OPTIONS);
  const lines = text.split("\n");

  test("a header, one line per group and the total, aligned", () => {
    assert.match(lines[0] ?? "", /^Receipts from 2026-11-17T00:00:00\.000Z – 2026-11-24T00:00:00\.000Z, by route$/);
    const header = lines[2] ?? "";
    assert.match(header, /^ROUTE\s+REQS\s+ERR%\s+RETRY\/REQ\s+FALLBK\s+ESC\s+TASKS\s+DONE% \(OF\)\s+TAKEOVER%\s+EDIT MIN\s+TOKENS IN\/OUT\s+COST USD\s+USD\/DONE TASK\s+MS P50\/P95\s+TTFT P50\/P95$/);
    const table = [lines[3], lines[4], lines[5], lines[6], lines[7]];
    assert.ok(table.every((l) => l?.length === header.length), table.join("\n"));
  });

  test("the values, with rates as percentages and money in USD", () => {
    assert.match(lines[4] ?? "", /^coding \[31m\s+1,200\s+2\.5%\s+0\.05\s+4\s+2\s+300\s+75\.0% \(200\)\s+5\.0%\s+42\.3\s+1,234,567\/89,000\s+12\.345678 \+3\?\s+0\.060000\s+812\/2401\s+300\/900$/);
    assert.match(lines[5] ?? "", /^\(no route\)\s+5\s+100\.0%\s+0\.00\s+0\s+0\s+0\s+- \(0\)\s+-\s+0\s+0\/0\s+0\.000000\s+-\s+-\/-\s+-\/-$/);
    assert.match(lines[7] ?? "", /^TOTAL\s+1,205\s+2\.9%/);
    assert.match(text, /\+N\?: N receipts whose cost is unknown/);
  });

  test("a label function names groups (a key's name for its id)", () => {
    const out = formatReportTable({ groups: [row("key_1", { requests: 1 })], total: row(null, { requests: 1 }) }, { ...OPTIONS, by: "key", label: (g) => `team-a (${g})` });
    assert.match(out, /^team-a \(key_1\)\s+1 /m);
  });

  test("no receipts", () => {
    assert.equal(formatReportTable({ groups: [], total: row(null, {}) }, OPTIONS), "No receipts from 2026-11-17T00:00:00.000Z – 2026-11-24T00:00:00.000Z.");
  });
});
