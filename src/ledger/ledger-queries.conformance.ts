import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Feedback } from "./feedback.ts";
import type { ReportRow } from "./ledger-report.ts";
import { makeReceipt } from "./make-receipt.ts";
import type { Receipt } from "./receipt.ts";
import type { ReceiptStore } from "./receipt-store.ts";
import { sumSpend } from "./spend-by-scope.ts";

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const DAY = 86_400_000;

/** A plain receipt; the fields reports read are set explicitly. */
function rc(id: string, minute: number, extra: Partial<Receipt> = {}): Receipt {
  return makeReceipt({
    requestId: id, createdAt: T0 + minute * 60_000, taskId: null, keyId: null, route: "a", model: "m1", provider: "p1",
    arm: null, status: "ok", retries: 0, fallbacks: 0, escalations: 0, inputTokens: 100, outputTokens: 10,
    costMicroUsd: 1000, estimatedCostMicroUsd: 9999, latencyMs: 100, ttftMs: 50, ...extra,
  });
}

/**
 * Ten receipts and nine feedback reports whose figures are worked out by hand below. Task t2 has
 * receipts on routes a and b; t1 on models m1 and m2; r6 and r7 carry no task id.
 */
const RECEIPTS: Receipt[] = [
  rc("r1", 1, { taskId: "t1", retries: 1 }),
  rc("r2", 2, { taskId: "t1", model: "m2", provider: "p2", fallbacks: 1, inputTokens: 300, outputTokens: 30, costMicroUsd: 3000, latencyMs: 300, ttftMs: 70 }),
  rc("r3", 3, { taskId: "t2", status: "error", retries: 2, inputTokens: null, outputTokens: null, costMicroUsd: 0, latencyMs: 40, ttftMs: null }),
  rc("r4", 4, { taskId: "t2", route: "b", escalations: 1, inputTokens: 200, outputTokens: 20, costMicroUsd: 2000, latencyMs: 200, ttftMs: 60 }),
  rc("r5", 5, { taskId: "t3", route: "b", inputTokens: 400, outputTokens: 40, costMicroUsd: null, latencyMs: 500, ttftMs: null }),
  rc("r6", 6, { keyId: "k1", inputTokens: 50, outputTokens: 5, costMicroUsd: 500, latencyMs: 50, ttftMs: 20 }),
  rc("r7", 7, { inputTokens: 70, outputTokens: 7, costMicroUsd: 700, latencyMs: 70, ttftMs: 30 }),
  rc("r8", -1, { taskId: "t1", costMicroUsd: 99_999, latencyMs: 9999 }),
  rc("r9", 9, { taskId: "t4", route: null, model: null, provider: null, status: "rejected", inputTokens: null, outputTokens: null, costMicroUsd: 0, latencyMs: 1, ttftMs: null }),
  rc("r10", 10, { route: "b", keyId: "k1", status: "client_closed", inputTokens: null, outputTokens: null, costMicroUsd: null, estimatedCostMicroUsd: 1500, latencyMs: 10, ttftMs: null }),
];

function fb(id: string, second: number, extra: Partial<Feedback>): Feedback {
  return { id, recordedAt: T0 + 3_600_000 + second * 1000, taskId: null, requestId: null, outcome: "completed", humanTakeover: null, humanEditMinutes: null, note: null, keyId: null, ...extra };
}

const FEEDBACK: Feedback[] = [
  fb("f1", 100, { taskId: "t1", outcome: "failed" }),
  fb("f2", 200, { taskId: "t1", outcome: "completed", humanTakeover: false, humanEditMinutes: 2.5, note: "fixed a typo" }),
  fb("f3", 100, { taskId: "t2", outcome: "completed" }),
  fb("f4", 300, { taskId: "t2", requestId: "r4", outcome: "abandoned", humanTakeover: true, humanEditMinutes: 4 }),
  fb("f5", 100, { taskId: "t3", outcome: "failed", humanTakeover: true, humanEditMinutes: 10 }),
  fb("f6", 100, { requestId: "r6", outcome: "completed" }),
  fb("f7", 100, { taskId: "t9", outcome: "completed" }),
  fb("f8", 500, { taskId: "t4", outcome: "completed" }),
  fb("f9", 500, { taskId: "t4", outcome: "failed" }),
];

const WINDOW = { sinceMs: T0, untilMs: T0 + DAY };

/** The fields of a row a test names, for readable failures. */
function pick(row: ReportRow | undefined, fields: readonly (keyof ReportRow)[]): Partial<ReportRow> {
  return Object.fromEntries(fields.map((f) => [f, row?.[f]]));
}

/** Feedback, reports and spend sums: run by `runReceiptStoreConformance` for every store. */
export function runLedgerQueriesConformance(open: () => Promise<ReceiptStore>): void {
  const seeded = async (): Promise<ReceiptStore> => {
    const store = await open();
    await store.insertMany(RECEIPTS);
    await store.insertFeedback(FEEDBACK.slice(0, 4));
    await store.insertFeedback(FEEDBACK.slice(4));
    return store;
  };

  describe("feedback", () => {
    test("every report is kept and listed newest first (ties: written last first)", async () => {
      const store = await seeded();
      assert.deepEqual((await store.listFeedback({ limit: 10, taskId: "t1" })).map((f) => f.id), ["f2", "f1"]);
      assert.deepEqual((await store.listFeedback({ limit: 10, taskId: "t4" })).map((f) => f.id), ["f9", "f8"]);
      assert.deepEqual((await store.listFeedback({ limit: 10, requestId: "r6" })).map((f) => f.id), ["f6"]);
      assert.deepEqual((await store.listFeedback({ limit: 3 })).map((f) => f.id), ["f9", "f8", "f4"]);
      assert.equal((await store.listFeedback({ limit: 100 })).length, FEEDBACK.length);
      assert.deepEqual(await store.listFeedback({ limit: 0 }), []);
    });

    test("every field comes back exactly as written", async () => {
      const store = await seeded();
      const [latest] = await store.listFeedback({ limit: 1, taskId: "t1" });
      assert.deepEqual(latest, FEEDBACK[1]);
      const [request] = await store.listFeedback({ limit: 1, requestId: "r4" });
      assert.deepEqual(request, FEEDBACK[3]);
    });

    test("feedback written again under its id replaces the stored one", async () => {
      const store = await open();
      await store.insertFeedback([fb("x", 1, { taskId: "t", outcome: "failed" })]);
      await store.insertFeedback([fb("x", 1, { taskId: "t", outcome: "completed", keyId: "k" })]);
      assert.deepEqual(await store.listFeedback({ limit: 10 }), [fb("x", 1, { taskId: "t", outcome: "completed", keyId: "k" })]);
      await store.insertFeedback([]);
    });
  });

  describe("report", () => {
    test("by route: requests, errors, retries, tokens, cost, tasks and outcomes, worked out by hand", async () => {
      const store = await seeded();
      const { groups } = await store.report({ by: "route", ...WINDOW });
      assert.deepEqual(groups.map((g) => g.group), ["a", "b", null]);
      const [a, b, none] = groups;
      assert.deepEqual(pick(a, ["requests", "errors", "errorRate", "retries", "retriesPerRequest", "fallbacks", "escalations", "inputTokens", "outputTokens", "costMicroUsd", "costUnknown"]), {
        requests: 5, errors: 1, errorRate: 0.2, retries: 3, retriesPerRequest: 0.6, fallbacks: 1, escalations: 0, inputTokens: 520, outputTokens: 52, costMicroUsd: 5200, costUnknown: 0,
      });
      // Tasks t1, t2, r6, r7; t2's latest outcome is `abandoned` (f4 after f3); r7 has none.
      assert.deepEqual(pick(a, ["tasks", "tasksWithFeedback", "completedTasks", "failedTasks", "abandonedTasks", "completionRate", "humanTakeovers", "humanTakeoverRate", "humanEditMinutes"]), {
        tasks: 4, tasksWithFeedback: 3, completedTasks: 2, failedTasks: 0, abandonedTasks: 1, completionRate: 2 / 3, humanTakeovers: 1, humanTakeoverRate: 1 / 3, humanEditMinutes: 6.5,
      });
      // t1 (r1 + r2) + t2 (r3) + r6, over the two completed tasks t1 and r6.
      assert.equal(a?.retriesPerTask, 0.75);
      assert.deepEqual(a?.feedbackTasks, { costMicroUsd: 4500, inputTokens: 450, outputTokens: 45 });
      assert.deepEqual(pick(a, ["costPerCompletedTaskMicroUsd", "inputTokensPerCompletedTask", "outputTokensPerCompletedTask"]), {
        costPerCompletedTaskMicroUsd: 2250, inputTokensPerCompletedTask: 225, outputTokensPerCompletedTask: 22.5,
      });
      // Answered receipts only: latencies 50 70 100 300, first tokens 20 30 50 70.
      assert.deepEqual(a?.latencyMs, { p50: 70, p95: 300, samples: 4 });
      assert.deepEqual(a?.ttftMs, { p50: 30, p95: 70, samples: 4 });

      assert.deepEqual(pick(b, ["requests", "errors", "escalations", "inputTokens", "outputTokens", "costMicroUsd", "costUnknown", "tasks", "tasksWithFeedback", "completedTasks", "failedTasks", "abandonedTasks", "completionRate", "humanTakeovers", "humanTakeoverRate", "humanEditMinutes", "costPerCompletedTaskMicroUsd", "inputTokensPerCompletedTask"]), {
        requests: 3, errors: 1, escalations: 1, inputTokens: 600, outputTokens: 60, costMicroUsd: 2000, costUnknown: 2, tasks: 3, tasksWithFeedback: 2, completedTasks: 0, failedTasks: 1, abandonedTasks: 1, completionRate: 0, humanTakeovers: 2, humanTakeoverRate: 1, humanEditMinutes: 14, costPerCompletedTaskMicroUsd: null, inputTokensPerCompletedTask: null,
      });
      assert.equal(b?.errorRate, 1 / 3);
      assert.deepEqual(b?.latencyMs, { p50: 200, p95: 500, samples: 2 });
      assert.deepEqual(b?.ttftMs, { p50: 60, p95: 60, samples: 1 });

      // t4's two reports share a time: the one written last (failed) counts.
      assert.deepEqual(pick(none, ["requests", "errors", "errorRate", "tasks", "tasksWithFeedback", "completedTasks", "failedTasks", "completionRate"]), {
        requests: 1, errors: 1, errorRate: 1, tasks: 1, tasksWithFeedback: 1, completedTasks: 0, failedTasks: 1, completionRate: 0,
      });
      assert.deepEqual(none?.latencyMs, { p50: null, p95: null, samples: 0 });
    });

    test("the total counts a task once however many groups it spans", async () => {
      const store = await seeded();
      const { total } = await store.report({ by: "route", ...WINDOW });
      assert.deepEqual(pick(total, ["group", "requests", "errors", "retries", "fallbacks", "escalations", "inputTokens", "outputTokens", "costMicroUsd", "costUnknown", "tasks", "tasksWithFeedback", "completedTasks", "failedTasks", "abandonedTasks", "completionRate", "humanTakeovers", "humanTakeoverRate", "humanEditMinutes", "costPerCompletedTaskMicroUsd", "inputTokensPerCompletedTask", "outputTokensPerCompletedTask"]), {
        group: null, requests: 9, errors: 3, retries: 3, fallbacks: 1, escalations: 1, inputTokens: 1120, outputTokens: 112, costMicroUsd: 7200, costUnknown: 2, tasks: 7, tasksWithFeedback: 5, completedTasks: 2, failedTasks: 2, abandonedTasks: 1, completionRate: 0.4, humanTakeovers: 2, humanTakeoverRate: 0.4, humanEditMinutes: 16.5, costPerCompletedTaskMicroUsd: 3250, inputTokensPerCompletedTask: 525, outputTokensPerCompletedTask: 52.5,
      });
      assert.deepEqual(total.latencyMs, { p50: 100, p95: 500, samples: 6 });
      assert.deepEqual(total.ttftMs, { p50: 50, p95: 70, samples: 5 });
    });

    test("by model: a task spanning models counts in each, with that model's share of its cost", async () => {
      const store = await seeded();
      const { groups } = await store.report({ by: "model", ...WINDOW });
      assert.deepEqual(groups.map((g) => [g.group, g.requests]), [["m1", 7], ["m2", 1], [null, 1]]);
      const m2 = groups[1];
      assert.deepEqual(pick(m2, ["tasks", "completedTasks", "costPerCompletedTaskMicroUsd"]), { tasks: 1, completedTasks: 1, costPerCompletedTaskMicroUsd: 3000 });
      const m1 = groups[0];
      assert.deepEqual(pick(m1, ["tasks", "tasksWithFeedback", "completedTasks", "costPerCompletedTaskMicroUsd"]), { tasks: 6, tasksWithFeedback: 4, completedTasks: 2, costPerCompletedTaskMicroUsd: 1750 });
    });

    test("by key, provider and arm", async () => {
      const store = await seeded();
      assert.deepEqual((await store.report({ by: "key", ...WINDOW })).groups.map((g) => [g.group, g.requests]), [[null, 7], ["k1", 2]]);
      assert.deepEqual((await store.report({ by: "provider", ...WINDOW })).groups.map((g) => [g.group, g.requests]), [["p1", 7], ["p2", 1], [null, 1]]);
      assert.deepEqual((await store.report({ by: "arm", ...WINDOW })).groups.map((g) => [g.group, g.requests]), [[null, 9]]);
    });

    test("the window is [since, until): until is exclusive, earlier receipts are left out", async () => {
      const store = await seeded();
      const { total } = await store.report({ by: "route", sinceMs: T0 - 60_000, untilMs: T0 + 3 * 60_000 });
      assert.equal(total.requests, 3, "r8, r1 and r2; r3 sits exactly at until");
      assert.equal(total.costMicroUsd, 99_999 + 1000 + 3000);
    });

    test("an empty window", async () => {
      const store = await seeded();
      const { groups, total } = await store.report({ by: "route", sinceMs: T0 + 2 * DAY, untilMs: T0 + 3 * DAY });
      assert.deepEqual(groups, []);
      assert.deepEqual(pick(total, ["requests", "errorRate", "completionRate", "costPerCompletedTaskMicroUsd"]), { requests: 0, errorRate: null, completionRate: null, costPerCompletedTaskMicroUsd: null });
      assert.deepEqual(total.latencyMs, { p50: null, p95: null, samples: 0 });
    });
  });

  describe("spendByScope", () => {
    test("sums per route and key in each range, counting a cut-off stream's estimate", async () => {
      const store = await seeded();
      const rows = await store.spendByScope([{ startMs: T0, endMs: T0 + DAY }, { startMs: T0 - 3_600_000, endMs: T0 + DAY }]);
      const sorted = rows.map((r) => [r.route, r.keyId, r.windows]).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      assert.deepEqual(sorted, [
        ["a", "k1", [{ costMicroUsd: 500, tokens: 55, requests: 1, costUnknown: 0 }, { costMicroUsd: 500, tokens: 55, requests: 1, costUnknown: 0 }]],
        ["a", null, [{ costMicroUsd: 4700, tokens: 517, requests: 4, costUnknown: 0 }, { costMicroUsd: 104_699, tokens: 627, requests: 5, costUnknown: 0 }]],
        ["b", "k1", [{ costMicroUsd: 1500, tokens: 0, requests: 1, costUnknown: 0 }, { costMicroUsd: 1500, tokens: 0, requests: 1, costUnknown: 0 }]],
        ["b", null, [{ costMicroUsd: 2000, tokens: 660, requests: 2, costUnknown: 1 }, { costMicroUsd: 2000, tokens: 660, requests: 2, costUnknown: 1 }]],
        [null, null, [{ costMicroUsd: 0, tokens: 0, requests: 1, costUnknown: 0 }, { costMicroUsd: 0, tokens: 0, requests: 1, costUnknown: 0 }]],
      ]);
      assert.deepEqual(sumSpend(rows, {}, 0), { costMicroUsd: 8700, tokens: 1232, requests: 9, costUnknown: 1 });
      assert.deepEqual(sumSpend(rows, { keyId: "k1" }, 0), { costMicroUsd: 2000, tokens: 55, requests: 2, costUnknown: 0 });
      assert.deepEqual(sumSpend(rows, { route: "b" }, 1), { costMicroUsd: 3500, tokens: 660, requests: 3, costUnknown: 1 });
    });

    test("no ranges, or ranges without receipts, give no rows", async () => {
      const store = await seeded();
      assert.deepEqual(await store.spendByScope([]), []);
      assert.deepEqual(await store.spendByScope([{ startMs: T0 + 2 * DAY, endMs: T0 + 3 * DAY }]), []);
    });
  });
}
