import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError } from "../core/errors.ts";
import { collectStreamResult } from "./collect-stream-result.ts";
import { committedFromResult } from "./stream-chat.ts";
import type { ChatResult } from "../core/result.ts";

const stop = { unified: "stop", raw: "stop" } as const;
const usage = { inputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 3, reasoningTokens: 0 };

test("a streamed answer is put back together", () => {
  const c = collectStreamResult();
  c.add([{ type: "start", id: "chatcmpl-1", model: "gpt-x-2025", created: 1700 }]);
  c.add([{ type: "text-delta", delta: "Hel" }, { type: "text-delta", delta: "lo" }]);
  c.add([{ type: "finish", finishReason: stop }, { type: "usage", usage }]);
  assert.deepEqual(c.result(), { id: "chatcmpl-1", model: "gpt-x-2025", created: 1700, content: "Hello", toolCalls: [], finishReason: stop, usage });
});

test("tool calls are joined by index, holes dropped; reasoning and refusal kept", () => {
  const c = collectStreamResult();
  c.add([
    { type: "start", id: "m", model: "m", created: 1 },
    { type: "reasoning-delta", delta: "think" },
    { type: "tool-call-delta", index: 1, id: "call_a", name: "lookup", argumentsDelta: '{"q":' },
    { type: "tool-call-delta", index: 1, argumentsDelta: '"x"}' },
    { type: "refusal-delta", delta: "no" },
    { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_use" } },
  ]);
  const r = c.result();
  assert.equal(r?.content, null);
  assert.equal(r?.reasoning, "think");
  assert.equal(r?.refusal, "no");
  assert.deepEqual(r?.toolCalls, [{ id: "call_a", name: "lookup", arguments: '{"q":"x"}' }]);
  assert.equal(r?.usage, null);
});

test("no answer from a stream that did not finish or broke off", () => {
  const unfinished = collectStreamResult();
  unfinished.add([{ type: "start", id: "m", model: "m", created: 1 }, { type: "text-delta", delta: "Hel" }]);
  assert.equal(unfinished.result(), null);
  const broken = collectStreamResult();
  broken.add([{ type: "start", id: "m", model: "m", created: 1 }, { type: "finish", finishReason: stop }, { type: "error", error: new GatewayError("network", "cut") }]);
  assert.equal(broken.result(), null);
});

test("what committedFromResult streams collects back into the same result", () => {
  const original: ChatResult = {
    id: "r",
    model: "m-1",
    created: 99,
    content: "answer",
    reasoning: "because",
    toolCalls: [{ id: "c1", name: "f", arguments: "{}" }],
    finishReason: stop,
    usage,
  };
  const c = collectStreamResult();
  for (const batch of committedFromResult({ result: original, target: { modelId: "m", provider: "p", upstreamModel: "m" } }, 0).head) {
    for (const chunk of batch) c.add(chunk.events);
  }
  assert.deepEqual(c.result(), original);
});
