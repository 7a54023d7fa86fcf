import type { StreamEvent } from "../../core/stream-event.ts";
import { toOpenAIFinishReason, toOpenAIUsage } from "./encode-chat-result.ts";

/** What the chunk encoder remembers between events. */
export interface ChunkEncoderState {
  id: string;
  model: string;
  created: number;
  /** The first delta carries `role: "assistant"`. */
  roleSent: boolean;
}

export function initialChunkEncoderState(fallback: { id: string; model: string; created: number }): ChunkEncoderState {
  return { ...fallback, roleSent: false };
}

/**
 * One step of core stream events → `chat.completion.chunk` objects. Pure: returns the next
 * state and the chunks to write (zero or one per event). `error` events are not chunks; the
 * edge writes them as an explicit error event.
 */
export function encodeChatChunk(
  state: ChunkEncoderState,
  event: StreamEvent,
): { state: ChunkEncoderState; chunk: Record<string, unknown> | null } {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> => ({
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  const withRole = (delta: Record<string, unknown>): Record<string, unknown> =>
    state.roleSent ? delta : { role: "assistant", ...delta };
  switch (event.type) {
    case "start": {
      // An upstream that omits id, model or created leaves the gateway's own values in place.
      const next = { ...state, id: event.id || state.id, model: event.model || state.model, created: event.created || state.created, roleSent: true };
      return { state: next, chunk: { ...chunkOf(next, { role: "assistant", content: "" }) } };
    }
    case "text-delta":
      return { state: { ...state, roleSent: true }, chunk: chunk(withRole({ content: event.delta })) };
    case "reasoning-delta":
      return { state: { ...state, roleSent: true }, chunk: chunk(withRole({ reasoning_content: event.delta })) };
    case "refusal-delta":
      return { state: { ...state, roleSent: true }, chunk: chunk(withRole({ refusal: event.delta })) };
    case "tool-call-delta": {
      const call: Record<string, unknown> = { index: event.index };
      if (event.id !== undefined) call["id"] = event.id;
      if (event.id !== undefined || event.name !== undefined) call["type"] = "function";
      const fn: Record<string, unknown> = { arguments: event.argumentsDelta };
      if (event.name !== undefined) fn["name"] = event.name;
      call["function"] = fn;
      return { state: { ...state, roleSent: true }, chunk: chunk(withRole({ tool_calls: [call] })) };
    }
    case "finish":
      return { state, chunk: chunk({}, toOpenAIFinishReason(event.finishReason)) };
    case "usage":
      return {
        state,
        chunk: {
          id: state.id,
          object: "chat.completion.chunk",
          created: state.created,
          model: state.model,
          choices: [],
          usage: toOpenAIUsage(event.usage),
        },
      };
    case "error":
      return { state, chunk: null };
    default: {
      const never: never = event;
      return never;
    }
  }
}

function chunkOf(state: ChunkEncoderState, delta: Record<string, unknown>): Record<string, unknown> {
  return {
    id: state.id,
    object: "chat.completion.chunk",
    created: state.created,
    model: state.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
  };
}
