import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseReportQuery, parseReportTime, parseReportWindow, ReportWindowError } from "./parse-report-query.ts";

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe("parseReportTime", () => {
  test("durations back from now", () => {
    assert.equal(parseReportTime("since", "30m", NOW), NOW - 30 * 60_000);
    assert.equal(parseReportTime("since", "24h", NOW), NOW - 24 * 3_600_000);
    assert.equal(parseReportTime("since", "7d", NOW), NOW - 7 * 86_400_000);
    assert.equal(parseReportTime("since", "2W", NOW), NOW - 14 * 86_400_000);
  });

  test("ISO dates and times", () => {
    assert.equal(parseReportTime("since", "2026-11-01", NOW), Date.UTC(2026, 10, 1));
    assert.equal(parseReportTime("until", "2026-11-01T09:30:00Z", NOW), Date.UTC(2026, 10, 1, 9, 30));
    assert.equal(parseReportTime("until", "2026-11-01T09:30:00+01:00", NOW), Date.UTC(2026, 10, 1, 8, 30));
  });

  test("anything else names the parameter and what to write", () => {
    for (const bad of ["", "7", "7y", "yesterday", "2026-13-45", "-1d"]) {
      assert.throws(() => parseReportTime("since", bad, NOW), (err: unknown) => err instanceof ReportWindowError && err.param === "since" && /30m, 24h, 7d/.test(err.message), bad);
    }
  });
});

describe("parseReportWindow", () => {
  test("defaults to the last 7 days", () => {
    assert.deepEqual(parseReportWindow({ nowMs: NOW }), { sinceMs: NOW - 7 * 86_400_000, untilMs: NOW });
  });

  test("since must come before until", () => {
    assert.throws(() => parseReportWindow({ since: "2026-11-02", until: "2026-11-01", nowMs: NOW }), /must be before until/);
  });
});

describe("parseReportQuery", () => {
  test("groups by route unless told otherwise; an unknown grouping names `by`", () => {
    assert.equal(parseReportQuery({ nowMs: NOW }).by, "route");
    assert.deepEqual(parseReportQuery({ by: "arm", since: "1h", nowMs: NOW }), { by: "arm", sinceMs: NOW - 3_600_000, untilMs: NOW });
    assert.throws(() => parseReportQuery({ by: "colour", nowMs: NOW }), (err: unknown) => err instanceof ReportWindowError && err.param === "by" && /route, model, provider, key, arm/.test(err.message));
  });
});
