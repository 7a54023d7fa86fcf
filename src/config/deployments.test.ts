import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveModel } from "../router/resolve-model.ts";
import { balanceOf, deploymentsOf } from "./deployments.ts";
import { ConfigError, parseConfigText, type ConfigIssue } from "./load-config.ts";
import type { ModelConfig } from "./schema.ts";

function issuesOf(text: string): ConfigIssue[] {
  try {
    parseConfigText({ text, file: "deploy.yaml", env: {} });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  assert.fail("expected a ConfigError");
}

const PROVIDERS = `providers:
  openai: { type: openai, api_key: k }
  azure: { type: openai-compatible, base_url: "http://azure.example/v1", api_key: k }
`;

describe("deploymentsOf", () => {
  it("a model with `provider`: one deployment, upstream defaulting to the id, weight 1", () => {
    assert.deepEqual(deploymentsOf("gpt-5.4", { provider: "openai" }), [{ provider: "openai", upstream: "gpt-5.4", weight: 1, price: undefined }]);
  });

  it("a model with `provider` and `upstream` and a price", () => {
    const price = { input: 1, output: 2 };
    assert.deepEqual(deploymentsOf("sonnet", { provider: "anthropic", upstream: "claude-sonnet-4-6", price }), [
      { provider: "anthropic", upstream: "claude-sonnet-4-6", weight: 1, price },
    ]);
  });

  it("`deployments` in config order, with defaults and each deployment's own price before the model's", () => {
    const modelPrice = { input: 5, output: 30 };
    const ownPrice = { input: 4, output: 20 };
    const model: ModelConfig = {
      price: modelPrice,
      deployments: [
        { provider: "openai", weight: 3 },
        { provider: "azure", upstream: "gpt-54-prod", price: ownPrice },
        { provider: "openai", upstream: "gpt-5.4-2026-01-01", weight: 0.5 },
      ],
    };
    assert.deepEqual(deploymentsOf("gpt-5.4", model), [
      { provider: "openai", upstream: "gpt-5.4", weight: 3, price: modelPrice },
      { provider: "azure", upstream: "gpt-54-prod", weight: 1, price: ownPrice },
      { provider: "openai", upstream: "gpt-5.4-2026-01-01", weight: 0.5, price: modelPrice },
    ]);
  });

  it("no price anywhere: undefined (the bundled table decides)", () => {
    assert.equal(deploymentsOf("m", { deployments: [{ provider: "openai" }] })[0]?.price, undefined);
  });
});

describe("balanceOf", () => {
  const cases: { name: string; model: ModelConfig; expected: string | null }[] = [
    { name: "a single provider: none", model: { provider: "openai" }, expected: null },
    { name: "a single provider with balance set: none", model: { provider: "openai", balance: "least_latency" }, expected: null },
    { name: "one deployment: none", model: { deployments: [{ provider: "openai" }], balance: "lowest_cost" }, expected: null },
    { name: "two deployments: weighted by default", model: { deployments: [{ provider: "openai" }, { provider: "azure" }] }, expected: "weighted" },
    { name: "two deployments: least_latency", model: { deployments: [{ provider: "openai" }, { provider: "azure" }], balance: "least_latency" }, expected: "least_latency" },
    { name: "two deployments: lowest_cost", model: { deployments: [{ provider: "openai" }, { provider: "azure" }], balance: "lowest_cost" }, expected: "lowest_cost" },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(balanceOf(c.model), c.expected));
  }
});

describe("config schema: models with deployments", () => {
  it("a valid model with deployments loads, with weights, prices and balance", () => {
    const { config } = parseConfigText({
      file: "deploy.yaml",
      env: {},
      text: `${PROVIDERS}models:
  gpt-5.4:
    balance: least_latency
    deployments:
      - { provider: openai, weight: 3 }
      - { provider: azure, upstream: gpt-54-prod, weight: 1, price: { input: 2, output: 8 } }
`,
    });
    const model = config.models["gpt-5.4"] as ModelConfig;
    assert.equal(balanceOf(model), "least_latency");
    assert.deepEqual(
      deploymentsOf("gpt-5.4", model).map((d) => [d.provider, d.upstream, d.weight, d.price?.input]),
      [
        ["openai", "gpt-5.4", 3, undefined],
        ["azure", "gpt-54-prod", 1, 2],
      ],
    );
  });

  const errors: { name: string; models: string; path: string; line: number; message: RegExp }[] = [
    {
      name: "neither `provider` nor `deployments`",
      models: "  lonely: { price: { input: 1, output: 1 } }\n",
      path: "models.lonely",
      line: 5,
      message: /^a model needs exactly one of `provider` or `deployments`$/,
    },
    {
      name: "both `provider` and `deployments`",
      models: "  both:\n    provider: openai\n    deployments: [{ provider: azure }]\n",
      path: "models.both",
      line: 5,
      message: /^a model needs exactly one of `provider` or `deployments`$/,
    },
    {
      name: "`upstream` beside `deployments`",
      models: "  pinned:\n    upstream: gpt-54-prod\n    deployments:\n      - { provider: openai }\n      - { provider: azure }\n",
      path: "models.pinned",
      line: 5,
      message: /^with `deployments`, set `upstream` on each deployment instead$/,
    },
    {
      name: "an empty deployments list",
      models: "  empty: { deployments: [] }\n",
      path: "models.empty.deployments",
      line: 5,
      message: /^expected array to have >=1 items$/,
    },
    {
      name: "a deployment without a provider",
      models: "  m:\n    deployments:\n      - { provider: openai }\n      - { upstream: x }\n",
      path: "models.m.deployments[1].provider",
      line: 8,
      message: /^required key is missing \(expected string\)$/,
    },
    {
      name: "a deployment naming an unknown provider",
      models: "  m:\n    deployments:\n      - { provider: openai }\n      - { provider: azur }\n",
      path: "models.m.deployments[1].provider",
      line: 8,
      message: /^provider `azur` is not configured \(did you mean `azure`\?\)$/,
    },
    {
      name: "an unknown key in a deployment",
      models: "  m:\n    deployments:\n      - { provider: openai, wieght: 2 }\n",
      path: "models.m.deployments[0].wieght",
      line: 7,
      message: /unknown key `wieght` \(did you mean `weight`\?\)/,
    },
    {
      name: "a weight of 0",
      models: "  m:\n    deployments:\n      - { provider: openai, weight: 0 }\n      - { provider: azure }\n",
      path: "models.m.deployments[0].weight",
      line: 7,
      message: /^expected number to be >0$/,
    },
    {
      name: "an unknown balance strategy",
      models: "  m:\n    balance: round_robin\n    deployments: [{ provider: openai }, { provider: azure }]\n",
      path: "models.m.balance",
      line: 6,
      message: /^expected one of "weighted"\|"least_latency"\|"lowest_cost"$/,
    },
  ];
  for (const e of errors) {
    it(`error: ${e.name} — names the path and line`, () => {
      const issues = issuesOf(`${PROVIDERS}models:\n${e.models}`);
      assert.equal(issues.length, 1, issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
      const issue = issues[0] as ConfigIssue;
      assert.equal(issue.file, "deploy.yaml");
      assert.equal(issue.path, e.path);
      assert.equal(issue.line, e.line);
      assert.match(issue.message, e.message);
    });
  }

  it("`provider`, `upstream` and `deployments` together: both rules are reported", () => {
    const issues = issuesOf(`${PROVIDERS}models:\n  both:\n    provider: openai\n    upstream: x\n    deployments: [{ provider: azure }]\n`);
    assert.deepEqual(
      issues.map((i) => [i.path, i.line, i.message]),
      [
        ["models.both", 5, "a model needs exactly one of `provider` or `deployments`"],
        ["models.both", 5, "with `deployments`, set `upstream` on each deployment instead"],
      ],
    );
  });

  it("`balance` on a model with one deployment loads, with a warning", () => {
    const { warnings } = parseConfigText({ file: "deploy.yaml", env: {}, text: `${PROVIDERS}models:\n  m:\n    balance: lowest_cost\n    deployments: [{ provider: openai }]\n` });
    assert.ok(
      warnings.some((w) => w === "deploy.yaml:6  models.m.balance: `balance` only matters for a model with two or more `deployments`"),
      warnings.join("\n"),
    );
  });

  it("a lane member with deployments resolves to one target per deployment", () => {
    const { config } = parseConfigText({
      file: "deploy.yaml",
      env: {},
      text: `${PROVIDERS}models:
  m:
    deployments: [{ provider: openai, weight: 3 }, { provider: azure, upstream: m-prod }]
  solo: { provider: openai }
lanes: { work: [solo, m] }
routes: { r: { lane: work } }
`,
    });
    const plan = resolveModel(config, "r", { taskType: null, complexity: null });
    assert.deepEqual(plan.targets, [
      { modelId: "solo", provider: "openai", upstreamModel: "solo" },
      { modelId: "m", provider: "openai", upstreamModel: "m", balance: { strategy: "weighted", weight: 3 } },
      { modelId: "m", provider: "azure", upstreamModel: "m-prod", balance: { strategy: "weighted", weight: 1 } },
    ]);
  });
});
