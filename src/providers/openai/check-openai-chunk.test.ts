import assert from "node:assert/strict";
import { test } from "node:test";
import { fixtureChunks, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { checkOpenAIChunk } from "./check-openai-chunk.ts";
import { openAIChunkSchema } from "./openai-schemas.ts";

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
