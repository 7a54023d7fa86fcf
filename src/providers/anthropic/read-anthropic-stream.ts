import { GatewayError } from "../../core/errors.ts";
import type { StreamBatch } from "../../core/stream-event.ts";
import { oneChunk, readSseStream } from "../shared/read-sse-stream.ts";
import type { UpstreamCall } from "../shared/upstream-call.ts";
import { type AnthropicStreamState, endAnthropicStream, stepAnthropicStream, usageSoFar } from "./anthropic-stream-step.ts";

export interface AnthropicStreamSource {
  /** The response body after the headers arrived. */
  body: AsyncIterable<Uint8Array>;
  call: UpstreamCall;
  initialState: AnthropicStreamState;
  /** Silence allowed between two messages while waiting on the upstream. */
  idleTimeoutMs: number;
  /** Frees the body and the call; runs once the stream is over, however it ends. */
  release: () => void;
}

/** How long to wait for the body to end after `message_stop`, so that its connection can be reused. */
const DRAIN_MS = 1_000;

/**
 * Reads a Messages API event stream: SSE → events → `stepAnthropicStream` → chunks, yielded in one
 * batch per read from the upstream. A stream that breaks, stalls or ends without `message_stop`
 * ends with an `error` event, never with a clean end.
 */
export function readAnthropicStream(source: AnthropicStreamSource): AsyncGenerator<StreamBatch, void, undefined> {
  return readSseStream({
    ...source,
    provider: source.initialState.provider,
    step: (state, message) => oneChunk(stepAnthropicStream(state, message)),
    end: endAnthropicStream,
    // Tokens spent before the break are still on the bill.
    onError: (state, error) => [...usageSoFar(state), { type: "error", error }],
    drain: { ms: DRAIN_MS, onTimeout: () => new GatewayError("timeout", "the body did not end after message_stop") },
  });
}
