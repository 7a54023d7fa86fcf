/**
 * Calendar windows for budgets: the day or month that contains an instant, in a time zone. Days
 * and months are the ones a team's finance department means ("today in Berlin"), so their length
 * varies (23 or 25 hours across a DST change; 28–31 days). Pure: the instant comes in.
 */
export type BudgetPeriod = "day" | "month";

export interface CalendarWindow {
  period: BudgetPeriod;
  /** Unix ms of the window's first instant. */
  startMs: number;
  /** Unix ms of the next window's first instant. */
  endMs: number;
  /** e.g. `2026-11-24` or `2026-11`: names the window in stores and messages. */
  label: string;
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows (e.g. `Europe/Berlin`, `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in ms (Berlin in winter: +3_600_000). */
function offsetMs(timeZone: string, atMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(atMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

function localDate(timeZone: string, atMs: number): LocalDate {
  const d = new Date(atMs + offsetMs(timeZone, atMs));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The instant local midnight of a date begins, in the zone. */
function startOfLocalDay(timeZone: string, date: LocalDate): number {
  const guess = Date.UTC(date.year, date.month - 1, date.day);
  // Two passes settle the offset even when midnight is near a DST change.
  let start = guess - offsetMs(timeZone, guess);
  start = guess - offsetMs(timeZone, start);
  return start;
}

/** The window last computed per period and zone: nearly every call falls inside it. */
const recent = new Map<string, CalendarWindow>();

/**
 * The day or month containing `atMs` in `timeZone`. Working it out takes a handful of `Intl` calls
 * (~20 µs), so the last window per period and zone is kept and reused while `atMs` is inside it.
 */
export function calendarWindow(period: BudgetPeriod, timeZone: string, atMs: number): CalendarWindow {
  const key = `${period}|${timeZone}`;
  const cached = recent.get(key);
  if (cached && atMs >= cached.startMs && atMs < cached.endMs) return cached;
  const window = computeWindow(period, timeZone, atMs);
  if (recent.size > 1000) recent.clear();
  recent.set(key, window);
  return window;
}

function computeWindow(period: BudgetPeriod, timeZone: string, atMs: number): CalendarWindow {
  const today = localDate(timeZone, atMs);
  if (period === "day") {
    const next = new Date(Date.UTC(today.year, today.month - 1, today.day + 1));
    return {
      period,
      startMs: startOfLocalDay(timeZone, today),
      endMs: startOfLocalDay(timeZone, { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }),
      label: `${today.year}-${pad(today.month)}-${pad(today.day)}`,
    };
  }
  const next = new Date(Date.UTC(today.year, today.month, 1));
  return {
    period,
    startMs: startOfLocalDay(timeZone, { year: today.year, month: today.month, day: 1 }),
    endMs: startOfLocalDay(timeZone, { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: 1 }),
    label: `${today.year}-${pad(today.month)}`,
  };
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export interface PaceInput {
  window: CalendarWindow;
  nowMs: number;
  /** Spent so far in the window (any unit). */
  spent: number;
  limit: number;
}

export interface Pace {
  /** Share of the window that has passed, 0..1. */
  elapsedShare: number;
  /** What linear spending would have used by now. */
  expected: number;
  /** spent / expected (Infinity when something was spent at the very start). */
  ratio: number;
}

/**
 * How spending compares with a straight line from 0 at the window's start to the limit at its end.
 * A ratio of 1.5 means 1.5× what an even pace would have spent by now. The first minutes of a
 * window are not judged on a handful of requests: the expected share never goes below 1 / 48 of
 * the window (half an hour of a day).
 */
export function pace(input: PaceInput): Pace {
  const { window, nowMs, spent, limit } = input;
  const length = window.endMs - window.startMs;
  const elapsedShare = Math.min(1, Math.max(0, (nowMs - window.startMs) / length));
  const expected = limit * Math.max(elapsedShare, 1 / 48);
  return { elapsedShare, expected, ratio: expected === 0 ? (spent > 0 ? Number.POSITIVE_INFINITY : 0) : spent / expected };
}
