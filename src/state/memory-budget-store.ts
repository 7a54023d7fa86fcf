import type { BudgetLine, BudgetStore, BudgetUsage, ReserveResult } from "./budget-store.ts";

interface Counter {
  settled: number;
  reserved: number;
  expiresAtMs: number;
}

interface Ticket {
  lines: { key: string; amount: number; expiresAtMs: number }[];
}

/**
 * Budgets for one process. JavaScript runs one reservation at a time, so checking every line and
 * then taking from every line is atomic without a lock. Expired windows are dropped as they are
 * met and on a periodic sweep, so the maps stay as small as the budgets in use.
 */
export class MemoryBudgetStore implements BudgetStore {
  private readonly counters = new Map<string, Counter>();
  private readonly tickets = new Map<string, Ticket>();
  private nextTicket = 0;
  private sweepAtMs = 0;

  reserve(lines: readonly BudgetLine[], nowMs: number): Promise<ReserveResult> {
    return Promise.resolve(this.reserveNow(lines, nowMs));
  }

  /** The synchronous core of `reserve`, for callers that want no promise hop. */
  reserveNow(lines: readonly BudgetLine[], nowMs: number): ReserveResult {
    if (nowMs >= this.sweepAtMs) this.sweep(nowMs);
    for (const [i, line] of lines.entries()) {
      const c = this.live(line.key, nowMs);
      const used = c ? c.settled + c.reserved : 0;
      if (used + line.amount > line.limit) return { ok: false, line: i, used };
    }
    const ticket: Ticket = { lines: [] };
    for (const line of lines) {
      const c = this.counter(line.key, line.expiresAtMs, nowMs);
      c.reserved += line.amount;
      ticket.lines.push({ key: line.key, amount: line.amount, expiresAtMs: line.expiresAtMs });
    }
    const id = `t${(this.nextTicket += 1)}`;
    this.tickets.set(id, ticket);
    return { ok: true, ticket: id };
  }

  settle(ticket: string, actual: readonly number[]): Promise<void> {
    this.settleNow(ticket, actual);
    return Promise.resolve();
  }

  settleNow(ticket: string, actual: readonly number[]): void {
    const t = this.tickets.get(ticket);
    if (!t) return;
    this.tickets.delete(ticket);
    t.lines.forEach((line, i) => {
      const c = this.counters.get(line.key);
      if (!c) return;
      c.reserved = Math.max(0, c.reserved - line.amount);
      c.settled += Math.max(0, actual[i] ?? 0);
    });
  }

  release(ticket: string): Promise<void> {
    this.settleNow(ticket, []);
    return Promise.resolve();
  }

  usage(key: string, nowMs: number): Promise<BudgetUsage> {
    const c = this.live(key, nowMs);
    return Promise.resolve({ settled: c?.settled ?? 0, reserved: c?.reserved ?? 0 });
  }

  add(key: string, amount: number, expiresAtMs: number): Promise<void> {
    this.counter(key, expiresAtMs, 0).settled += Math.max(0, amount);
    return Promise.resolve();
  }

  private live(key: string, nowMs: number): Counter | undefined {
    const c = this.counters.get(key);
    if (c && c.expiresAtMs <= nowMs && c.reserved === 0) {
      this.counters.delete(key);
      return undefined;
    }
    return c;
  }

  private counter(key: string, expiresAtMs: number, nowMs: number): Counter {
    let c = this.live(key, nowMs);
    if (!c) {
      c = { settled: 0, reserved: 0, expiresAtMs };
      this.counters.set(key, c);
    }
    return c;
  }

  private sweep(nowMs: number): void {
    for (const [key, c] of this.counters) if (c.expiresAtMs <= nowMs && c.reserved === 0) this.counters.delete(key);
    this.sweepAtMs = nowMs + 60_000;
  }
}
