import { createParser, type EventSourceMessage } from "eventsource-parser";
import { GatewayError } from "../../core/errors.ts";
import type { StreamBatch, StreamChunk } from "../../core/stream-event.ts";
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
export async function* readGeminiStream(source: GeminiStreamSource): AsyncGenerator<StreamBatch, void, undefined> {
  const { provider, call, idleTimeoutMs } = source;
  const messages: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => messages.push(message) });
  const decoder = new TextDecoder();
  const body = source.body[Symbol.asyncIterator]();
  const stalled = (): GatewayError =>
    new GatewayError("timeout", `${provider}: the stream stalled (no message for ${idleTimeoutMs} ms)`, { provider });
  const lingering = (): GatewayError => new GatewayError("timeout", `${provider}: the body did not end after the finishReason`, { provider });
  const drainMs = idleTimeoutMs > 0 ? Math.min(DRAIN_MS, idleTimeoutMs) : DRAIN_MS;
  let state = source.initialState;
  try {
    // The idle timer runs only while waiting on the upstream, not while the consumer holds a batch.
    let waiting = false;
    while (!state.done) {
      if (!waiting) call.arm(state.finished ? drainMs : idleTimeoutMs, state.finished ? lingering : stalled);
      waiting = true;
      const next = await body.next();
      if (next.done) break;
      parser.feed(decoder.decode(next.value, { stream: true }));
      if (messages.length === 0) continue;
      call.disarm();
      waiting = false;
      const batch: StreamChunk[] = [];
      for (const message of messages.splice(0)) {
        const step = stepGeminiStream(state, message);
        state = step.state;
        if (step.events.length > 0) batch.push({ events: step.events });
        if (state.done) break;
      }
      if (batch.length > 0) yield batch;
    }
    const end = endGeminiStream(state);
    if (end.length > 0) yield [{ events: end }];
  } catch (err) {
    // After the finishReason the answer is complete: a body that then fails or lingers does not undo it.
    const end = state.finished && !state.done ? endGeminiStream(state) : [...usageSoFar(state), { type: "error" as const, error: call.errorFrom(err) }];
    if (end.length > 0) yield [{ events: end }];
  } finally {
    source.release();
  }
}
