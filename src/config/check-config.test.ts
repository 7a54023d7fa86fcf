import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { checkConfig, formatCheckReport } from "./check-config.ts";
import type { ListModels } from "./check-config.ts";

const CONFIG = `providers:
  openai: { type: openai, api_key: "\${OPENAI_API_KEY}" }
  deepseek: { type: openai-compatible, base_url: https://api.deepseek.com/v1, api_key: "\${DEEPSEEK_API_KEY}" }
  sim: { type: simulated }
models:
  gpt-5.4: { provider: openai }
  gpt-5.4-mini: { provider: openai, upstream: gpt-5.4-mni }
  deepseek-v4-pro: { provider: deepseek }
  sim-pro: { provider: sim }
aliases:
  fast: openai/gpt-4.1-mini
  old: openai/gpt-4o-mini
`;
const ENV = { OPENAI_API_KEY: "sk-o", DEEPSEEK_API_KEY: "sk-d" };

function writeConfig(text: string, name = "switchyard.yaml"): string {
  const dir = mkdtempSync(path.join(tmpdir(), "switchyard-check-"));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const SERVED: Record<string, string[] | null> = {
  openai: ["gpt-5.5", "gpt-5.4", "gpt-5.4-mini", "gpt-4.1-mini", "gpt-4.1"],
  deepseek: ["deepseek-chat", "deepseek-reasoner"],
  sim: null,
};
const listModels: ListModels = async (name) => {
  const served = SERVED[name];
  if (served === undefined) throw new Error(`unexpected provider ${name}`);
  return served;
};

test("offline: a valid config is ok and no provider is asked", async () => {
  const file = writeConfig(CONFIG);
  let calls = 0;
  const report = await checkConfig({ path: file, env: ENV, listModels: async () => (calls++, []) });
  assert.equal(report.ok, true);
  assert.equal(report.online, undefined);
  assert.equal(calls, 0);
  // The one warning: sim-pro has no price (see below).
  assert.match(formatCheckReport(report), /0 errors, 1 warning\n {2}warning .*models\.sim-pro: no price is known.*\nok$/);
});

test("offline: every config error at once, ok false", async () => {
  const file = writeConfig(`${CONFIG}routes:\n  r: { lane: nope, retries: x }\n`);
  const report = await checkConfig({ path: file, env: {}, online: true, listModels });
  assert.equal(report.ok, false);
  assert.equal(report.online, undefined, "no online check of a broken config");
  assert.deepEqual(report.errors.map((e) => `${e.line} ${e.path}`), [
    "2 providers.openai.api_key",
    "3 providers.deepseek.api_key",
    "14 routes.r.retries",
    "14 routes.r.lane",
  ]);
  const text = formatCheckReport(report);
  assert.match(text, /4 errors/);
  assert.match(text, /FAILED$/);
});

test("online: ids a provider does not serve are flagged with the closest ids it does serve", async () => {
  const file = writeConfig(CONFIG);
  const report = await checkConfig({ path: file, env: ENV, online: true, listModels });
  assert.equal(report.ok, false);
  const byName = new Map(report.online?.map((p) => [p.provider, p]));
  const openai = byName.get("openai");
  assert.equal(openai?.ok, false);
  assert.equal(openai?.checked, 4);
  assert.deepEqual(openai?.unknownModels, [
    { model: "gpt-5.4-mini", upstream: "gpt-5.4-mni", path: "models.gpt-5.4-mini.upstream", line: 7, suggestions: ["gpt-5.4-mini", "gpt-4.1-mini", "gpt-5.4"] },
    { model: "openai/gpt-4o-mini", upstream: "gpt-4o-mini", path: "aliases.old", line: 12, suggestions: ["gpt-4.1-mini", "gpt-5.4-mini", "gpt-4.1"] },
  ]);
  const deepseek = byName.get("deepseek");
  assert.equal(deepseek?.unknownModels[0]?.upstream, "deepseek-v4-pro");
  assert.deepEqual(deepseek?.unknownModels[0]?.suggestions, ["deepseek-chat", "deepseek-reasoner"]);
  assert.deepEqual(byName.get("sim"), { provider: "sim", ok: true, listed: false, checked: 1, unknownModels: [] });
  const text = formatCheckReport(report);
  assert.match(text, /switchyard\.yaml:7 {2}models\.gpt-5\.4-mini\.upstream: openai does not serve `gpt-5\.4-mni`; closest it serves: gpt-5\.4-mini/);
  assert.match(text, /sim: its API has no model list; 1 id not verified/);
});

test("online: a provider whose list cannot be fetched fails the check with the reason", async () => {
  const file = writeConfig(`providers:\n  openai: { type: openai, api_key: k }\nmodels:\n  gpt-5.4: { provider: openai }\n`);
  const report = await checkConfig({
    path: file,
    env: {},
    online: true,
    listModels: async () => {
      throw new Error("401 invalid api key");
    },
  });
  assert.equal(report.ok, false);
  assert.deepEqual(report.online, [{ provider: "openai", ok: false, listed: false, checked: 1, error: "401 invalid api key", unknownModels: [] }]);
  assert.match(formatCheckReport(report), /openai: could not list models: 401 invalid api key/);
});

test("online: all ids served is ok; JSON configs are checked the same way", async () => {
  const file = writeConfig(JSON.stringify({ providers: { openai: { type: "openai", api_key: "k" } }, models: { "gpt-5.5": { provider: "openai" } } }, null, 2), "s.json");
  const report = await checkConfig({ path: file, env: {}, online: true, listModels });
  assert.equal(report.ok, true);
  assert.match(formatCheckReport(report), /openai: 1 id, all served\nok$/);
});

test("a model whose price is unknown is a warning naming it: its receipts will say cost unknown", async () => {
  // gpt-5.4-mini's upstream id is misspelt, but its model id still finds the bundled price.
  const report = await checkConfig({ path: writeConfig(CONFIG), env: ENV });
  assert.equal(report.ok, true);
  const priceWarnings = report.warnings.filter((w) => w.includes("no price is known"));
  assert.deepEqual(
    priceWarnings.map((w) => w.replace(/^.*switchyard\.yaml:/, "")),
    [
      "9  models.sim-pro: no price is known for `sim-pro`: its receipts will say the cost is unknown and USD budgets will not count it; set `price` (USD per 1M tokens)",
    ],
  );
});
