import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { parseConfigText } from "../../src/config/load-config.ts";
import type { Receipt } from "../../src/ledger/receipt.ts";
import type { ReportDocument, ReportRow } from "../../src/ledger/ledger-report.ts";
import { startGateway, type RunningGateway } from "../../src/main.ts";
import type { BudgetView } from "../../src/server/handle-admin-budgets.ts";
import { createMemoryKeyStore } from "../../src/state/memory-key-store.ts";
import { startTestGateway } from "../support/test-gateway.ts";

const BIN = fileURLToPath(new URL("../../bin/switchyard.js", import.meta.url));

const CONFIG = `
providers:
  simulated: { type: simulated, seed: 5, latency_scale: 0 }
models:
  sim-mini: { provider: simulated, price: { input: 0.15, output: 0.6 } }
  sim-pro:  { provider: simulated, price: { input: 1.25, output: 10 } }
lanes:
  cheap: [sim-mini]
routes:
  general: { model: sim-pro }
  extraction: { lane: cheap }
budgets:
  daily_usd: 100
  daily_tokens: 10000000
  routes: { general: { daily_usd: 50, monthly_tokens: 5000000 } }
`;

async function start(dir: string): Promise<RunningGateway> {
  const { config } = parseConfigText({ text: CONFIG, file: "test.yaml", env: {} });
  return startGateway({ config, ledgerPath: path.join(dir, "ledger.db"), port: 0, host: "127.0.0.1" });
}

async function postFeedback(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/feedback`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Nearest-rank percentile, written out again here rather than imported. */
function nearest(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1] ?? null;
}

describe("feedback, reports and budgets that survive a restart", () => {
  let dir: string;
  let gw: RunningGateway;
  let openai: OpenAI;
  const ids: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "switchyard-feedback-"));
    gw = await start(dir);
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "test", maxRetries: 0 });
  });
  after(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = async (name: string, model: string, taskId: string | null, content: string): Promise<void> => {
    const headers = taskId === null ? {} : { "x-switchyard-task-id": taskId };
    const { response } = await openai.chat.completions.create({ model, max_tokens: 100, messages: [{ role: "user", content }] }, { headers }).withResponse();
    ids[name] = response.headers.get("x-switchyard-request-id") ?? "";
  };

  it("records requests with task ids and the outcomes posted for them", async () => {
    await ask("a1", "general", "task-a", "Draft a haiku about trains.");
    await ask("a2", "general", "task-a", "Now make it rhyme, please, and keep it short.");
    await ask("b1", "extraction", "task-b", "Extract the city: I flew to Lisbon.");
    await ask("b2", "general", "task-b", "Summarise our conversation so far in one line.");
    await ask("c1", "general", "task-c", "What is two plus two?");
    await ask("d1", "general", null, "Say hello.");
    await assert.rejects(openai.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] }), OpenAI.NotFoundError);

    // task-a: failed first, then completed (given for its second request) — the latest counts.
    const first = await postFeedback(gw.url, { task_id: "task-a", outcome: "failed" });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    await new Promise((r) => setTimeout(r, 5));
    const done = await postFeedback(gw.url, { request_id: ids["a2"], outcome: "completed", human_edit_minutes: 3, note: "small fix" });
    assert.equal(done.status, 200);
    assert.equal(done.body["object"], "feedback");
    assert.match(String(done.body["id"]), /^fb_[0-9a-f]{32}$/);
    assert.equal(done.body["task_id"], "task-a", "a request's feedback applies to its task");
    assert.equal(done.body["request_id"], ids["a2"]);
    assert.equal(done.body["outcome"], "completed");
    assert.ok(Math.abs(Date.parse(String(done.body["recorded_at"])) - Date.now()) < 60_000);

    assert.equal((await postFeedback(gw.url, { task_id: "task-b", outcome: "failed", human_takeover: true, human_edit_minutes: 12.5 })).status, 200);
    const request = await postFeedback(gw.url, { request_id: ids["d1"], outcome: "completed", human_takeover: false });
    assert.equal(request.status, 200);
    assert.equal(request.body["task_id"], null, "a request sent without a task id is its own task");
  });

  it("bad feedback is a 400 naming the field; an unknown request a 404", async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ outcome: "completed" }, "task_id", /task_id.*or 'request_id'/],
      [{ task_id: "t", request_id: ids["a1"], outcome: "completed" }, "request_id", /exactly one/],
      [{ task_id: "t" }, "outcome", /Missing required parameter 'outcome'.*completed, failed, abandoned/],
      [{ task_id: "t", outcome: "done" }, "outcome", /Invalid value for 'outcome'/],
      [{ task_id: "t", outcome: "failed", human_edit_minutes: -1 }, "human_edit_minutes", /0 or more/],
      [{ task_id: "t", outcome: "failed", human_takeover: "yes" }, "human_takeover", /true or false/],
      [{ task_id: "t", outcome: "failed", note: "x".repeat(2001) }, "note", /at most 2000/],
      [{ task_id: "t", outcome: "failed", rating: 5 }, "rating", /Unknown parameter 'rating'/],
      [{ task_id: "", outcome: "failed" }, "task_id", /Invalid value for 'task_id'/],
    ];
    for (const [body, param, message] of cases) {
      const res = await postFeedback(gw.url, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const error = res.body["error"] as { message: string; type: string; param: string };
      assert.equal(error.type, "invalid_request_error");
      assert.equal(error.param, param, JSON.stringify(body));
      assert.match(error.message, message);
    }
    const notJson = await fetch(`${gw.url}/v1/feedback`, { method: "POST", body: "{" });
    assert.equal(notJson.status, 400);
    const unknown = await postFeedback(gw.url, { request_id: "no-such-request", outcome: "completed" });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body["error"], {
      message: "No request with id 'no-such-request' is on record. Send the x-switchyard-request-id of a request this gateway served, or the task's task_id.",
      type: "invalid_request_error",
      code: "receipt_not_found",
      param: "request_id",
    });
  });

  it("GET /admin/report gives the numbers worked out from the receipts", async () => {
    await gw.writer.flush();
    const receipts = ((await (await fetch(`${gw.url}/v1/receipts?limit=100`)).json()) as { data: Receipt[] }).data;
    const by = (name: string): Receipt => receipts.find((r) => r.requestId === ids[name]) as Receipt;
    const cost = (...names: string[]): number => names.reduce((sum, n) => sum + (by(n).costMicroUsd ?? Number.NaN), 0);
    const res = await fetch(`${gw.url}/admin/report?since=1h&by=route`);
    assert.equal(res.status, 200);
    const report = (await res.json()) as ReportDocument;
    assert.equal(report.object, "report");
    assert.equal(report.by, "route");
    assert.deepEqual(report.groups.map((g) => [g.group, g.requests]), [["general", 5], ["extraction", 1], [null, 1]]);
    const general = report.groups[0] as ReportRow;

    // Tasks a, b, c and d1; with feedback: a (completed), b (failed), d1 (completed).
    assert.equal(general.tasks, 4);
    assert.equal(general.tasksWithFeedback, 3);
    assert.equal(general.completedTasks, 2);
    assert.equal(general.completionRate, 2 / 3);
    assert.equal(general.humanTakeovers, 1);
    assert.equal(general.humanTakeoverRate, 1 / 3);
    assert.equal(general.humanEditMinutes, 15.5);
    assert.equal(general.errorRate, 0);
    assert.equal(general.costMicroUsd, cost("a1", "a2", "b2", "c1", "d1"));
    // The cost of the tasks with an outcome (c has none) over the two completed ones, exactly.
    assert.equal(general.feedbackTasks.costMicroUsd, cost("a1", "a2", "b2", "d1"));
    assert.equal(general.costPerCompletedTaskMicroUsd, Math.round(cost("a1", "a2", "b2", "d1") / 2));
    const inputs = ["a1", "a2", "b2", "d1"].reduce((s, n) => s + (by(n).inputTokens ?? 0), 0);
    assert.equal(general.inputTokensPerCompletedTask, inputs / 2);
    const latencies = ["a1", "a2", "b2", "c1", "d1"].map((n) => by(n).latencyMs);
    assert.deepEqual(general.latencyMs, { p50: nearest(latencies, 50), p95: nearest(latencies, 95), samples: 5 });

    const extraction = report.groups[1] as ReportRow;
    assert.deepEqual(
      [extraction.tasks, extraction.tasksWithFeedback, extraction.completedTasks, extraction.completionRate, extraction.costPerCompletedTaskMicroUsd, extraction.costMicroUsd],
      [1, 1, 0, 0, null, cost("b1")],
    );
    const none = report.groups[2] as ReportRow;
    assert.deepEqual([none.requests, none.errors, none.errorRate], [1, 1, 1]);

    // Tasks a, b, c, d1 and the refused request; b spans both routes and counts once here.
    assert.deepEqual(
      [report.total.requests, report.total.errors, report.total.tasks, report.total.tasksWithFeedback, report.total.completedTasks, report.total.costMicroUsd],
      [7, 1, 5, 3, 2, cost("a1", "a2", "b1", "b2", "c1", "d1")],
    );
    assert.equal(report.total.costPerCompletedTaskMicroUsd, Math.round(cost("a1", "a2", "b1", "b2", "d1") / 2));

    const byModel = (await (await fetch(`${gw.url}/admin/report?since=1h&by=model`)).json()) as ReportDocument;
    assert.deepEqual(byModel.groups.map((g) => [g.group, g.requests]), [["sim-pro", 5], ["sim-mini", 1], [null, 1]]);
    const bad = await fetch(`${gw.url}/admin/report?since=yesterday`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { param: string } }).error.param, "since");
    assert.equal((await fetch(`${gw.url}/admin/report?by=color`)).status, 400);
  });

  it("a restart on the same ledger keeps the day's budget spend", async () => {
    const before = (await (await fetch(`${gw.url}/admin/budgets`)).json()) as { data: BudgetView[] };
    const settled = Object.fromEntries(before.data.map((b) => [b.name, b.settled]));
    assert.ok((settled["budgets.daily_usd"] ?? 0) > 0);
    assert.ok((settled["budgets.routes.general.daily_usd"] ?? 0) > 0);
    assert.ok((settled["budgets.routes.general.daily_usd"] ?? 0) < (settled["budgets.daily_usd"] ?? 0));
    await gw.close();

    gw = await start(dir);
    const after = (await (await fetch(`${gw.url}/admin/budgets`)).json()) as { data: BudgetView[] };
    assert.deepEqual(Object.fromEntries(after.data.map((b) => [b.name, b.settled])), settled);
    assert.ok(after.data.every((b) => b.reserved === 0));
  });

  it("switchyard report prints the same figures", async () => {
    await gw.writer.flush();
    const env = { ...process.env, SWITCHYARD_DATA: dir };
    const json = spawnSync(process.execPath, [BIN, "report", "--since", "1h", "--json"], { env, encoding: "utf8" });
    assert.equal(json.status, 0, json.stderr);
    const fromCli = JSON.parse(json.stdout) as ReportDocument;
    const fromHttp = (await (await fetch(`${gw.url}/admin/report?since=1h`)).json()) as ReportDocument;
    assert.deepEqual(fromCli.groups, fromHttp.groups);
    assert.deepEqual(fromCli.total, fromHttp.total);

    const table = spawnSync(process.execPath, [BIN, "report", "--since", "1h", "--by", "model"], { env, encoding: "utf8" });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^MODEL\s+REQS\s+ERR%/m);
    assert.match(table.stdout, /^sim-pro\s+5\s+0\.0%/m);
    assert.match(table.stdout, /^TOTAL\s+7\s+14\.3%/m);
    assert.match(table.stdout, / 66\.7% \(3\) /);

    const bad = spawnSync(process.execPath, [BIN, "report", "--since", "soon"], { env, encoding: "utf8" });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--since: since 'soon' is neither a duration/);
  });
});

describe("feedback where gateway keys are required", () => {
  it("answers 401 as chat does without a key, and 200 with one", async () => {
    const keys = createMemoryKeyStore();
    const { secret } = await keys.create({ name: "team-a" });
    const gw = await startTestGateway(`
providers:
  simulated: { type: simulated, latency_scale: 0 }
models:
  sim-mini: { provider: simulated }
keys: { required: true }
`, {}, { keyStore: keys });
    try {
      const post = (p: string, body: unknown): Promise<Response> => fetch(`${gw.url}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const chat = await post("/v1/chat/completions", { model: "sim-mini", messages: [{ role: "user", content: "hi" }] });
      const feedback = await post("/v1/feedback", { task_id: "t", outcome: "completed" });
      assert.equal(chat.status, 401);
      assert.equal(feedback.status, 401);
      assert.deepEqual(await feedback.json(), await chat.json());
      assert.equal(feedback.headers.get("www-authenticate"), 'Bearer realm="switchyard"');
      const ok = await postFeedback(gw.url, { task_id: "t", outcome: "completed" }, { authorization: `Bearer ${secret}` });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const report = (await (await fetch(`${gw.url}/admin/report?since=1h`)).json()) as ReportDocument;
      assert.equal(report.total.requests, 1, "the refused chat request has a receipt; feedback has none");
    } finally {
      await gw.close();
    }
  });
});
