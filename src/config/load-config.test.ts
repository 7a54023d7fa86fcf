import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConfigError, loadConfigFile, parseConfigText } from "./load-config.ts";
import type { ConfigIssue, Env } from "./load-config.ts";

const BASE = `providers:
  sim: { type: simulated }
models:
  sim-pro: { provider: sim }
`;

function issuesOf(text: string, env: Env = {}, file = "test.yaml"): ConfigIssue[] {
  try {
    parseConfigText({ text, file, env });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  assert.fail("expected a ConfigError");
}

const where = (issues: ConfigIssue[]): string[] => issues.map((i) => `${i.line} ${i.path}`);

test("a minimal config loads with defaults filled in", () => {
  const { config, warnings } = parseConfigText({ text: BASE, file: "a.yaml", env: {} });
  assert.equal(config.server.port, 4141);
  assert.equal(config.storage.state, "memory");
  assert.equal(config.resilience.retry.attempts, 2);
  assert.deepEqual(config.models["sim-pro"], { provider: "sim" });
  assert.deepEqual(warnings, []);
});

test("an unknown key deep in the file names its path and line, with a suggestion", () => {
  const text = `${BASE}routes:
  extraction:
    lane: cheap
    validate:
      json_schem: true
lanes:
  cheap: [sim-pro]
`;
  const issues = issuesOf(text);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, "routes.extraction.validate.json_schem");
  assert.equal(issues[0]?.line, 9);
  assert.match(issues[0]?.message ?? "", /unknown key `json_schem` \(did you mean `json_schema`\?\)/);
});

test("wrong types and missing keys point at the offending key", () => {
  const text = `server:
  port: "eighty"
providers:
  sim: { type: simulated }
  broken:
    api_key: x
models:
  sim-pro: { provider: sim, context_window: -5 }
`;
  const issues = issuesOf(text);
  assert.deepEqual(where(issues), ["2 server.port", "5 providers.broken.type", "8 models.sim-pro.context_window"]);
  assert.match(issues[0]?.message ?? "", /expected number, received string/);
  assert.match(issues[1]?.message ?? "", /required key is missing/);
});

test("every mistake is reported at once: schema and cross-check issues together", () => {
  const text = `${BASE}  other: { provider: nobody }
routes:
  general: { model: sim-pr, retries: "two" }
  extraction: { lane: cheap }
`;
  const issues = issuesOf(text);
  assert.deepEqual(where(issues), ["5 models.other.provider", "7 routes.general.retries", "7 routes.general.model", "8 routes.extraction.lane"]);
  assert.match(issues[2]?.message ?? "", /`sim-pr` is not .*did you mean `sim-pro`/);
});

test("ConfigError.format prints file:line  path: message for every issue", () => {
  const text = `${BASE}aliases: { default: nope }\nlanes: { cheap: [sim-pro, missing] }\n`;
  try {
    parseConfigText({ text, file: "conf/switchyard.yaml", env: {} });
    assert.fail("expected a ConfigError");
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const lines = err.format().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? "", /^conf\/switchyard\.yaml:5 {2}aliases\.default: `nope` is not/);
    assert.match(lines[1] ?? "", /^conf\/switchyard\.yaml:6 {2}lanes\.cheap\[1\]: `missing` is not a configured model/);
  }
});

test("a YAML syntax error is an issue with its line", () => {
  const issues = issuesOf(`${BASE}routes:\n  general: { model: sim-pro\n`);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, "");
  assert.ok(issues[0]?.line !== null && (issues[0]?.line ?? 0) >= 6);
  assert.match(issues[0]?.message ?? "", /^syntax error/);
});

test("duplicate keys are errors", () => {
  const issues = issuesOf(`${BASE}  sim-pro: { provider: sim }\n`);
  assert.equal(issues[0]?.line, 5);
  assert.match(issues[0]?.message ?? "", /unique/);
});

test("${VAR:-default} fills values before validation; unquoted numbers stay numbers", () => {
  // Block style: in a flow mapping `{ … }` an unquoted `${…}` is not valid YAML.
  const text = `server:
  port: \${PORT:-8080}
  host: "\${HOST:-0.0.0.0}"
${BASE}aliases:
  default: \${DEFAULT_MODEL:-sim-pro}
`;
  const { config } = parseConfigText({ text, file: "a.yaml", env: {} });
  assert.equal(config.server.port, 8080);
  assert.equal(config.server.host, "0.0.0.0");
  assert.equal(config.aliases.default, "sim-pro");
  const withEnv = parseConfigText({ text, file: "a.yaml", env: { PORT: "9000", DEFAULT_MODEL: "sim-pro" } });
  assert.equal(withEnv.config.server.port, 9000);
});

test("a quoted interpolated number stays a string, and the error says to unquote it", () => {
  const issues = issuesOf(`server: { port: "\${PORT:-8080}" }\n${BASE}`);
  assert.deepEqual(where(issues), ["1 server.port"]);
  assert.match(issues[0]?.message ?? "", /write the \$\{…\} reference unquoted/);
});

test("an unset key variable of a provider in use is an error naming the variable", () => {
  const text = `providers:
  openai: { type: openai, api_key: "\${OPENAI_API_KEY}" }
models:
  gpt-5.4: { provider: openai }
`;
  const issues = issuesOf(text);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, "providers.openai.api_key");
  assert.equal(issues[0]?.line, 2);
  assert.equal(issues[0]?.message, "environment variable OPENAI_API_KEY is not set");
  const block = `providers:
  openai:
    type: openai
    api_key: \${OPENAI_API_KEY}
models:
  gpt-5.4: { provider: openai }
`;
  assert.deepEqual(where(issuesOf(block)), ["4 providers.openai.api_key"]);
  const { config } = parseConfigText({ text, file: "a.yaml", env: { OPENAI_API_KEY: "sk-test" } });
  assert.equal(config.providers.openai?.api_key, "sk-test");
});

test("a provider used only through <provider>/<model> is in use too", () => {
  const fixed = `providers:
  sim: { type: simulated }
  openai: { type: openai, api_key: "\${OPENAI_API_KEY}" }
models:
  sim-pro: { provider: sim }
aliases: { fast: openai/gpt-5.4-mini }
`;
  assert.deepEqual(where(issuesOf(fixed)), ["3 providers.openai.api_key"]);
});

test("an unset key variable of a provider no model uses is only a warning", () => {
  const text = `providers:
  sim: { type: simulated }
  gemini: { type: gemini, api_key: "\${GEMINI_API_KEY}", base_url: "\${GEMINI_BASE_URL}" }
models:
  sim-pro: { provider: sim }
`;
  const { config, warnings } = parseConfigText({ text, file: "a.yaml", env: {} });
  assert.equal(config.providers.gemini?.api_key, undefined);
  assert.equal(config.providers.gemini?.base_url, undefined);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? "", /^a\.yaml:3 {2}providers\.gemini\.api_key: environment variable GEMINI_API_KEY is not set/);
});

test("an unset variable outside providers is an error naming it (and nothing else is said about that value)", () => {
  const issues = issuesOf(`${BASE}aliases:\n  default: "\${DEFAULT_MODEL}"\n`);
  assert.deepEqual(issues.map((i) => `${i.line} ${i.path}: ${i.message}`), ["6 aliases.default: environment variable DEFAULT_MODEL is not set"]);
});

test("a malformed reference is an error", () => {
  const issues = issuesOf(`${BASE}aliases:\n  default: "\${default model}"\n`);
  assert.equal(issues[0]?.path, "aliases.default");
  assert.match(issues[0]?.message ?? "", /malformed environment reference/);
});

test("JSON configs work, with line numbers", () => {
  const text = `{
  "providers": { "sim": { "type": "simulated" } },
  "models": {
    "sim-pro": { "provider": "sim" }
  },
  "routes": { "general": { "model": "sim-pro", "timeout": 5 } }
}
`;
  const issues = issuesOf(text, {}, "switchyard.json");
  assert.deepEqual(where(issues), ["6 routes.general.timeout"]);
  const ok = parseConfigText({ text: text.replace(', "timeout": 5', ""), file: "switchyard.json", env: {} });
  assert.equal(ok.config.routes.general?.model, "sim-pro");
});

test("an alias cycle is detected and reported once", () => {
  const issues = issuesOf(`${BASE}aliases:\n  a: b\n  b: c\n  c: a\n`);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, "aliases.a");
  assert.equal(issues[0]?.line, 6);
  assert.match(issues[0]?.message ?? "", /reference cycle: alias a → alias b → alias c → alias a/);
});

test("a cycle through a route and a lane is detected", () => {
  const text = `${BASE}routes:\n  r: { lane: l }\nlanes:\n  l: [sim-pro, x]\naliases:\n  x: r\n`;
  const messages = issuesOf(text).map((i) => `${i.path}: ${i.message}`);
  const cycles = messages.filter((m) => m.includes("reference cycle"));
  assert.equal(cycles.length, 1, messages.join("\n"));
  assert.match(cycles[0] ?? "", /^aliases\.x: reference cycle: alias x → route r → lane l → alias x$/);
  assert.ok(messages.some((m) => m.startsWith("lanes.l[1]: `x` leads to route `r`")), messages.join("\n"));
});

test("`auto` is reserved for routes, aliases and models", () => {
  const text = `${BASE}  auto: { provider: sim }\naliases:\n  auto: sim-pro\nroutes:\n  auto: { model: sim-pro }\n`;
  const issues = issuesOf(text);
  assert.deepEqual(where(issues).sort(), ["5 models.auto", "7 aliases.auto", "9 routes.auto"]);
  for (const i of issues) assert.match(i.message, /reserved/);
});

test("lane members must be models, auto rules must name existing routes and lanes", () => {
  const text = `${BASE}lanes:
  cheap: [sim-pro, general]
routes:
  general: { model: sim-pro, escalate_to: nowhere }
auto:
  rules:
    - { when: { complexity: high }, route: hard }
    - { when: { task_type: code }, lane: work, model: sim-pro }
    - { model: auto }
`;
  const issues = issuesOf(text);
  assert.deepEqual(where(issues), ["6 lanes.cheap[1]", "8 routes.general.escalate_to", "11 auto.rules[0].route", "12 auto.rules[1]", "12 auto.rules[1].lane", "13 auto.rules[2].model"]);
});

test("names shared by a route, an alias and a model are warned about", () => {
  const text = `${BASE}aliases:\n  sim-pro: sim:sim-pro\n`.replace("sim:sim-pro", "sim/sim-pro");
  const { warnings } = parseConfigText({ text, file: "a.yaml", env: {} });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? "", /a\.yaml:6 {2}aliases\.sim-pro: `sim-pro` is both an alias and a model/);
});

test("sections this version does not enforce are accepted with a warning", () => {
  const text = `${BASE}budgets: { daily_usd: 50 }\nrollouts: {}\ntelemetry: { otlp: x }\nkeys: { required: auto }\n`;
  const { warnings } = parseConfigText({ text, file: "a.yaml", env: {} });
  assert.equal(warnings.length, 2);
  for (const w of warnings) assert.match(w, /accepted but not enforced by this version/);
});

test("Postgres and Redis storage are errors in this version", () => {
  const text = `${BASE}storage:\n  ledger: postgres://db/switchyard\n  state: redis://cache:6379\n`;
  assert.deepEqual(where(issuesOf(text)), ["6 storage.ledger", "7 storage.state"]);
  assert.deepEqual(where(issuesOf(`${BASE}storage:\n  ledger: "sqlite:"\n`)), ["6 storage.ledger"]);
  assert.deepEqual(where(issuesOf(`${BASE}storage:\n  ledger: ./ledger.db\n`)), ["6 storage.ledger"]);
  const ok = parseConfigText({ text: `${BASE}storage: { ledger: "sqlite:./data/l.db", state: memory }\n`, file: "a.yaml", env: {} });
  assert.equal(ok.config.storage.ledger, "sqlite:./data/l.db");
});

test("loadConfigFile reads a file; a missing file is a ConfigError", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "switchyard-config-"));
  const file = path.join(dir, "switchyard.yml");
  writeFileSync(file, BASE);
  assert.deepEqual(Object.keys(loadConfigFile(file, {}).config.models), ["sim-pro"]);
  assert.throws(() => loadConfigFile(path.join(dir, "nope.yaml"), {}), (err: unknown) => err instanceof ConfigError && /cannot read/.test(err.format()));
});

test("an empty file is a valid (if useless) config, with a warning", () => {
  const { config, warnings } = parseConfigText({ text: "# nothing yet\n", file: "a.yaml", env: {} });
  assert.deepEqual(config.models, {});
  assert.match(warnings.join("\n"), /no models are configured/);
});

test("routing settings that would never act are warned about", () => {
  const text = `${BASE}lanes:
  cheap: [sim-pro]
routes:
  quiet: { lane: cheap, escalate_to: checked, buffer_stream: true }
  checked: { lane: cheap, validate: {}, escalate_to: quiet }
`;
  const { warnings } = parseConfigText({ text, file: "a.yaml", env: {} });
  assert.ok(warnings.some((w) => /routes\.quiet\.escalate_to: never used/.test(w)), warnings.join("\n"));
  assert.ok(warnings.some((w) => /routes\.quiet\.buffer_stream: only matters with `validate`/.test(w)), warnings.join("\n"));
  assert.ok(!warnings.some((w) => /routes\.checked\.escalate_to: never used/.test(w)), warnings.join("\n"));
});

test("a deployment's provider must be configured; a model needs exactly one of provider or deployments", () => {
  const text = `providers:
  sim: { type: simulated }
models:
  multi: { deployments: [{ provider: sim }, { provider: nope }] }
  both: { provider: sim, deployments: [{ provider: sim }] }
  pinned: { upstream: x, deployments: [{ provider: sim }] }
`;
  const issues = issuesOf(text);
  const lines = issues.map((i) => `${i.line} ${i.path}: ${i.message}`).join("\n");
  assert.match(lines, /4 models\.multi\.deployments\[1\]\.provider: provider `nope` is not configured/);
  assert.match(lines, /models\.both: a model needs exactly one of `provider` or `deployments`/);
  assert.match(lines, /models\.pinned: with `deployments`, set `upstream` on each deployment instead/);
});

test("budgets: the time zone, the routes they name and where they downgrade to are checked", () => {
  const text = `${BASE}lanes:
  cheap: [sim-pro]
routes:
  coding: { model: sim-pro }
budgets:
  time_zone: Mars/Olympus
  downgrade_to: cheep
  routes:
    codin: { daily_usd: 5 }
    coding: { daily_tokens: 100, downgrade_to: cheap }
`;
  const lines = issuesOf(text).map((i) => `${i.line} ${i.path}: ${i.message}`).join("\n");
  assert.match(lines, /10 budgets\.time_zone: `Mars\/Olympus` is not a time zone/);
  assert.match(lines, /11 budgets\.downgrade_to: `cheep` is not a lane, route, alias or model/);
  assert.match(lines, /13 budgets\.routes\.codin: route `codin` is not configured \(did you mean `coding`\?\)/);
  assert.doesNotMatch(lines, /routes\.coding\.downgrade_to/);
});
