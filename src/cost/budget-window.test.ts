import assert from "node:assert/strict";
import { test } from "node:test";
import { calendarWindow, isValidTimeZone, pace } from "./budget-window.ts";

const iso = (ms: number): string => new Date(ms).toISOString();

test("a UTC day and month", () => {
  const at = Date.UTC(2026, 10, 24, 15, 30);
  const day = calendarWindow("day", "UTC", at);
  assert.deepEqual([iso(day.startMs), iso(day.endMs), day.label], ["2026-11-24T00:00:00.000Z", "2026-11-25T00:00:00.000Z", "2026-11-24"]);
  const month = calendarWindow("month", "UTC", at);
  assert.deepEqual([iso(month.startMs), iso(month.endMs), month.label], ["2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z", "2026-11"]);
});

test("a day in Berlin starts at local midnight, and late evening UTC is already tomorrow there", () => {
  const day = calendarWindow("day", "Europe/Berlin", Date.UTC(2026, 10, 24, 23, 30));
  assert.equal(day.label, "2026-11-25");
  assert.equal(iso(day.startMs), "2026-11-24T23:00:00.000Z");
  assert.equal(iso(day.endMs), "2026-11-25T23:00:00.000Z");
});

test("the day of a DST change lasts 23 or 25 hours", () => {
  const spring = calendarWindow("day", "Europe/Berlin", Date.UTC(2026, 2, 29, 12));
  assert.equal((spring.endMs - spring.startMs) / 3_600_000, 23);
  const autumn = calendarWindow("day", "Europe/Berlin", Date.UTC(2026, 9, 25, 12));
  assert.equal((autumn.endMs - autumn.startMs) / 3_600_000, 25);
  const ny = calendarWindow("day", "America/New_York", Date.UTC(2026, 2, 8, 12));
  assert.equal((ny.endMs - ny.startMs) / 3_600_000, 23);
  assert.equal(iso(ny.startMs), "2026-03-08T05:00:00.000Z");
});

test("months: December rolls into next year; a zone east of UTC starts the month the evening before", () => {
  const dec = calendarWindow("month", "UTC", Date.UTC(2026, 11, 31, 23, 59));
  assert.deepEqual([dec.label, iso(dec.endMs)], ["2026-12", "2027-01-01T00:00:00.000Z"]);
  const tokyo = calendarWindow("month", "Asia/Tokyo", Date.UTC(2026, 10, 30, 16));
  assert.deepEqual([tokyo.label, iso(tokyo.startMs)], ["2026-12", "2026-11-30T15:00:00.000Z"]);
});

test("every instant lies in its window, and consecutive windows meet", () => {
  for (const zone of ["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Australia/Lord_Howe"]) {
    let at = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 400; i += 1, at += 22 * 3_600_000 + 17 * 60_000) {
      const w = calendarWindow("day", zone, at);
      assert.ok(w.startMs <= at && at < w.endMs, `${zone} ${iso(at)} not in [${iso(w.startMs)}, ${iso(w.endMs)})`);
      assert.equal(calendarWindow("day", zone, w.endMs).startMs, w.endMs);
      assert.equal(calendarWindow("day", zone, w.endMs - 1).startMs, w.startMs);
    }
  }
});

test("time zone names are checked", () => {
  assert.equal(isValidTimeZone("Europe/Berlin"), true);
  assert.equal(isValidTimeZone("Mars/Olympus"), false);
});

test("pace compares spend with a straight line, not judging the first half hour", () => {
  const window = calendarWindow("day", "UTC", Date.UTC(2026, 10, 24, 12));
  const noon = pace({ window, nowMs: Date.UTC(2026, 10, 24, 12), spent: 30, limit: 40 });
  assert.equal(noon.elapsedShare, 0.5);
  assert.equal(noon.expected, 20);
  assert.equal(noon.ratio, 1.5);
  const early = pace({ window, nowMs: Date.UTC(2026, 10, 24, 0, 1), spent: 1, limit: 48 });
  assert.equal(early.expected, 1);
  assert.equal(early.ratio, 1);
  assert.equal(pace({ window, nowMs: window.endMs + 5, spent: 10, limit: 10 }).ratio, 1);
});
