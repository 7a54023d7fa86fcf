import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import type { Config } from "../config/schema.ts";
import { GatewayError } from "../core/errors.ts";
import type { Plan } from "./plan.ts";
import { modelFieldNames, resolveModel, type AutoSignals } from "./resolve-model.ts";

const configOf = (text: string): Config => parseConfigText({ text, file: "test.yaml", env: {} }).config;

const CONFIG = configOf(`
providers:
  sim: { type: simulated }
  alt: { type: simulated }
models:
  sim-pro: { provider: sim }
  sim-mini: { provider: sim, upstream: sim-mini-2026 }
  alt-large: { provider: alt, upstream: large-v2 }
aliases:
  default: sim-pro
  candidate: default
  stable: candidate
  to-route: coding
  direct: alt/raw-model
lanes:
  cheap: [sim-mini, alt-large]
  work: [default, sim-mini]
routes:
  coding: { lane: cheap }
  qna: { model: default }
  pinned: { model: sim-pro }
  passthrough: { model: alt/raw }
auto:
  rules:
    - { when: { task_type: code }, route: coding }
    - { when: { task_type: review, complexity: high }, model: alt-large }
    - { when: { complexity: high }, lane: work }
    - { when: { complexity: medium }, model: candidate }
    - { lane: cheap }
`);

const NO_SIGNALS: AutoSignals = { taskType: null, complexity: null };

/** `model@provider→upstream`, so a table row reads as the fallback chain it expects. */
const chain = (plan: Plan): string[] => plan.targets.map((t) => `${t.modelId}@${t.provider}→${t.upstreamModel}`);

interface Case {
  name: string;
  model: string;
  signals?: AutoSignals;
  resolvedBy: Plan["resolvedBy"];
  route?: string | null;
  lane?: string | null;
  alias?: string | null;
  targets: string[];
  auto?: Plan["auto"];
}

const SIM_PRO = "sim-pro@sim→sim-pro";
const SIM_MINI = "sim-mini@sim→sim-mini-2026";
const ALT_LARGE = "alt-large@alt→large-v2";

const cases: Case[] = [
  // 1. auto: rules in order, `when` on task type and complexity, the default rule last.
  {
    name: "auto: task_type code → route (first matching rule wins over later ones)",
    model: "auto",
    signals: { taskType: "code", complexity: "high" },
    resolvedBy: "auto",
    route: "coding",
    lane: "cheap",
    targets: [SIM_MINI, ALT_LARGE],
    auto: { rule: 0, taskType: "code", complexity: "high" },
  },
  {
    name: "auto: a rule with two conditions needs both",
    model: "auto",
    signals: { taskType: "review", complexity: "high" },
    resolvedBy: "auto",
    targets: [ALT_LARGE],
    auto: { rule: 1, taskType: "review", complexity: "high" },
  },
  {
    name: "auto: one of two conditions is not enough",
    model: "auto",
    signals: { taskType: "review", complexity: "low" },
    resolvedBy: "auto",
    lane: "cheap",
    targets: [SIM_MINI, ALT_LARGE],
    auto: { rule: 4, taskType: "review", complexity: "low" },
  },
  {
    name: "auto: complexity high → lane, expanded in order (an alias member included)",
    model: "auto",
    signals: { taskType: null, complexity: "high" },
    resolvedBy: "auto",
    route: null,
    lane: "work",
    targets: [SIM_PRO, SIM_MINI],
    auto: { rule: 2, taskType: null, complexity: "high" },
  },
  {
    name: "auto: complexity medium → model reference through chained aliases",
    model: "auto",
    signals: { taskType: "chat", complexity: "medium" },
    resolvedBy: "auto",
    alias: "candidate",
    targets: [SIM_PRO],
    auto: { rule: 3, taskType: "chat", complexity: "medium" },
  },
  {
    name: "auto: no signals → the default rule",
    model: "auto",
    resolvedBy: "auto",
    route: null,
    lane: "cheap",
    targets: [SIM_MINI, ALT_LARGE],
    auto: { rule: 4, taskType: null, complexity: null },
  },
  // 2. routes.
  { name: "route with a lane", model: "coding", resolvedBy: "route", route: "coding", lane: "cheap", alias: null, targets: [SIM_MINI, ALT_LARGE] },
  { name: "route with a model", model: "pinned", resolvedBy: "route", route: "pinned", lane: null, alias: null, targets: [SIM_PRO] },
  { name: "route whose model is an alias", model: "qna", resolvedBy: "route", route: "qna", lane: null, alias: "default", targets: [SIM_PRO] },
  {
    name: "route whose model is provider/model",
    model: "passthrough",
    resolvedBy: "route",
    route: "passthrough",
    targets: ["alt/raw@alt→raw"],
  },
  // 3. aliases.
  { name: "alias of a model", model: "default", resolvedBy: "alias", route: null, lane: null, alias: "default", targets: [SIM_PRO] },
  { name: "alias of an alias", model: "candidate", resolvedBy: "alias", alias: "candidate", targets: [SIM_PRO] },
  { name: "alias chained twice", model: "stable", resolvedBy: "alias", alias: "stable", targets: [SIM_PRO] },
  { name: "alias of a route", model: "to-route", resolvedBy: "alias", alias: "to-route", route: "coding", lane: "cheap", targets: [SIM_MINI, ALT_LARGE] },
  { name: "alias of provider/model", model: "direct", resolvedBy: "alias", alias: "direct", targets: ["alt/raw-model@alt→raw-model"] },
  // 4. model ids.
  { name: "model id without upstream: sent as its own id", model: "sim-pro", resolvedBy: "model", route: null, lane: null, alias: null, targets: [SIM_PRO] },
  { name: "model id with upstream: sent as the upstream id", model: "sim-mini", resolvedBy: "model", targets: [SIM_MINI] },
  { name: "model id on another provider", model: "alt-large", resolvedBy: "model", targets: [ALT_LARGE] },
  // 5. <provider>/<model>.
  { name: "provider/model of a configured provider", model: "alt/anything", resolvedBy: "provider_model", route: null, lane: null, alias: null, targets: ["alt/anything@alt→anything"] },
  { name: "provider/model bypasses the configured model's upstream", model: "sim/sim-mini", resolvedBy: "provider_model", targets: ["sim/sim-mini@sim→sim-mini"] },
  { name: "provider/model: the upstream id may itself contain a slash", model: "sim/meta-llama/llama-4", resolvedBy: "provider_model", targets: ["sim/meta-llama/llama-4@sim→meta-llama/llama-4"] },
];

for (const c of cases) {
  test(`resolves ${c.name}`, () => {
    const plan = resolveModel(CONFIG, c.model, c.signals ?? NO_SIGNALS);
    assert.equal(plan.resolvedBy, c.resolvedBy);
    assert.deepEqual(chain(plan), c.targets);
    if (c.route !== undefined) assert.equal(plan.route, c.route, "route");
    if (c.lane !== undefined) assert.equal(plan.lane, c.lane, "lane");
    if (c.alias !== undefined) assert.equal(plan.alias, c.alias, "alias");
    assert.deepEqual(plan.auto, c.auto === undefined ? undefined : { ...c.auto, source: "header" });
  });
}

function notFound(config: Config, model: string, signals: AutoSignals = NO_SIGNALS): GatewayError {
  let plan: Plan;
  try {
    plan = resolveModel(config, model, signals);
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.kind, "model_not_found", err.message);
    assert.equal(err.status, 404);
    assert.equal(err.code, "model_not_found");
    assert.equal(err.param, "model");
    return err;
  }
  assert.fail(`'${model}' must not resolve, but resolved to ${JSON.stringify(chain(plan))}`);
}

interface NotFoundCase {
  name: string;
  model: string;
  /** The message's suggestions start with these ids, in this order. */
  suggests?: string[];
  message?: RegExp;
  todo?: string;
}


const notFoundCases: NotFoundCase[] = [
  { name: "a near miss names the closest id", model: "sim-pr", suggests: ["sim-pro"] },
  { name: "a typo in a route names the route", model: "codng", suggests: ["coding"] },
  { name: "case differs: not silently the configured model", model: "SIM-PRO", suggests: ["sim-pro"] },
  { name: "surrounding space: not silently the configured model", model: " sim-pro", suggests: ["sim-pro"] },
  { name: "an unconfigured provider", model: "unknown/x", message: /'<provider>\/<model>' \(providers: sim, alt\)/ },
  { name: "a provider with no model after the slash", model: "sim/" },
  { name: "a slash with no provider", model: "/sim-pro" },
  { name: "a lane is not a model field name", model: "cheap" },
  { name: "the empty string", model: "" },
  { name: "nothing close: no suggestion", model: "zzzzzzzzzz", message: /^The model 'zzzzzzzzzz' does not exist on this gateway\. A configured/ },
  { name: "Object.prototype name: constructor", model: "constructor" },
  { name: "Object.prototype name: toString", model: "toString" },
  { name: "Object.prototype name: __proto__", model: "__proto__" },
];

for (const c of notFoundCases) {
  test(`404 for ${c.name}`, c.todo === undefined ? {} : { todo: c.todo }, () => {
    const err = notFound(CONFIG, c.model);
    assert.match(err.message, new RegExp(`The model '${c.model.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}' does not exist`));
    if (c.suggests) assert.match(err.message, new RegExp(`Did you mean ${c.suggests.map((s) => `'${s}'`).join(", ")}[,?]`));
    if (c.message) assert.match(err.message, c.message);
    assert.equal(err.toOpenAI().error.code, "model_not_found");
  });
}

test("404 suggestions rank the closest first", () => {
  const err = notFound(CONFIG, "sim-min");
  assert.match(err.message, /Did you mean 'sim-mini'/);
});

test("auto without an auto section → 404 saying how to configure it", () => {
  const config = configOf("providers: { sim: { type: simulated } }\nmodels: { m: { provider: sim } }\n");
  const err = notFound(config, "auto");
  assert.match(err.message, /`model: auto` is not configured: add an `auto.rules` list/);
});

test("auto with an empty rule list → 404", () => {
  const config = configOf("providers: { sim: { type: simulated } }\nmodels: { m: { provider: sim } }\nauto: { rules: [] }\n");
  assert.match(notFound(config, "auto").message, /not configured/);
});

test("auto where no rule matches → 404 suggesting a default rule, never the first rule", () => {
  const config = configOf(`
providers: { sim: { type: simulated } }
models: { m: { provider: sim }, n: { provider: sim } }
auto:
  rules:
    - { when: { task_type: code }, model: m }
    - { when: { complexity: high }, model: n }
`);
  assert.equal(resolveModel(config, "auto", { taskType: "code", complexity: null }).targets[0]?.modelId, "m");
  assert.equal(resolveModel(config, "auto", { taskType: null, complexity: "high" }).targets[0]?.modelId, "n");
  for (const signals of [NO_SIGNALS, { taskType: "chat", complexity: "low" }]) {
    assert.match(notFound(config, "auto", signals).message, /No `auto.rules` entry matched.*default/);
  }
});

test("precedence: a route shadows an alias, an alias shadows a model, a model id shadows provider/model", () => {
  const config = configOf(`
providers: { sim: { type: simulated }, alt: { type: simulated } }
models:
  sim-pro: { provider: sim }
  sim-mini: { provider: sim }
  twin: { provider: sim }
  sim/special: { provider: alt, upstream: special-on-alt }
aliases:
  both: sim-mini
  twin: sim-pro
routes:
  both: { model: sim-pro }
`);
  const both = resolveModel(config, "both", NO_SIGNALS);
  assert.equal(both.resolvedBy, "route");
  assert.deepEqual(chain(both), ["sim-pro@sim→sim-pro"]);
  const twin = resolveModel(config, "twin", NO_SIGNALS);
  assert.equal(twin.resolvedBy, "alias");
  assert.deepEqual(chain(twin), ["sim-pro@sim→sim-pro"]);
  const special = resolveModel(config, "sim/special", NO_SIGNALS);
  assert.equal(special.resolvedBy, "model");
  assert.deepEqual(chain(special), ["sim/special@alt→special-on-alt"]);
});

test("resolving does not change the config", () => {
  const before = JSON.stringify(CONFIG);
  for (const c of cases) resolveModel(CONFIG, c.model, c.signals ?? NO_SIGNALS);
  assert.equal(JSON.stringify(CONFIG), before);
});

test("modelFieldNames lists auto (when it has rules), routes, aliases and models, once each", () => {
  assert.deepEqual(modelFieldNames(CONFIG), [
    "auto", "coding", "qna", "pinned", "passthrough", "default", "candidate", "stable", "to-route", "direct", "sim-pro", "sim-mini", "alt-large",
  ]);
  const noAuto = configOf("providers: { sim: { type: simulated } }\nmodels: { m: { provider: sim } }\n");
  assert.deepEqual(modelFieldNames(noAuto), ["m"]);
});

test("a model with several deployments expands to one target each, in config order, with its balance strategy", () => {
  const config = parseConfigText({
    file: "t.yaml",
    env: {},
    text: `
providers: { a: { type: simulated }, b: { type: simulated } }
models:
  m: { deployments: [{ provider: a, weight: 3 }, { provider: b, upstream: m-b }], balance: least_latency }
  single: { deployments: [{ provider: b }] }
`,
  }).config;
  const plan = resolveModel(config, "m", NO_SIGNALS);
  assert.deepEqual(plan.targets, [
    { modelId: "m", provider: "a", upstreamModel: "m", balance: { strategy: "least_latency", weight: 3 } },
    { modelId: "m", provider: "b", upstreamModel: "m-b", balance: { strategy: "least_latency", weight: 1 } },
  ]);
  assert.deepEqual(resolveModel(config, "single", NO_SIGNALS).targets, [{ modelId: "single", provider: "b", upstreamModel: "single" }]);
});

