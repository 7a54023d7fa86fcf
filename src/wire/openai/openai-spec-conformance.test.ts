import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { StreamEvent } from "../../core/stream-event.ts";
import type { ChatResult } from "../../core/result.ts";
import type { UnifiedFinishReason } from "../../core/finish-reason.ts";
import { checkSchema } from "../../providers/simulated/schema-check-for-tests.ts";
import { encodeChatChunk, initialChunkEncoderState } from "./encode-chat-chunk.ts";
import { encodeChatResult } from "./encode-chat-result.ts";

/**
 * What the encoders produce, checked against the official OpenAI OpenAPI description (read in
 * place) rather than against memory. ajv is not a dependency, so the repo's small JSON Schema
 * checker does the work, after OpenAPI 3.0's `nullable: true` is rewritten as JSON Schema.
 */
const SPEC_PATH = new URL("../../../../shared/openapi/openai-openapi.json", import.meta.url);

type Json = unknown;

/** `{ …, nullable: true }` → `{ anyOf: [{ … }, { type: "null" }] }`, everywhere. */
function withNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(withNullable);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) if (k !== "nullable") out[k] = withNullable(v);
  return (node as Record<string, Json>)["nullable"] === true ? { anyOf: [out, { type: "null" }] } : out;
}

function loadSpec(): Record<string, Json> | null {
  if (!existsSync(SPEC_PATH)) return null;
  return withNullable(JSON.parse(readFileSync(SPEC_PATH, "utf8"))) as Record<string, Json>;
}

const spec = loadSpec();
const skip = spec === null ? `the OpenAI spec is not at ${SPEC_PATH.pathname}` : false;
if (skip) console.log(`# skipping OpenAPI conformance: ${skip}`);

function errorsAgainst(component: string, value: unknown): string[] {
  if (spec === null) return [];
  return checkSchema(value, { $ref: `#/components/schemas/${component}` }, spec);
}

const RESPONSE = "CreateChatCompletionResponse";
const CHUNK = "CreateChatCompletionStreamResponse";

function result(fields: Partial<ChatResult> = {}): ChatResult {
  return {
    id: "chatcmpl-1",
    model: "gpt-5.4",
    created: 1_760_000_000,
    content: "Hello.",
    toolCalls: [],
    finishReason: { unified: "stop", raw: "stop" },
    usage: { inputTokens: 12, cachedInputTokens: 4, cacheWriteTokens: 1, outputTokens: 7, reasoningTokens: 2 },
    ...fields,
  };
}

const resultCases: { name: string; result: ChatResult }[] = [
  { name: "text", result: result() },
  { name: "no usage", result: result({ usage: null }) },
  { name: "reasoning", result: result({ reasoning: "because" }) },
  { name: "refusal", result: result({ content: null, refusal: "No." }) },
  {
    name: "tool calls",
    result: result({
      content: null,
      finishReason: { unified: "tool_calls", raw: "tool_calls" },
      toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' }, { id: "call_2", name: "time", arguments: "{}" }],
    }),
  },
  ...(["stop", "length", "tool_calls", "content_filter", "error", "other"] as UnifiedFinishReason[]).map((unified) => ({
    name: `finish reason ${unified}`,
    result: result({ finishReason: { unified, raw: null } }),
  })),
];

const STOP: StreamEvent = { type: "finish", finishReason: { unified: "stop", raw: "stop" } };
const START: StreamEvent = { type: "start", id: "chatcmpl-up", model: "gpt-5.4", created: 1_760_000_000 };
const USAGE: StreamEvent = { type: "usage", usage: { inputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 2, reasoningTokens: 0 } };

const streamCases: { name: string; events: StreamEvent[] }[] = [
  { name: "text with usage", events: [START, { type: "text-delta", delta: "Hel" }, { type: "text-delta", delta: "lo" }, STOP, USAGE] },
  { name: "no start event", events: [{ type: "text-delta", delta: "x" }, STOP] },
  { name: "reasoning then text", events: [START, { type: "reasoning-delta", delta: "hmm" }, { type: "text-delta", delta: "ok" }, STOP] },
  { name: "refusal", events: [START, { type: "refusal-delta", delta: "No." }, { type: "finish", finishReason: { unified: "content_filter", raw: "content_filter" } }] },
  {
    name: "two tool calls",
    events: [
      START,
      { type: "tool-call-delta", index: 0, id: "call_a", name: "weather", argumentsDelta: "" },
      { type: "tool-call-delta", index: 0, argumentsDelta: '{"city":"Oslo"}' },
      { type: "tool-call-delta", index: 1, id: "call_b", name: "time", argumentsDelta: "{}" },
      { type: "finish", finishReason: { unified: "tool_calls", raw: "tool_calls" } },
      USAGE,
    ],
  },
  { name: "length", events: [START, { type: "text-delta", delta: "cut" }, { type: "finish", finishReason: { unified: "length", raw: "length" } }] },
  { name: "error finish reason", events: [START, { type: "finish", finishReason: { unified: "error", raw: "error" } }] },
];

function encodeAll(events: StreamEvent[]): Record<string, unknown>[] {
  let state = initialChunkEncoderState({ id: "chatcmpl-fallback", model: "m", created: 1 });
  const out: Record<string, unknown>[] = [];
  for (const event of events) {
    const step = encodeChatChunk(state, event);
    state = step.state;
    if (step.chunk) out.push(step.chunk);
  }
  return out;
}

describe(`chat.completion objects match ${RESPONSE}`, { skip }, () => {
  for (const c of resultCases) {
    test(c.name, () => {
      assert.deepEqual(errorsAgainst(RESPONSE, encodeChatResult(c.result)), []);
    });
  }
});

describe(`chat.completion.chunk objects match ${CHUNK}`, { skip }, () => {
  for (const c of streamCases) {
    test(c.name, () => {
      const chunks = encodeAll(c.events);
      assert.ok(chunks.length > 0);
      chunks.forEach((chunk, i) => assert.deepEqual(errorsAgainst(CHUNK, chunk), [], `chunk ${i}: ${JSON.stringify(chunk)}`));
    });
  }
});

// The check has teeth: objects that break the spec are caught.
describe("the spec check rejects what the spec forbids", { skip }, () => {
  const good = encodeChatResult(result());
  const goodChunk = encodeAll([START])[0] ?? {};
  const cases: { name: string; component: string; value: unknown; error: RegExp }[] = [
    { name: "a completion without created", component: RESPONSE, value: { ...good, created: undefined }, error: /missing created|undefined is not integer/ },
    { name: "a fractional created", component: RESPONSE, value: { ...good, created: 1.5 }, error: /created: number is not integer/ },
    { name: "the wrong object", component: RESPONSE, value: { ...good, object: "chat.completion.chunk" }, error: /object: not in enum/ },
    {
      name: "finish_reason error",
      component: RESPONSE,
      value: { ...good, choices: [{ index: 0, message: { role: "assistant", content: "x", refusal: null }, logprobs: null, finish_reason: "error" }] },
      error: /finish_reason: not in enum/,
    },
    {
      name: "a message without refusal",
      component: RESPONSE,
      value: { ...good, choices: [{ index: 0, message: { role: "assistant", content: "x" }, logprobs: null, finish_reason: "stop" }] },
      error: /missing refusal/,
    },
    { name: "a chunk choice without finish_reason", component: CHUNK, value: { ...goodChunk, choices: [{ index: 0, delta: {} }] }, error: /missing finish_reason/ },
    {
      name: "a tool-call chunk without index",
      component: CHUNK,
      value: { ...goodChunk, choices: [{ index: 0, delta: { tool_calls: [{ function: { arguments: "" } }] }, finish_reason: null }] },
      error: /missing index/,
    },
    { name: "usage without total_tokens", component: CHUNK, value: { ...goodChunk, choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }, error: /\$\.usage: matches no anyOf/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const value = JSON.parse(JSON.stringify(c.value)) as unknown;
      assert.match(errorsAgainst(c.component, value).join("\n"), c.error);
    });
  }
});
