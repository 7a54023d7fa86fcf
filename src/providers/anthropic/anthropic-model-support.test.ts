import assert from "node:assert/strict";
import { test } from "node:test";
import { supportsNativeStructuredOutput } from "./anthropic-model-support.ts";

test("native structured outputs by model name: Opus 4.1+, Sonnet and Haiku 4.5+, later families", () => {
  const table: [string, boolean][] = [
    ["claude-3-opus-20240229", false],
    ["claude-3-5-sonnet-20241022", false],
    ["claude-3-5-haiku-latest", false],
    ["claude-3-7-sonnet-latest", false],
    ["claude-2.1", false],
    ["claude-instant-1.2", false],
    ["claude-sonnet-4-20250514", false],
    ["claude-sonnet-4-0", false],
    ["claude-opus-4-20250514", false],
    ["claude-opus-4-0", false],
    ["claude-opus-4-1", true],
    ["claude-opus-4-1-20250805", true],
    ["claude-sonnet-4-1", false],
    ["claude-sonnet-4-5", true],
    ["claude-sonnet-4-5-20250929", true],
    ["claude-haiku-4-5-20251001", true],
    ["claude-opus-4-5-20251101", true],
    ["claude-opus-4-7", true],
    ["claude-sonnet-5", true],
    ["claude-fable-5", true],
    ["anthropic/claude-3-haiku", false],
    ["Claude-Sonnet-4-5", true],
    ["my-proxy-alias", true],
  ];
  for (const [model, expected] of table) assert.equal(supportsNativeStructuredOutput(model), expected, model);
});
