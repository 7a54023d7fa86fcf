import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BudgetStore } from "./budget-store.ts";

/** What every BudgetStore must do; run by each implementation's test. */
export function runBudgetStoreConformance(name: string, open: () => Promise<BudgetStore> | BudgetStore): void {
  const NOW = 1_800_000_000_000;
  const END = NOW + 3_600_000;
  const line = (key: string, limit: number, amount: number) => ({ key, limit, amount, expiresAtMs: END });

  describe(`BudgetStore conformance: ${name}`, () => {
    it("reserves while there is room, then says which line is full and what it holds", async () => {
      const store = await open();
      const a = await store.reserve([line("usd|global", 100, 60)], NOW);
      assert.equal(a.ok, true);
      const b = await store.reserve([line("usd|global", 100, 50)], NOW);
      assert.deepEqual(b, { ok: false, line: 0, used: 60 });
      assert.deepEqual(await store.usage("usd|global", NOW), { settled: 0, reserved: 60 });
    });

    it("is all or nothing across lines", async () => {
      const store = await open();
      await store.reserve([line("tok|route:r", 10, 8)], NOW);
      const r = await store.reserve([line("usd|global", 100, 5), line("tok|route:r", 10, 5)], NOW);
      assert.deepEqual(r, { ok: false, line: 1, used: 8 });
      assert.deepEqual(await store.usage("usd|global", NOW), { settled: 0, reserved: 0 });
    });

    it("settle replaces the estimate by the actual; release gives it back; both once", async () => {
      const store = await open();
      const r = await store.reserve([line("usd|g", 100, 40), line("tok|g", 1000, 500)], NOW);
      assert.ok(r.ok);
      if (!r.ok) return;
      await store.settle(r.ticket, [25, 300]);
      await store.settle(r.ticket, [25, 300]);
      assert.deepEqual(await store.usage("usd|g", NOW), { settled: 25, reserved: 0 });
      assert.deepEqual(await store.usage("tok|g", NOW), { settled: 300, reserved: 0 });
      const r2 = await store.reserve([line("usd|g", 100, 70)], NOW);
      assert.ok(r2.ok);
      if (r2.ok) await store.release(r2.ticket);
      assert.deepEqual(await store.usage("usd|g", NOW), { settled: 25, reserved: 0 });
    });

    it("concurrent reservations never take more than the limit", async () => {
      const store = await open();
      const results = await Promise.all(Array.from({ length: 50 }, () => store.reserve([line("usd|race", 1000, 90)], NOW)));
      assert.equal(results.filter((r) => r.ok).length, 11);
      const u = await store.usage("usd|race", NOW);
      assert.ok(u.reserved <= 1000);
    });

    it("a window that has ended is forgotten; spend added from before start counts", async () => {
      const store = await open();
      await store.add("usd|old", 95, END);
      assert.equal((await store.reserve([line("usd|old", 100, 10)], NOW)).ok, false);
      assert.deepEqual(await store.usage("usd|old", END + 1), { settled: 0, reserved: 0 });
    });
  });
}
