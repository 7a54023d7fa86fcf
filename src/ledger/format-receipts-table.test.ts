import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatReceiptsTable } from "./format-receipts-table.ts";
import { makeReceipt } from "./make-receipt.ts";

const ESC = String.fromCharCode(27);
const stripAnsi = (s: string): string => s.replaceAll(new RegExp(`${ESC}\\[\\d+m`, "g"), "");

/** Start offsets of each column, found from the header. */
function columnStarts(header: string): number[] {
  return [...header.matchAll(/(?:^|\s{2})(\S)/g)].map((m) => (m.index ?? 0) + m[0].length - 1);
}

const receipts = [
  makeReceipt(),
  makeReceipt({
    requestId: "ffffffff-0000-0000-0000-000000000000",
    route: "a_route_with_a_really_long_name_for_testing",
    model: "gpt-4o",
    upstreamModel: "gpt-4o",
    upstreamModelReported: "gpt-4o-mini-2024-07-18",
    provider: "sim",
    simulated: true,
    status: "error",
    errorKind: "rate_limited",
    httpStatus: 429,
    inputTokens: 1_234_567,
    cachedInputTokens: 0,
    outputTokens: 89,
    costMicroUsd: null,
    ttftMs: null,
    latencyMs: 12.4,
    retries: 2,
    fallbacks: 0,
  }),
  makeReceipt({
    requestId: "short",
    route: null,
    lane: null,
    model: null,
    requestedModel: "x".repeat(200) + "\u001b[31m\nnext line",
    upstreamModelReported: null,
    provider: null,
    status: "rejected",
    errorKind: "model_not_found",
    attempts: [],
    retries: 0,
    fallbacks: 0,
    inputTokens: null,
    outputTokens: null,
  }),
];

describe("formatReceiptsTable", () => {
  const text = formatReceiptsTable(receipts, { timeZone: "utc" });
  const lines = text.trimEnd().split("\n");

  test("one header, one rule and one line per receipt", () => {
    assert.match(lines[0] ?? "", /^TIME\s+ID\s+ROUTE\s+MODEL → REPORTED\s+PROVIDER\s+STATUS\s+TRIES\s+TOKENS IN\/OUT \(CACHED\)\s+COST USD\s+MS \(TTFT\)$/);
    assert.match(lines[1] ?? "", /^-+( {2}-+)+$/);
    assert.equal(lines.filter((l) => /^\d{4}-/.test(l)).length, 3);
  });

  test("columns stay aligned however wide the values", () => {
    const rule = lines[1] ?? "";
    const starts = columnStarts(rule);
    assert.equal(starts.length, 10);
    for (const row of lines.slice(2, 5)) {
      assert.equal(row.length, rule.length, row);
      for (const start of starts.slice(1)) assert.equal(row.slice(start - 2, start), "  ", `gap before column at ${start}: ${row}`);
    }
  });

  test("shows the values that matter", () => {
    const [first, second, third] = lines.slice(2);
    assert.match(first ?? "", /^2026-08-21 14:03:12 {2}0b7e9a52 {2}agentic_coding/);
    assert.match(first ?? "", /gpt-5\.5 → gpt-5\.5-2026-04-23/);
    assert.match(first ?? "", / 2 \(1f\) /);
    assert.match(first ?? "", /12,000\/900 \(8,000\)/);
    assert.match(first ?? "", /0\.056000/);
    assert.match(first ?? "", /3231 \(1440\)$/);
    assert.match(second ?? "", /gpt-4o ≠ gpt-4o-mini-2024-07-18/);
    assert.match(second ?? "", /sim \(simulated\)/);
    assert.match(second ?? "", /error rate_limited/);
    assert.match(second ?? "", /1,234,567\/89 /);
    assert.match(second ?? "", / - +12$/);
    assert.match(third ?? "", /rejected model_not_found/);
    assert.match(third ?? "", /x+…x+ \[31m next line {2}/);
    assert.ok(!text.includes(ESC));
    assert.match(text, /≠ the upstream reported a different model/);
  });

  test("colour codes do not disturb alignment", () => {
    const colored = formatReceiptsTable(receipts, { timeZone: "utc", color: true });
    assert.ok(colored.includes(`${ESC}[32mok`));
    assert.ok(colored.includes(`${ESC}[35msim (simulated)`));
    assert.equal(stripAnsi(colored), text);
  });

  test("a dated version of the model asked for is not drift", () => {
    const out = formatReceiptsTable([makeReceipt({ model: "claude-opus-4.7", upstreamModel: "claude-opus-4-7", upstreamModelReported: "claude-opus-4-7-20260416" })]);
    assert.match(out, /claude-opus-4\.7 → claude-opus-4-7-20260416/);
    assert.doesNotMatch(out, /≠/);
  });

  test("no receipts", () => {
    assert.equal(formatReceiptsTable([]), "No receipts.");
  });
});
