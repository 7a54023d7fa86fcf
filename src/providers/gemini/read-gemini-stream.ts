import { GatewayError } from "../../core/errors.ts";
import type { StreamBatch } from "../../core/stream-event.ts";
import { oneChunk, readSseStream } from "../shared/read-sse-stream.ts";
import type { UpstreamCall } from "../shared/upstream-call.ts";
import { endGeminiStream, stepGeminiStream, usageSoFar, type GeminiStreamState } from "./gemini-stream-step.ts";

export interface GeminiStreamSource {
  provider: string;
  /** The response body after the headers arrived. */
  body: AsyncIterable<Uint8Array>;
  call: UpstreamCall;
  initialState: GeminiStreamState;
  /** Silence allowed between two messages while waiting on the upstream. */
  idleTimeoutMs: number;
  /** Frees the body and the call; runs once the stream is over, however it ends. */
  release: () => void;
}

/**
 * How long to wait for the body to end after the finishReason (at most; the idle timeout when it
 * is shorter). Gemini has no `[DONE]`: the end of the body ends the stream, and the final usage
 * is passed on then.
 */
const DRAIN_MS = 1_000;

/**
 * Reads a `streamGenerateContent?alt=sse` body: SSE → messages → `stepGeminiStream` → chunks,
 * yielded in one batch per read from the upstream. A stream that breaks, stalls or ends before
 * its finishReason ends with an `error` event, never with a clean end.
 */
export function readGeminiStream(source: GeminiStreamSource): AsyncGenerator<StreamBatch, void, undefined> {
  const { provider, idleTimeoutMs } = source;
  const lingering = {
    ms: idleTimeoutMs > 0 ? Math.min(DRAIN_MS, idleTimeoutMs) : DRAIN_MS,
    onTimeout: () => new GatewayError("timeout", `${provider}: the body did not end after the finishReason`, { provider }),
  };
  return readSseStream({
    ...source,
    step: (state, message) => oneChunk(stepGeminiStream(state, message)),
    end: endGeminiStream,
    // After the finishReason the answer is complete: a body that then fails or lingers does not undo it.
    onError: (state, error) => (state.finished && !state.done ? endGeminiStream(state) : [...usageSoFar(state), { type: "error", error }]),
    waitLimit: (state) => (state.finished ? lingering : undefined),
  });
}
