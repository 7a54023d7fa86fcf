import type { FinishReason } from "../../core/finish-reason.ts";
import type { StreamEvent } from "../../core/stream-event.ts";
import type { Usage } from "../../core/usage.ts";
import {
  messageIdFor,
  stopSequenceFor,
  toAnthropicStopReason,
  toAnthropicUsage,
  type AnthropicContentBlock,
  type AnthropicMessageBody,
  type AnthropicStopReason,
  type AnthropicUsage,
  type MessagesEncodeOptions,
} from "./encode-messages-result.ts";

/** The Messages stream events the gateway sends (https://docs.anthropic.com/en/api/messages-streaming). */
export type MessagesStreamEvent =
  | { type: "message_start"; message: AnthropicMessageBody }
  | { type: "content_block_start"; index: number; content_block: AnthropicContentBlock }
  | { type: "content_block_delta"; index: number; delta: BlockDelta }
  | { type: "content_block_stop"; index: number }
  | { type: "message_delta"; delta: { stop_reason: AnthropicStopReason; stop_sequence: string | null }; usage: AnthropicUsage }
  | { type: "message_stop" };

type BlockDelta =
  | { type: "text_delta"; text: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "input_json_delta"; partial_json: string };

type BlockKind = AnthropicContentBlock["type"];

/** What the stream encoder remembers between events. */
export interface MessagesStreamState {
  id: string;
  model: string;
  includeThinking: boolean;
  stopSequences: readonly string[];
  /** `message_start` has been sent. */
  started: boolean;
  /** The block being written; Anthropic blocks never interleave, so one is open at a time. */
  open: { kind: BlockKind; index: number } | null;
  nextIndex: number;
  /** Core tool-call index → its content block index. */
  toolBlocks: Readonly<Record<number, number>>;
  usage: Usage | null;
  finishReason: FinishReason | null;
}

/** The state before the first event: the fallback id and model stand until the upstream's `start`. */
export function initialMessagesStreamState(options: MessagesEncodeOptions): MessagesStreamState {
  return {
    id: options.fallbackId,
    model: options.fallbackModel,
    includeThinking: options.includeThinking,
    stopSequences: options.stopSequences,
    started: false,
    open: null,
    nextIndex: 0,
    toolBlocks: {},
    usage: null,
    finishReason: null,
  };
}

/**
 * One step of core stream events → Messages stream events. Pure: returns the next state and the
 * events to write. `message_start` waits for the first output so that it carries any usage the
 * upstream reported up front; the stop reason and usage wait for the end (`endMessagesStream`),
 * because Anthropic sends them together in `message_delta`. `error` events are the edge's to write.
 */
export function encodeMessagesStreamEvent(state: MessagesStreamState, event: StreamEvent): { state: MessagesStreamState; events: MessagesStreamEvent[] } {
  const s: MessagesStreamState = { ...state };
  const out: MessagesStreamEvent[] = [];
  switch (event.type) {
    case "start":
      if (!s.started) {
        s.id = messageIdFor(event.id, s.id);
        if (event.model !== "") s.model = event.model;
      }
      break;
    case "text-delta":
    case "refusal-delta":
      if (event.delta === "") break;
      out.push({ type: "content_block_delta", index: ensureBlock(s, out, "text"), delta: { type: "text_delta", text: event.delta } });
      break;
    case "reasoning-delta":
      if (!s.includeThinking || event.delta === "") break;
      out.push({ type: "content_block_delta", index: ensureBlock(s, out, "thinking"), delta: { type: "thinking_delta", thinking: event.delta } });
      break;
    case "tool-call-delta": {
      let index = s.toolBlocks[event.index];
      if (index === undefined) {
        index = openBlock(s, out, {
          type: "tool_use",
          id: event.id ?? `toolu_${s.id}_${event.index}`,
          name: event.name ?? "",
          input: {},
        });
        s.toolBlocks = { ...s.toolBlocks, [event.index]: index };
      }
      // A piece for a call whose block was already closed still names that block: the SDK
      // accumulates by index. Upstreams stream calls one after another, so this is rare.
      if (event.argumentsDelta !== "") out.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: event.argumentsDelta } });
      break;
    }
    case "finish":
      s.finishReason = event.finishReason;
      break;
    case "usage":
      s.usage = event.usage;
      break;
    case "error":
      break;
    default: {
      const never: never = event;
      return never;
    }
  }
  return { state: s, events: out };
}

/** The events that end a stream that finished well: the last block's stop, `message_delta`, `message_stop`. */
export function endMessagesStream(state: MessagesStreamState): MessagesStreamEvent[] {
  const s: MessagesStreamState = { ...state };
  const out: MessagesStreamEvent[] = [];
  begin(s, out);
  close(s, out);
  const stopReason = toAnthropicStopReason(s.finishReason ?? { unified: "stop", raw: null });
  out.push({
    type: "message_delta",
    delta: { stop_reason: stopReason, stop_sequence: stopSequenceFor(stopReason, s.stopSequences) },
    usage: toAnthropicUsage(s.usage),
  });
  out.push({ type: "message_stop" });
  return out;
}

function begin(s: MessagesStreamState, out: MessagesStreamEvent[]): void {
  if (s.started) return;
  s.started = true;
  out.push({
    type: "message_start",
    message: { id: s.id, type: "message", role: "assistant", model: s.model, content: [], stop_reason: null, stop_sequence: null, usage: toAnthropicUsage(s.usage) },
  });
}

function close(s: MessagesStreamState, out: MessagesStreamEvent[]): void {
  if (s.open === null) return;
  out.push({ type: "content_block_stop", index: s.open.index });
  s.open = null;
}

function openBlock(s: MessagesStreamState, out: MessagesStreamEvent[], block: AnthropicContentBlock): number {
  begin(s, out);
  close(s, out);
  const index = s.nextIndex;
  s.nextIndex += 1;
  s.open = { kind: block.type, index };
  out.push({ type: "content_block_start", index, content_block: block });
  return index;
}

/** The open block's index when it is of `kind`; else a new block's. */
function ensureBlock(s: MessagesStreamState, out: MessagesStreamEvent[], kind: "text" | "thinking"): number {
  if (s.open?.kind === kind) return s.open.index;
  return openBlock(s, out, kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" });
}
