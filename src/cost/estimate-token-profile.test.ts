import assert from "node:assert/strict";
import { test } from "node:test";
import { tokenProfileOf } from "./estimate-token-profile.ts";

test("a model family is recognised by name, whatever provider type serves it", () => {
  const name = (type: Parameters<typeof tokenProfileOf>[0], model: string): string => tokenProfileOf(type, model).name;
  assert.equal(name("openai", "gpt-5.4"), "o200k");
  assert.equal(name("openai", "ft:gpt-4o-mini-2024-07-18:acme::abc123"), "o200k");
  assert.equal(name("openai-compatible", "openai/gpt-4.1"), "o200k");
  assert.equal(name("openai", "o4-mini"), "o200k");
  assert.equal(name("openai-compatible", "anthropic/claude-sonnet-4.5"), "claude (Claude 3 … 4.6 tokenizer)");
  assert.equal(name("openai-compatible", "google/gemini-2.5-pro"), "gemini (o200k-based estimate)");
  assert.equal(name("openai-compatible", "deepseek-chat"), "other BPE (o200k-based estimate)");
  assert.equal(name("openai", "gpt-3.5-turbo"), "other BPE (o200k-based estimate)");
  assert.equal(name("simulated", "sim-mini"), "simulated");
});

test("Claude Opus 4.7 and every later family use the new tokenizer; earlier models the old one", () => {
  const v47 = (model: string): boolean => tokenProfileOf("anthropic", model).name.includes("4.7+");
  for (const m of ["claude-opus-4-7", "claude-opus-4-8-20260601", "claude-opus-5", "claude-sonnet-5", "claude-haiku-5-1", "my-claude-alias"]) assert.ok(v47(m), m);
  for (const m of ["claude-opus-4-6", "claude-sonnet-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5", "claude-sonnet-4-20250514", "claude-3-5-sonnet-20241022", "claude-opus-4-1@20250805"]) {
    assert.ok(!v47(m), m);
  }
});

test("only OpenAI's own models count as exact", () => {
  assert.equal(tokenProfileOf("openai", "gpt-4o").native, true);
  for (const [type, model] of [["anthropic", "claude-opus-4-7"], ["gemini", "gemini-2.5-pro"], ["openai-compatible", "llama-3.3-70b"], ["simulated", "sim-pro"]] as const) {
    assert.equal(tokenProfileOf(type, model).native, false);
  }
});
