import assert from "node:assert/strict";
import { test } from "node:test";
import { fixtureChunks, readFixture, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { checkOpenAIChunk, isOpenAICompletion } from "./check-openai-shapes.ts";
import { openAIChatCompletionSchema, openAIChunkSchema } from "./openai-schemas.ts";

const RECORDED = [
  "openai/openai-text.chunks.txt",
  "openai/azure-model-router.1.chunks.txt",
  "deepseek/deepseek-reasoning.chunks.txt",
  "deepseek/deepseek-tool-call.chunks.txt",
  "openai-compatible/groq-tool-call.chunks.txt",
  "openai-compatible/mistral-tool-call.chunks.txt",
  "openai-compatible/xai-tool-call.chunks.txt",
];

test("the hand-written chunk check accepts every recorded chunk, as the schema does", { skip: skipWithoutFixtures }, () => {
  for (const file of RECORDED) {
    for (const line of fixtureChunks(file)) {
      const json: unknown = JSON.parse(line);
      assert.equal(openAIChunkSchema.safeParse(json).success, true, `${file}: schema`);
      assert.equal(checkOpenAIChunk(json).ok, true, `${file}: ${line.slice(0, 80)}`);
    }
  }
});

test("the hand-written chunk check rejects what the schema rejects", () => {
  const bad: unknown[] = [
    null,
    [],
    "text",
    { id: 5 },
    { created: "yesterday" },
    { choices: {} },
    { choices: [null] },
    { choices: [{ index: "0" }] },
    { choices: [{ finish_reason: 1 }] },
    { choices: [{ delta: "hi" }] },
    { choices: [{ delta: { content: 5 } }] },
    { choices: [{ delta: { reasoning_content: {} } }] },
    { choices: [{ delta: { tool_calls: {} } }] },
    { choices: [{ delta: { tool_calls: [{ index: "a" }] } }] },
    { choices: [{ delta: { tool_calls: [{ function: { name: 3 } }] } }] },
    { usage: { prompt_tokens: "many" } },
  ];
  for (const value of bad) {
    assert.equal(openAIChunkSchema.safeParse(value).success, false, `schema accepts ${JSON.stringify(value)}`);
    const checked = checkOpenAIChunk(value);
    assert.equal(checked.ok, false, `check accepts ${JSON.stringify(value)}`);
  }
  const good: unknown[] = [{}, { choices: [] }, { choices: [{ delta: null, finish_reason: null }] }, { choices: [{ delta: { tool_calls: [{ index: 0, function: null }] } }] }];
  for (const value of good) {
    assert.equal(openAIChunkSchema.safeParse(value).success, true, `schema rejects ${JSON.stringify(value)}`);
    assert.equal(checkOpenAIChunk(value).ok, true, `check rejects ${JSON.stringify(value)}`);
  }
});

const RECORDED_COMPLETIONS = [
  "openai/openai-text.json",
  "deepseek/deepseek-json.json",
  "deepseek/deepseek-reasoning.json",
  "deepseek/deepseek-text.json",
  "deepseek/deepseek-tool-call.json",
  "openai-compatible/groq-text.json",
  "openai-compatible/groq-tool-call.json",
  "openai-compatible/mistral-text.json",
  "openai-compatible/mistral-tool-call.json",
  "openai-compatible/xai-tool-call.json",
];

test("the hand-written completion check accepts every recorded answer, as the schema does", { skip: skipWithoutFixtures }, () => {
  for (const file of RECORDED_COMPLETIONS) {
    const json: unknown = JSON.parse(readFixture(file));
    assert.equal(openAIChatCompletionSchema.safeParse(json).success, true, `${file}: schema`);
    assert.equal(isOpenAICompletion(json), true, file);
  }
});

test("the hand-written completion check rejects what the schema rejects", () => {
  const choice = (message: unknown, extra: Record<string, unknown> = {}): unknown => ({ choices: [{ message, ...extra }] });
  const bad: unknown[] = [
    null,
    {},
    { choices: {} },
    { id: 1, choices: [] },
    { created: "now", choices: [] },
    choice(null),
    choice({ content: 5 }),
    choice({ content: [{ text: "no type" }] }),
    choice({ content: [{ type: "text", text: 1 }] }),
    choice({ reasoning_content: {} }),
    choice({ refusal: 3 }),
    choice({ tool_calls: {} }),
    choice({ tool_calls: [{ function: { arguments: "{}" } }] }),
    choice({ tool_calls: [{ id: 7, function: { name: "f" } }] }),
    choice({}, { finish_reason: 1 }),
    choice({}, { index: "0" }),
    { choices: [], usage: { prompt_tokens: "1" } },
    { choices: [], usage: { prompt_tokens_details: { cached_tokens: "1" } } },
    { choices: [], usage: { completion_tokens_details: 5 } },
  ];
  for (const value of bad) {
    assert.equal(openAIChatCompletionSchema.safeParse(value).success, false, `schema accepts ${JSON.stringify(value)}`);
    assert.equal(isOpenAICompletion(value), false, `check accepts ${JSON.stringify(value)}`);
  }
  const good: unknown[] = [
    { choices: [] },
    choice({ content: null }),
    choice({ content: [{ type: "text", text: "a" }, { type: "thinking" }] }),
    choice({ tool_calls: [{ function: { name: "f", arguments: null } }] }),
    { choices: [], usage: null },
    { choices: [], usage: { prompt_tokens: 1, prompt_tokens_details: null } },
  ];
  for (const value of good) {
    assert.equal(openAIChatCompletionSchema.safeParse(value).success, true, `schema rejects ${JSON.stringify(value)}`);
    assert.equal(isOpenAICompletion(value), true, `check rejects ${JSON.stringify(value)}`);
  }
});
