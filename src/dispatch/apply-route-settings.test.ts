import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import type { ChatRequest } from "../core/request.ts";
import { resolveModel } from "../router/resolve-model.ts";
import { applyRouteSettings } from "./apply-route-settings.ts";

const { config } = parseConfigText({
  file: "test.yaml",
  env: {},
  text: `
providers: { sim: { type: simulated } }
models: { m: { provider: sim } }
aliases: { to-capped: capped }
lanes: { one: [m] }
routes:
  capped: { model: m, max_output_tokens: 512, temperature: 0.2 }
  laned: { lane: one, max_output_tokens: 64 }
  warm: { model: m, temperature: 0.9 }
  plain: { model: m }
auto:
  rules:
    - { when: { complexity: high }, route: capped }
    - { lane: one }
`,
});

const request = (fields: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "m",
  messages: [{ role: "user", content: "hi" }],
  stream: false,
  extra: {},
  ...fields,
});

interface Case {
  name: string;
  /** The model field, resolved with `complexity` as the only signal. */
  model: string;
  complexity?: string;
  given: Partial<ChatRequest>;
  temperature: number | undefined;
  maxOutputTokens: number | undefined;
  warnings?: string[];
}

const cases: Case[] = [
  { name: "route defaults fill what the client left out", model: "capped", given: {}, temperature: 0.2, maxOutputTokens: 512 },
  { name: "the client's temperature wins over the route's", model: "capped", given: { temperature: 1.5 }, temperature: 1.5, maxOutputTokens: 512 },
  { name: "temperature 0 is a value, not absent", model: "capped", given: { temperature: 0 }, temperature: 0, maxOutputTokens: 512 },
  { name: "a smaller ask stays, no warning", model: "capped", given: { maxOutputTokens: 100 }, temperature: 0.2, maxOutputTokens: 100 },
  { name: "an ask equal to the cap stays, no warning", model: "capped", given: { maxOutputTokens: 512 }, temperature: 0.2, maxOutputTokens: 512 },
  {
    name: "a larger ask is clamped, with a warning",
    model: "capped",
    given: { maxOutputTokens: 4096 },
    temperature: 0.2,
    maxOutputTokens: 512,
    warnings: ["max_tokens 4096 clamped to route capped's max_output_tokens 512"],
  },
  { name: "a lane route's cap", model: "laned", given: {}, temperature: undefined, maxOutputTokens: 64 },
  { name: "a route with only a temperature leaves max tokens alone", model: "warm", given: { maxOutputTokens: 9999 }, temperature: 0.9, maxOutputTokens: 9999 },
  { name: "an alias of a route gets the route's settings", model: "to-capped", given: { maxOutputTokens: 1000 }, temperature: 0.2, maxOutputTokens: 512, warnings: ["max_tokens 1000 clamped to route capped's max_output_tokens 512"] },
  { name: "auto → a route gets the route's settings", model: "auto", complexity: "high", given: {}, temperature: 0.2, maxOutputTokens: 512 },
];

for (const c of cases) {
  test(`applyRouteSettings: ${c.name}`, () => {
    const plan = resolveModel(config, c.model, { taskType: null, complexity: c.complexity ?? null });
    const warnings: string[] = [];
    const input = request(c.given);
    const snapshot = structuredClone(input);
    const out = applyRouteSettings(config, plan, input, warnings);
    assert.equal(out.temperature, c.temperature);
    assert.equal(out.maxOutputTokens, c.maxOutputTokens);
    assert.deepEqual(warnings, c.warnings ?? []);
    assert.deepEqual(input, snapshot, "the request passed in is not changed");
    assert.deepEqual(out.messages, input.messages);
  });
}

const untouched: { name: string; model: string; complexity?: string }[] = [
  { name: "a route without settings", model: "plain" },
  { name: "a model id (no route)", model: "m" },
  { name: "provider/model (no route)", model: "sim/raw" },
  { name: "auto → a lane (no route)", model: "auto" },
];
for (const c of untouched) {
  test(`applyRouteSettings: ${c.name} returns the request as it was`, () => {
    const plan = resolveModel(config, c.model, { taskType: null, complexity: c.complexity ?? null });
    const input = request({ maxOutputTokens: 100_000 });
    const warnings: string[] = [];
    assert.equal(applyRouteSettings(config, plan, input, warnings), input);
    assert.deepEqual(warnings, []);
  });
}

test("applyRouteSettings appends to the warnings it is given", () => {
  const warnings = ["earlier"];
  applyRouteSettings(config, resolveModel(config, "capped", { taskType: null, complexity: null }), request({ maxOutputTokens: 513 }), warnings);
  assert.deepEqual(warnings, ["earlier", "max_tokens 513 clamped to route capped's max_output_tokens 512"]);
});
