import { GatewayError } from "../../core/errors.ts";
import { firstError, type StreamBatch } from "../../core/stream-event.ts";
import { endOpenAIStream, initialOpenAIStreamState, stepOpenAIStream } from "./openai-stream-step.ts";
import type { PlainDeltaMemo } from "./plain-content-delta.ts";
import { readSseStream } from "../shared/read-sse-stream.ts";
import type { UpstreamCall } from "../shared/upstream-call.ts";

export interface OpenAIStreamSource {
  provider: string;
  /** The response body after the headers arrived. */
  body: AsyncIterable<Uint8Array>;
  call: UpstreamCall;
  /** Silence allowed between two messages while waiting on the upstream. */
  idleTimeoutMs: number;
  /** Frees the body and the call; runs once the stream is over, however it ends. */
  release: () => void;
}

/** How long to wait for the body to end after `[DONE]`, so that its connection can be reused. */
const DRAIN_MS = 1_000;

/**
 * Reads a Chat Completions event stream: SSE → messages → `stepOpenAIStream` → chunks, yielded in
 * one batch per read from the upstream. A stream that breaks, stalls or ends early ends with an
 * `error` event, never with a clean end.
 */
export function readOpenAIStream(source: OpenAIStreamSource): AsyncGenerator<StreamBatch, void, undefined> {
  const memo: PlainDeltaMemo = {};
  return readSseStream({
    ...source,
    initialState: initialOpenAIStreamState(source.provider),
    step: (state, message) => {
      const step = stepOpenAIStream(state, message, memo);
      // Each chunk keeps its raw JSON, so that an OpenAI client can be answered verbatim; `[DONE]` yields none.
      if (firstError(step.events)) return { state: step.state, chunks: [{ events: step.events }] };
      return { state: step.state, chunks: step.state.done ? [] : [{ events: step.events, openaiData: message.data }] };
    },
    end: endOpenAIStream,
    onError: (_state, error) => [{ type: "error", error }],
    drain: { ms: DRAIN_MS, onTimeout: () => new GatewayError("timeout", "the body did not end after [DONE]") },
  });
}
