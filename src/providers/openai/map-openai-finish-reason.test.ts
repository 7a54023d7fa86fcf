import assert from "node:assert/strict";
import { test } from "node:test";
import { mapOpenAIFinishReason } from "./map-openai-finish-reason.ts";

test("finish reasons keep the raw value next to the unified one", () => {
  const table: [string | null, string][] = [
    ["stop", "stop"],
    ["length", "length"],
    ["tool_calls", "tool_calls"],
    ["function_call", "tool_calls"],
    ["content_filter", "content_filter"],
    ["error", "error"],
    ["eos", "other"],
    [null, "other"],
  ];
  for (const [raw, unified] of table) assert.deepEqual(mapOpenAIFinishReason(raw), { unified, raw }, String(raw));
});
