import { GatewayError } from "../../core/errors.ts";
import type { StreamEvent } from "../../core/stream-event.ts";
import type { Usage } from "../../core/usage.ts";
import { firstIssue } from "../shared/first-issue.ts";
import { snippet } from "../shared/parse-upstream-json.ts";
import { assemblePartialArgs } from "./assemble-partial-args.ts";
import { classifyGeminiError } from "./classify-gemini-error.ts";
import { firstCandidate, geminiResponseSchema, type GeminiFunctionCall, type GeminiPartialArg, type GeminiResponse } from "./gemini-schemas.ts";
import { mapGeminiFinishReason } from "./map-gemini-finish-reason.ts";
import { mapGeminiUsage } from "./map-gemini-usage.ts";

/** A function call whose arguments Gemini is still streaming (`willContinue`). */
interface PendingCall {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly args: Record<string, unknown> | null;
  readonly pieces: readonly GeminiPartialArg[];
}

export interface GeminiStreamState {
  readonly provider: string;
  /** Used when the upstream leaves `modelVersion` out. */
  readonly requestModel: string;
  /** Gemini answers carry no creation time. */
  readonly nowSeconds: number;
  readonly started: boolean;
  /** A finishReason has been passed on. */
  readonly finished: boolean;
  /** An error ended the stream; later messages are ignored. */
  readonly done: boolean;
  /** Tool calls begun so far: the index of the next one. */
  readonly toolCalls: number;
  readonly pending: PendingCall | null;
  /** The latest `usageMetadata`: Gemini repeats running totals in every fragment. */
  readonly usage: Usage | null;
}

/** One server-sent event as the SSE parser hands it over. */
export interface GeminiSseMessage {
  event?: string | undefined;
  data: string;
}

type Step = { state: GeminiStreamState; events: StreamEvent[] };

export function initialGeminiStreamState(options: { provider: string; requestModel: string; nowSeconds: number }): GeminiStreamState {
  return { ...options, started: false, finished: false, done: false, toolCalls: 0, pending: null, usage: null };
}

/**
 * One `streamGenerateContent?alt=sse` message (a whole GenerateContentResponse fragment) → the
 * core events it carries. Pure. Usage is kept, not emitted: it is passed on once, at the end.
 */
export function stepGeminiStream(state: GeminiStreamState, message: GeminiSseMessage): Step {
  if (state.done) return { state, events: [] };
  let json: unknown;
  try {
    json = JSON.parse(message.data);
  } catch {
    return fail(state, badChunk(state, `a stream message that is not JSON: ${snippet(message.data)}`));
  }
  if (typeof json === "object" && json !== null && "error" in json && json.error != null) {
    return fail(state, classifyGeminiError({ provider: state.provider, status: null, body: json }));
  }
  const parsed = geminiResponseSchema.safeParse(json);
  if (!parsed.success) return fail(state, badChunk(state, `a stream message of an unexpected shape: ${firstIssue(parsed.error)}`));
  return mapFragment(state, parsed.data);
}

/** What to emit when the upstream body ends: the final usage after a finish, else an error. */
export function endGeminiStream(state: GeminiStreamState): StreamEvent[] {
  if (state.done) return [];
  if (state.finished) return usageSoFar(state);
  const error = new GatewayError("network", `${state.provider}: the stream ended before it was complete (no finishReason)`, { provider: state.provider });
  return [...usageSoFar(state), { type: "error", error }];
}

/** The running usage, to pass on before an error too: those tokens were spent. */
export function usageSoFar(state: GeminiStreamState): StreamEvent[] {
  return state.usage ? [{ type: "usage", usage: state.usage }] : [];
}

function mapFragment(state: GeminiStreamState, fragment: GeminiResponse): Step {
  const events: StreamEvent[] = [];
  let next = state;
  if (!next.started) {
    events.push({ type: "start", id: fragment.responseId ?? "", model: fragment.modelVersion ?? next.requestModel, created: next.nowSeconds });
    next = { ...next, started: true };
  }
  if (fragment.usageMetadata) next = { ...next, usage: mapGeminiUsage(fragment.usageMetadata) };
  const candidate = firstCandidate(fragment);
  if (!candidate) {
    // A prompt Gemini refuses to answer: no candidates, a blockReason.
    const blockReason = fragment.promptFeedback?.blockReason;
    if (blockReason && !next.finished) {
      events.push({ type: "finish", finishReason: { unified: "content_filter", raw: blockReason } });
      next = { ...next, finished: true };
    }
    return { state: next, events };
  }
  for (const part of candidate.content?.parts ?? []) {
    if (part.functionCall) {
      next = stepCall(next, part.functionCall, events);
    } else if (part.text) {
      next = flush(next, events);
      events.push({ type: part.thought === true ? "reasoning-delta" : "text-delta", delta: part.text });
    }
  }
  if (candidate.finishReason && !next.finished) {
    next = flush(next, events);
    events.push({ type: "finish", finishReason: mapGeminiFinishReason(candidate.finishReason, next.toolCalls > 0) });
    next = { ...next, finished: true };
  }
  return { state: next, events };
}

/**
 * A call comes whole (`name` + `args`), or, when Gemini streams its arguments, as `name` with
 * `willContinue`, then pieces (`partialArgs`), then an empty `functionCall` that closes it.
 * Either way it is passed on as one tool-call-delta with the whole arguments.
 */
function stepCall(state: GeminiStreamState, call: GeminiFunctionCall, events: StreamEvent[]): GeminiStreamState {
  if (call.name) {
    const flushed = flush(state, events);
    const index = flushed.toolCalls;
    const begun = { ...flushed, toolCalls: index + 1 };
    const id = call.id ?? `call_${index}`;
    if (call.willContinue === true) {
      return { ...begun, pending: { index, id, name: call.name, args: call.args ?? null, pieces: call.partialArgs ?? [] } };
    }
    events.push({ type: "tool-call-delta", index, id, name: call.name, argumentsDelta: JSON.stringify(call.args ?? {}) });
    return begun;
  }
  if (!state.pending) return state;
  const pending = { ...state.pending, pieces: [...state.pending.pieces, ...(call.partialArgs ?? [])] };
  const next = { ...state, pending };
  return call.willContinue === true ? next : flush(next, events);
}

function flush(state: GeminiStreamState, events: StreamEvent[]): GeminiStreamState {
  const call = state.pending;
  if (!call) return state;
  const args = { ...call.args, ...assemblePartialArgs(call.pieces) };
  events.push({ type: "tool-call-delta", index: call.index, id: call.id, name: call.name, argumentsDelta: JSON.stringify(args) });
  return { ...state, pending: null };
}

function fail(state: GeminiStreamState, error: GatewayError): Step {
  return { state: { ...state, done: true }, events: [...usageSoFar(state), { type: "error", error }] };
}

function badChunk(state: GeminiStreamState, what: string): GatewayError {
  return new GatewayError("bad_response", `provider ${state.provider} sent ${what}`, { provider: state.provider });
}
