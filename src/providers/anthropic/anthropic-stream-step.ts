import { GatewayError } from "../../core/errors.ts";
import type { StreamEvent } from "../../core/stream-event.ts";
import { snippet } from "../shared/parse-upstream-json.ts";
import { anthropicUsageSchema, type AnthropicUsage } from "./anthropic-schemas.ts";
import { classifyAnthropicError } from "./classify-anthropic-error.ts";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason.ts";
import { mapAnthropicUsage, mergeAnthropicUsage } from "./map-anthropic-usage.ts";

/** What a content block's deltas become. */
type Block =
  | { kind: "text" }
  | { kind: "thinking" }
  /** A client tool call; `index` counts tool calls only, as the core's tool-call index does. */
  | { kind: "tool"; index: number; sentArguments: boolean }
  /** The forced tool carrying a json_schema answer: its input streams out as text. */
  | { kind: "json"; sentArguments: boolean }
  /** Server tools, their results, fallback markers, redacted thinking, types not known yet. */
  | { kind: "skip" };

export interface AnthropicStreamState {
  readonly provider: string;
  /** Stands in for the creation time the Messages API does not send. */
  readonly nowSeconds: number;
  readonly jsonTool: string | null;
  /**
   * `message_start` seen, `start` not yet passed on: it waits for the next event that carries
   * something, because a `fallback` block may still name the model that actually answers.
   */
  readonly pendingStart: { readonly id: string; readonly model: string } | null;
  readonly started: boolean;
  /** Usage so far: message_start's, updated by message_delta. */
  readonly usage: AnthropicUsage;
  /** A `usage` event has been passed on (at message_delta). */
  readonly usageSent: boolean;
  /** By content block index. */
  readonly blocks: readonly (Block | undefined)[];
  readonly toolCalls: number;
  readonly answeredByJsonTool: boolean;
  readonly finished: boolean;
  /** `message_stop` or an error ended the stream; later messages are ignored. */
  readonly done: boolean;
}

/** One server-sent event as the SSE parser hands it over. */
export interface SseMessage {
  event?: string | undefined;
  data: string;
}

type Step = { state: AnthropicStreamState; events: StreamEvent[] };

export function initialAnthropicStreamState(options: { provider: string; nowSeconds: number; jsonTool: string | null }): AnthropicStreamState {
  return {
    ...options,
    pendingStart: null,
    started: false,
    usage: {},
    usageSent: false,
    blocks: [],
    toolCalls: 0,
    answeredByJsonTool: false,
    finished: false,
    done: false,
  };
}

/**
 * One Messages API stream event → the core events it carries. Pure.
 * https://docs.claude.com/en/docs/build-with-claude/streaming#event-types
 */
export function stepAnthropicStream(state: AnthropicStreamState, message: SseMessage): Step {
  if (state.done) return { state, events: [] };
  let json: unknown;
  try {
    json = JSON.parse(message.data);
  } catch {
    if (message.event === "error") return fail(state, classifyAnthropicError({ provider: state.provider, status: null, body: message.data }));
    return fail(state, badEvent(state, `a stream event that is not JSON: ${snippet(message.data)}`));
  }
  if (!isRecord(json) || typeof json["type"] !== "string") return fail(state, badEvent(state, `a stream event without a type: ${snippet(message.data)}`));
  if (message.event === "error" || json["type"] === "error") {
    return fail(state, classifyAnthropicError({ provider: state.provider, status: null, body: json }));
  }
  const step = mapEvent(state, json);
  return step.events.length > 0 ? withStart(step) : step;
}

/** What to emit when the upstream body ends: nothing after `message_stop` or an error, else an error. */
export function endAnthropicStream(state: AnthropicStreamState): StreamEvent[] {
  if (state.done) return [];
  const error = new GatewayError("network", `${state.provider}: the stream ended before it was complete (no message_stop)`, { provider: state.provider });
  return [...usageSoFar(state), { type: "error", error }];
}

/**
 * The usage message_start reported, when no usage event carried it yet: tokens spent on a
 * stream that then broke are still on the bill, so the receipt must see them.
 */
export function usageSoFar(state: AnthropicStreamState): StreamEvent[] {
  if (state.usageSent || Object.keys(state.usage).length === 0) return [];
  return [{ type: "usage", usage: mapAnthropicUsage(state.usage) }];
}

function mapEvent(state: AnthropicStreamState, event: Record<string, unknown>): Step {
  switch (event["type"]) {
    case "message_start": {
      if (state.started || state.pendingStart) return { state, events: [] };
      const message = isRecord(event["message"]) ? event["message"] : {};
      const pendingStart = { id: str(message["id"]) ?? "", model: str(message["model"]) ?? "" };
      return { state: { ...state, pendingStart, usage: readUsage(message["usage"]) ?? {} }, events: [] };
    }
    case "content_block_start":
      return startBlock(state, num(event["index"]), isRecord(event["content_block"]) ? event["content_block"] : {});
    case "content_block_delta":
      return delta(state, num(event["index"]), isRecord(event["delta"]) ? event["delta"] : {});
    case "content_block_stop": {
      const index = num(event["index"]);
      const block = state.blocks[index];
      // A tool called without arguments streams none; the call still needs its `{}`.
      if (block?.kind === "tool" && !block.sentArguments) {
        return { state: setBlock(state, index, { ...block, sentArguments: true }), events: [{ type: "tool-call-delta", index: block.index, argumentsDelta: "{}" }] };
      }
      if (block?.kind === "json" && !block.sentArguments) {
        return { state: setBlock(state, index, { ...block, sentArguments: true }), events: [{ type: "text-delta", delta: "{}" }] };
      }
      return { state, events: [] };
    }
    case "message_delta": {
      const events: StreamEvent[] = [];
      const d = isRecord(event["delta"]) ? event["delta"] : {};
      const stopReason = str(d["stop_reason"]);
      let next = state;
      if (stopReason !== undefined && !state.finished) {
        const details = isRecord(d["stop_details"]) ? d["stop_details"] : {};
        const explanation = str(details["explanation"]);
        if (stopReason === "refusal" && explanation) events.push({ type: "refusal-delta", delta: explanation });
        events.push({ type: "finish", finishReason: mapAnthropicStopReason(stopReason, state.answeredByJsonTool) });
        next = { ...next, finished: true };
      }
      const reported = readUsage(event["usage"]);
      if (reported) {
        const usage = mergeAnthropicUsage(state.usage, reported);
        events.push({ type: "usage", usage: mapAnthropicUsage(usage) });
        next = { ...next, usage, usageSent: true };
      }
      return { state: next, events };
    }
    case "message_stop":
      return withStart({ state: { ...state, done: true }, events: [] }, true);
    default:
      // `ping`, and event types added later (the API promises to add some): nothing to pass on.
      return { state, events: [] };
  }
}

function startBlock(state: AnthropicStreamState, index: number, block: Record<string, unknown>): Step {
  switch (block["type"]) {
    case "text": {
      const next = setBlock(state, index, { kind: "text" });
      const text = str(block["text"]) ?? "";
      return { state: next, events: text !== "" && state.jsonTool === null ? [{ type: "text-delta", delta: text }] : [] };
    }
    case "thinking": {
      const thinking = str(block["thinking"]) ?? "";
      return { state: setBlock(state, index, { kind: "thinking" }), events: thinking !== "" ? [{ type: "reasoning-delta", delta: thinking }] : [] };
    }
    case "tool_use": {
      const name = str(block["name"]) ?? "";
      const input = isRecord(block["input"]) && Object.keys(block["input"]).length > 0 ? JSON.stringify(block["input"]) : "";
      if (state.jsonTool !== null && name === state.jsonTool) {
        const next = { ...setBlock(state, index, { kind: "json", sentArguments: input !== "" }), answeredByJsonTool: true };
        return { state: next, events: input !== "" ? [{ type: "text-delta", delta: input }] : [] };
      }
      const toolIndex = state.toolCalls;
      const next = { ...setBlock(state, index, { kind: "tool", index: toolIndex, sentArguments: input !== "" }), toolCalls: toolIndex + 1 };
      const id = str(block["id"]) ?? `toolu_${toolIndex}`;
      return { state: next, events: [{ type: "tool-call-delta", index: toolIndex, id, name, argumentsDelta: input }] };
    }
    case "fallback": {
      // The requested model handed over to another one before answering; name the one that answers.
      const to = isRecord(block["to"]) ? str(block["to"]["model"]) : undefined;
      const next = setBlock(state, index, { kind: "skip" });
      return { state: state.pendingStart && to ? { ...next, pendingStart: { ...state.pendingStart, model: to } } : next, events: [] };
    }
    default:
      return { state: setBlock(state, index, { kind: "skip" }), events: [] };
  }
}

function delta(state: AnthropicStreamState, index: number, d: Record<string, unknown>): Step {
  const block = state.blocks[index];
  switch (d["type"]) {
    case "text_delta": {
      const text = str(d["text"]) ?? "";
      return { state, events: text !== "" && block?.kind !== "skip" && state.jsonTool === null ? [{ type: "text-delta", delta: text }] : [] };
    }
    case "thinking_delta": {
      const thinking = str(d["thinking"]) ?? "";
      return { state, events: thinking !== "" ? [{ type: "reasoning-delta", delta: thinking }] : [] };
    }
    case "input_json_delta": {
      const partial = str(d["partial_json"]) ?? "";
      if (partial === "" || (block?.kind !== "tool" && block?.kind !== "json")) return { state, events: [] };
      const next = block.sentArguments ? state : setBlock(state, index, { ...block, sentArguments: true });
      if (block.kind === "json") return { state: next, events: [{ type: "text-delta", delta: partial }] };
      return { state: next, events: [{ type: "tool-call-delta", index: block.index, argumentsDelta: partial }] };
    }
    default:
      // signature_delta, citations_delta: nothing the core carries.
      return { state, events: [] };
  }
}

/** Puts the pending `start` before the first events that follow message_start. */
function withStart(step: Step, always = false): Step {
  const pending = step.state.pendingStart;
  if (pending === null || (!always && step.events.length === 0)) return step;
  const start: StreamEvent = { type: "start", id: pending.id, model: pending.model, created: step.state.nowSeconds };
  return { state: { ...step.state, pendingStart: null, started: true }, events: [start, ...step.events] };
}

function setBlock(state: AnthropicStreamState, index: number, block: Block): AnthropicStreamState {
  const blocks = state.blocks.slice();
  blocks[index] = block;
  return { ...state, blocks };
}

function readUsage(value: unknown): AnthropicUsage | undefined {
  const parsed = anthropicUsageSchema.safeParse(value);
  return parsed.success && value != null ? parsed.data : undefined;
}

function fail(state: AnthropicStreamState, error: GatewayError): Step {
  return { state: { ...state, done: true, usageSent: true }, events: [...usageSoFar(state), { type: "error", error }] };
}

function badEvent(state: AnthropicStreamState, what: string): GatewayError {
  return new GatewayError("bad_response", `provider ${state.provider} sent ${what}`, { provider: state.provider });
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
