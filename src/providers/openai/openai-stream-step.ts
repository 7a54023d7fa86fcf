import { GatewayError } from "../../core/errors.ts";
import type { StreamEvent } from "../../core/stream-event.ts";
import { classifyOpenAIError } from "./classify-openai-error.ts";
import { mapOpenAIFinishReason } from "./map-openai-finish-reason.ts";
import { mapOpenAIUsage } from "./map-openai-usage.ts";
import { checkOpenAIChunk } from "./check-openai-shapes.ts";
import { openAIUsageSchema, type OpenAIChunk } from "./openai-schemas.ts";
import { snippet } from "../shared/parse-upstream-json.ts";
import { plainContentDelta, type PlainDeltaMemo } from "./plain-content-delta.ts";

export interface OpenAIStreamState {
  readonly provider: string;
  readonly started: boolean;
  /** A finish_reason has been passed on. */
  readonly finished: boolean;
  /** `[DONE]` or an error ended the stream; later messages are ignored. */
  readonly done: boolean;
  /** Indexes of the tool calls whose first piece (id, name) has been passed on. */
  readonly toolCallsSeen: readonly number[];
}

/** One server-sent event as the SSE parser hands it over. */
export interface SseMessage {
  event?: string | undefined;
  data: string;
}

export function initialOpenAIStreamState(provider: string): OpenAIStreamState {
  return { provider, started: false, finished: false, done: false, toolCallsSeen: [] };
}

/**
 * One Chat Completions stream message → the core events it carries. Pure but for `memo`, the
 * stream's cache for recognising plain text deltas (see plainContentDelta).
 */
export function stepOpenAIStream(state: OpenAIStreamState, message: SseMessage, memo?: PlainDeltaMemo): { state: OpenAIStreamState; events: StreamEvent[] } {
  if (state.done) return { state, events: [] };
  // Once started, a message that is only a piece of text is recognised without parsing it (the same events as parsing it).
  if (state.started && message.event === undefined) {
    const text = plainContentDelta(message.data, memo);
    if (text !== null) return { state, events: text === "" ? [] : [{ type: "text-delta", delta: text }] };
  }
  return parseOpenAIStreamMessage(state, message);
}

/** `stepOpenAIStream` without the shortcut for plain text: every message parsed and checked. */
export function parseOpenAIStreamMessage(state: OpenAIStreamState, message: SseMessage): { state: OpenAIStreamState; events: StreamEvent[] } {
  if (state.done) return { state, events: [] };
  if (message.data.trim() === "[DONE]") return { state: { ...state, done: true }, events: [] };
  let json: unknown;
  try {
    json = JSON.parse(message.data);
  } catch {
    if (message.event === "error") return fail(state, classifyOpenAIError({ provider: state.provider, status: null, body: message.data }));
    return fail(state, badChunk(state, `a stream chunk that is not JSON: ${snippet(message.data)}`));
  }
  // In-stream errors: OpenAI sends `data: {"error": {...}}`, Groq adds `event: error`.
  if (message.event === "error" || (isRecord(json) && json["error"] != null)) {
    const usage = isRecord(json) ? openAIUsageSchema.safeParse(json["usage"]) : undefined;
    const error = classifyOpenAIError({ provider: state.provider, status: null, body: json });
    const events: StreamEvent[] = usage?.success ? [{ type: "usage", usage: mapOpenAIUsage(usage.data) }] : [];
    events.push({ type: "error", error });
    return { state: { ...state, done: true }, events };
  }
  const checked = checkOpenAIChunk(json);
  if (!checked.ok) return fail(state, badChunk(state, `a stream chunk of an unexpected shape: ${checked.issue}`));
  return mapChunk(state, checked.chunk);
}

/** What to emit when the upstream body ends: nothing after `[DONE]` or a finish, else an error. */
export function endOpenAIStream(state: OpenAIStreamState): StreamEvent[] {
  if (state.done || state.finished) return [];
  const error = new GatewayError("network", `${state.provider}: the stream ended before it was complete (no finish_reason, no [DONE])`, {
    provider: state.provider,
  });
  return [{ type: "error", error }];
}

function mapChunk(state: OpenAIStreamState, chunk: OpenAIChunk): { state: OpenAIStreamState; events: StreamEvent[] } {
  const events: StreamEvent[] = [];
  const choices = chunk.choices ?? [];
  let next = state;
  // Azure opens with a prompt-filter chunk that has an empty id and no choices: not the start.
  if (!state.started && ((chunk.id ?? "") !== "" || choices.length > 0)) {
    events.push({ type: "start", id: chunk.id ?? "", model: chunk.model ?? "", created: chunk.created ?? 0 });
    next = { ...next, started: true };
  }
  // n > 1 is not part of the core model: only the first choice is followed.
  const choice = choices.find((c) => (c.index ?? 0) === 0);
  const delta = choice?.delta;
  if (delta) {
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) events.push({ type: "reasoning-delta", delta: reasoning });
    if (delta.content) events.push({ type: "text-delta", delta: delta.content });
    if (delta.refusal) events.push({ type: "refusal-delta", delta: delta.refusal });
    for (const [position, call] of (delta.tool_calls ?? []).entries()) {
      // Mistral sends tool calls without an index.
      const index = call.index ?? position;
      const argumentsDelta = call.function?.arguments ?? "";
      if (!next.toolCallsSeen.includes(index)) {
        next = { ...next, toolCallsSeen: [...next.toolCallsSeen, index] };
        events.push({ type: "tool-call-delta", index, id: call.id ?? `call_${index}`, name: call.function?.name ?? "", argumentsDelta });
      } else if (argumentsDelta !== "") {
        events.push({ type: "tool-call-delta", index, argumentsDelta });
      }
    }
  }
  if (choice?.finish_reason && !next.finished) {
    events.push({ type: "finish", finishReason: mapOpenAIFinishReason(choice.finish_reason) });
    next = { ...next, finished: true };
  }
  if (chunk.usage) events.push({ type: "usage", usage: mapOpenAIUsage(chunk.usage) });
  return { state: next, events };
}

function fail(state: OpenAIStreamState, error: GatewayError): { state: OpenAIStreamState; events: StreamEvent[] } {
  return { state: { ...state, done: true }, events: [{ type: "error", error }] };
}

function badChunk(state: OpenAIStreamState, what: string): GatewayError {
  return new GatewayError("bad_response", `provider ${state.provider} sent ${what}`, { provider: state.provider });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
