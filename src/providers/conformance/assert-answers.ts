import assert from "node:assert/strict";
import type { UnifiedFinishReason } from "../../core/finish-reason.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import { isContentEvent, type StreamEvent } from "../../core/stream-event.ts";
import type { Usage } from "../../core/usage.ts";
import { assertUsage, assertUsageConvention } from "./assert-usage.ts";
import { checkJsonSchema } from "./check-json-schema.ts";
import { eventsOf } from "./read-stream.ts";

/** The id and model every answer names. */
export function assertAnswerIdentity(id: unknown, model: unknown, where: string): void {
  assert.ok(typeof id === "string" && id.length > 0, `${where}: the answer has no id`);
  assert.ok(typeof model === "string" && model.length > 0, `${where}: the answer names no model`);
}

/** A non-streaming answer: identity, finish reason and (when declared) usage. */
export function assertResult(result: ChatResult, finish: UnifiedFinishReason, usage: Usage | undefined): void {
  assertAnswerIdentity(result.id, result.model, "chat");
  assert.equal(result.finishReason.unified, finish, `chat: finish reason ${JSON.stringify(result.finishReason)}, expected ${finish}`);
  if (usage !== undefined) assertUsage(result.usage, usage, "chat");
  else if (result.usage) assertUsageConvention(result.usage, "chat");
}

/**
 * What every stream that ended well looks like: exactly one `start`, first; exactly one `finish`
 * with the expected reason, after all content; exactly one `usage` (the OpenAI edge turns each
 * usage event into a usage chunk, and clients expect one), after all content; no `error`.
 * Returns the usage the stream reported.
 */
export function assertCleanStream(events: readonly StreamEvent[], finish: UnifiedFinishReason | null): Usage {
  assert.ok(events.length > 0, "stream: no events at all");
  const first = events[0];
  assert.equal(first?.type, "start", `stream: the first event is ${first?.type}, not start`);
  assertAnswerIdentity(first.id, first.model, "stream start");
  assert.equal(eventsOf(events, "start").length, 1, "stream: more than one start event");
  assert.deepEqual(
    eventsOf(events, "error").map((e) => `${e.error.kind}: ${e.error.message}`),
    [],
    "stream: an error event in a stream that should have ended well",
  );
  const finishes = eventsOf(events, "finish");
  assert.equal(finishes.length, 1, `stream: ${finishes.length} finish events, expected exactly one`);
  if (finish !== null) assert.equal(finishes[0]?.finishReason.unified, finish, `stream: finish reason ${JSON.stringify(finishes[0]?.finishReason)}, expected ${finish}`);
  const usages = eventsOf(events, "usage");
  assert.equal(usages.length, 1, `stream: ${usages.length} usage events, expected exactly one (the whole call's usage)`);
  const lastContent = events.findLastIndex(isContentEvent);
  assert.ok(events.findIndex((e) => e.type === "finish") > lastContent, "stream: content arrived after the finish event");
  assert.ok(events.findIndex((e) => e.type === "usage") > lastContent, "stream: content arrived after the usage event");
  const usage = usages[0]?.usage;
  assert.ok(usage);
  assertUsageConvention(usage, "stream");
  return usage;
}

export interface ReassembledToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/**
 * Tool calls rebuilt from `tool-call-delta`s the way a client does: the first piece of each index
 * carries `id` and `name`, later pieces only argument fragments.
 */
export function reassembleToolCalls(events: readonly StreamEvent[]): ReassembledToolCall[] {
  const calls = new Map<number, ReassembledToolCall>();
  for (const delta of eventsOf(events, "tool-call-delta")) {
    const call = calls.get(delta.index);
    if (call === undefined) {
      assert.ok(typeof delta.id === "string" && delta.id.length > 0, `stream: the first piece of tool call ${delta.index} has no id`);
      assert.ok(typeof delta.name === "string" && delta.name.length > 0, `stream: the first piece of tool call ${delta.index} has no name`);
      calls.set(delta.index, { index: delta.index, id: delta.id, name: delta.name, arguments: delta.argumentsDelta });
    } else {
      assert.equal(delta.id, undefined, `stream: a later piece of tool call ${delta.index} repeats an id`);
      assert.equal(delta.name, undefined, `stream: a later piece of tool call ${delta.index} repeats a name`);
      call.arguments += delta.argumentsDelta;
    }
  }
  return [...calls.values()].sort((a, b) => a.index - b.index);
}

/** Arguments text → its value; tool arguments are always a JSON object. */
export function parseArguments(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    assert.fail(`${where}: the arguments are not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value), `${where}: the arguments are not a JSON object: ${text}`);
  return value as Record<string, unknown>;
}

/** A structured answer: JSON that passes the request's schema. Returns the parsed value. */
export function assertStructured(text: string | null, request: ChatRequest, where: string): unknown {
  const format = request.responseFormat;
  assert.ok(format?.type === "json_schema", "harness: the structured_output request must set responseFormat { type: json_schema }");
  assert.ok(typeof text === "string" && text.length > 0, `${where}: no content`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    assert.fail(`${where}: the content is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
  }
  assert.deepEqual(checkJsonSchema(value, format.schema), [], `${where}: the content does not match the requested schema`);
  return value;
}
