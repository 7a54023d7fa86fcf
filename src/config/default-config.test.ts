import { test } from "node:test";
import assert from "node:assert/strict";
import { SIMULATED_MODELS } from "../providers/simulated/catalogue.ts";
import { viewConfig } from "./config-view.ts";
import { crossCheck } from "./cross-check.ts";
import { defaultConfigFromEnv } from "./default-config.ts";
import type { Config } from "./schema.ts";

function assertConsistent(config: Config): void {
  const { errors } = crossCheck(viewConfig(config));
  assert.deepEqual(errors, []);
}

test("no key in the environment: the simulated config", () => {
  const { config, description } = defaultConfigFromEnv({});
  assert.deepEqual(Object.keys(config.providers), ["simulated"]);
  assert.equal(config.providers.simulated?.type, "simulated");
  assert.deepEqual(Object.keys(config.models), ["sim-mini", "sim-pro", "sim-frontier"]);
  const pro = SIMULATED_MODELS.find((m) => m.id === "sim-pro");
  assert.deepEqual(config.models["sim-pro"]?.price, pro?.price);
  assert.equal(config.models["sim-pro"]?.context_window, pro?.contextWindow);
  assert.deepEqual(config.aliases, { default: "sim-pro" });
  assert.deepEqual(config.lanes, { cheap: ["sim-mini", "sim-pro"], work: ["sim-pro", "sim-frontier"], hard: ["sim-frontier", "sim-pro"] });
  assert.deepEqual(config.routes.general, { model: "default" });
  assert.equal(config.routes.extraction?.lane, "cheap");
  assert.equal(config.routes.hard_reasoning?.lane, "hard");
  assert.deepEqual(config.auto?.rules.at(-1), { lane: "cheap" });
  assert.match(description.join("\n"), /simulated/);
  assertConsistent(config);
});

test("OPENAI_API_KEY set: OpenAI models only, the key taken from the environment and never described", () => {
  const { config, description } = defaultConfigFromEnv({ OPENAI_API_KEY: "sk-secret-123" });
  assert.deepEqual(Object.keys(config.providers), ["openai"]);
  assert.equal(config.providers.openai?.api_key, "sk-secret-123");
  assert.equal(config.providers.openai?.base_url, undefined);
  assert.deepEqual(Object.keys(config.models).sort(), ["gpt-4.1-mini", "gpt-5.4", "gpt-5.4-mini", "gpt-5.5"]);
  assert.ok(Object.values(config.models).every((m) => m.provider === "openai"));
  assert.equal(config.aliases.default, "gpt-5.4");
  assert.ok(!description.join("\n").includes("sk-secret-123"));
  assert.ok(!description.join("\n").includes("simulated"));
  assertConsistent(config);
});

test("OpenAI and DeepSeek together: lanes alternate providers so a fallback changes provider", () => {
  const { config } = defaultConfigFromEnv({ OPENAI_API_KEY: "o", DEEPSEEK_API_KEY: "d" });
  assert.deepEqual(config.providers.deepseek, { type: "openai-compatible", base_url: "https://api.deepseek.com/v1", api_key: "d" });
  assert.equal(config.models["deepseek-chat"]?.provider, "deepseek");
  assert.deepEqual(config.lanes.hard, ["gpt-5.5", "deepseek-reasoner", "gpt-5.4"]);
  assert.deepEqual(config.lanes.cheap, ["gpt-5.4-mini", "deepseek-chat", "gpt-4.1-mini"]);
  assertConsistent(config);
});

test("ANTHROPIC_API_KEY and GEMINI_API_KEY serve those providers; an empty variable is unset", () => {
  const { config, description } = defaultConfigFromEnv({ ANTHROPIC_API_KEY: "sk-ant-secret", GEMINI_API_KEY: "" });
  assert.deepEqual(Object.keys(config.providers), ["anthropic"]);
  assert.equal(config.providers.anthropic?.type, "anthropic");
  assert.deepEqual(Object.keys(config.models).sort(), ["claude-haiku-4-5", "claude-opus-4-7", "claude-sonnet-4-6"]);
  assert.equal(config.aliases.default, "claude-sonnet-4-6");
  assert.match(description[0] ?? "", /ANTHROPIC_API_KEY is set/);
  assert.ok(!description.join("\n").includes("sk-ant-secret"), "the key never appears");
  assert.equal(config.providers.anthropic?.api_key, "sk-ant-secret");
  const both = defaultConfigFromEnv({ ANTHROPIC_API_KEY: "a", GEMINI_API_KEY: "g" }).config;
  assert.deepEqual(both.lanes.cheap, ["claude-haiku-4-5", "gemini-2.5-flash-lite", "claude-sonnet-4-6"]);
  assert.equal(both.providers.gemini?.type, "gemini");
  assertConsistent(both);
});

test("OPENAI_BASE_URL is honoured; a bad one is a config error naming it", () => {
  const { config } = defaultConfigFromEnv({ OPENAI_API_KEY: "o", OPENAI_BASE_URL: "http://localhost:9999/v1" });
  assert.equal(config.providers.openai?.base_url, "http://localhost:9999/v1");
  assert.throws(() => defaultConfigFromEnv({ OPENAI_API_KEY: "o", OPENAI_BASE_URL: "not a url" }), /OPENAI_BASE_URL/);
});
