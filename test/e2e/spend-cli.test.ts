import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import type { SpendDocument } from "../../src/cli/spend-command.ts";
import { parseConfigText } from "../../src/config/load-config.ts";
import type { Receipt } from "../../src/ledger/receipt.ts";
import { openSqliteReceiptStore } from "../../src/ledger/sqlite-receipt-store.ts";
import { startGateway } from "../../src/main.ts";
import type { BudgetView } from "../../src/server/handle-admin-budgets.ts";
import { keyStorePathFor, openSqliteKeyStore } from "../../src/state/sqlite-key-store.ts";

const BIN = fileURLToPath(new URL("../../bin/switchyard.js", import.meta.url));

const CONFIG = `
providers:
  simulated: { type: simulated, seed: 9, latency_scale: 0 }
models:
  sim-mini: { provider: simulated, price: { input: 0.15, output: 0.6 } }
  sim-pro:  { provider: simulated, price: { input: 1.25, output: 10 } }
routes:
  general: { model: sim-pro }
  extraction: { model: sim-mini }
keys: { required: false }
budgets:
  time_zone: America/New_York
  daily_usd: 5
  monthly_tokens: 2000000
  routes: { general: { daily_usd: 2, daily_tokens: 100000 } }
`;

describe("switchyard spend", () => {
  let dir: string;
  let configFile: string;
  let receipts: Receipt[];
  let keyId: string;
  let budgetsBefore: BudgetView[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "switchyard-spend-"));
    configFile = path.join(dir, "switchyard.yaml");
    writeFileSync(configFile, CONFIG);
    const ledgerPath = path.join(dir, "ledger.db");
    const keys = openSqliteKeyStore(keyStorePathFor(ledgerPath));
    const { secret, record } = await keys.create({ name: "team-a", budget: { daily_usd: 1 } });
    keyId = record.id;
    await keys.create({ name: "no-budget" });
    await keys.close();

    const { config } = parseConfigText({ text: CONFIG, file: configFile, env: {} });
    const gw = await startGateway({ config, ledgerPath, port: 0, host: "127.0.0.1" });
    const ask = (model: string, apiKey = "none") =>
      new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 }).chat.completions.create({ model, max_tokens: 80, messages: [{ role: "user", content: `Tell me about ${model}.` }] });
    await ask("general");
    await ask("general", secret);
    await ask("extraction", secret);
    await ask("extraction");
    budgetsBefore = ((await (await fetch(`${gw.url}/admin/budgets`)).json()) as { data: BudgetView[] }).data;
    await gw.close();
    const store = openSqliteReceiptStore(ledgerPath);
    receipts = await store.list({ limit: 100 });
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], data = dir) => spawnSync(process.execPath, [BIN, "spend", ...args], { env: { ...process.env, SWITCHYARD_DATA: data }, encoding: "utf8" });
  const sum = (pick: (r: Receipt) => boolean, of: (r: Receipt) => number) => receipts.filter(pick).reduce((s, r) => s + of(r), 0);
  const cost = (r: Receipt): number => r.costMicroUsd ?? Number.NaN;
  const tokens = (r: Receipt): number => (r.inputTokens ?? 0) + (r.outputTokens ?? 0);

  it("shows today's and this month's spend against every budget: global, per route, per key", () => {
    assert.equal(receipts.length, 4);
    const res = run(["--config", configFile, "--json"]);
    assert.equal(res.status, 0, res.stderr);
    const doc = JSON.parse(res.stdout) as SpendDocument;
    assert.equal(doc.timeZone, "America/New_York");
    assert.deepEqual(doc.scopes.map((s) => `${s.scope}:${s.name}`), ["global:global", "route:general", "route:extraction", "key:team-a", "key:no-budget"]);
    const [global, general, extraction, teamA, noBudget] = doc.scopes;

    assert.equal(global?.day.usd.spent, sum(() => true, cost));
    assert.equal(global?.day.usd.limit, 5_000_000);
    assert.equal(global?.day.usd.budget, "budgets.daily_usd");
    assert.equal(global?.month.tokens.spent, sum(() => true, tokens));
    assert.equal(global?.month.tokens.limit, 2_000_000);
    assert.equal(global?.month.usd.limit, null, "no monthly USD budget: the total alone");
    assert.equal(global?.day.requests, 4);
    assert.match(global?.day.window.resets ?? "", /^\d{4}-\d\d-\d\dT0[45]:00:00\.000Z$/, "midnight in New York");

    assert.equal(general?.day.usd.spent, sum((r) => r.route === "general", cost));
    assert.equal(general?.day.usd.limit, 2_000_000);
    assert.equal(general?.day.tokens.spent, sum((r) => r.route === "general", tokens));
    assert.equal(general?.day.tokens.limit, 100_000);
    assert.equal(extraction?.day.usd.spent, sum((r) => r.route === "extraction", cost));
    assert.equal(extraction?.day.usd.limit, null);

    assert.equal(teamA?.keyId, keyId);
    assert.equal(teamA?.day.usd.spent, sum((r) => r.keyId === keyId, cost));
    assert.equal(teamA?.day.usd.limit, 1_000_000);
    assert.equal(noBudget?.day.usd.spent, 0);

    // The same spend the running gateway had counted, and its pace within rounding.
    for (const [line, amount] of [["budgets.daily_usd", global?.day.usd], ["budgets.routes.general.daily_usd", general?.day.usd], ["budgets.routes.general.daily_tokens", general?.day.tokens]] as const) {
      const view = budgetsBefore.find((b) => b.name === line);
      assert.equal(view?.settled, amount?.spent, line);
      assert.ok(Math.abs((view?.paceRatio ?? 0) - (amount?.paceRatio ?? -1)) < 0.01, `${line}: pace ${view?.paceRatio} vs ${amount?.paceRatio}`);
    }
  });

  it("prints a table", () => {
    const res = run(["--config", configFile]);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /in America\/New_York/);
    assert.match(res.stdout, /^SCOPE\s+PERIOD\s+USD SPENT \/ LIMIT\s+PACE\s+TOKENS SPENT \/ LIMIT\s+PACE\s+REQS\s+RESETS$/m);
    assert.match(res.stdout, /^global\s+\d{4}-\d\d-\d\d\s+0\.\d{6} \/ 5\.000000\s+\d+\.\d\d×/m);
    assert.match(res.stdout, /^route:general\s+/m);
    assert.match(res.stdout, /^key:team-a\s+\d{4}-\d\d-\d\d\s+0\.\d{6} \/ 1\.000000/m);
  });

  it("with no ledger yet: zeros, and says so", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "switchyard-spend-empty-"));
    try {
      const res = run(["--config", configFile, "--json"], empty);
      assert.equal(res.status, 0, res.stderr);
      const doc = JSON.parse(res.stdout) as SpendDocument;
      assert.deepEqual(doc.scopes.map((s) => s.day.usd.spent), [0, 0, 0]);
      const table = run(["--config", configFile], empty);
      assert.match(table.stderr, /No ledger at .* yet/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
