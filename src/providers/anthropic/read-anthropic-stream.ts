import { createParser, type EventSourceMessage } from "eventsource-parser";
import { GatewayError } from "../../core/errors.ts";
import type { StreamBatch, StreamChunk } from "../../core/stream-event.ts";
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
export async function* readAnthropicStream(source: AnthropicStreamSource): AsyncGenerator<StreamBatch, void, undefined> {
  const { call, idleTimeoutMs } = source;
  let state = source.initialState;
  const provider = state.provider;
  const messages: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => messages.push(message) });
  const decoder = new TextDecoder();
  const body = source.body[Symbol.asyncIterator]();
  const stalled = (): GatewayError => new GatewayError("timeout", `${provider}: the stream stalled (no message for ${idleTimeoutMs} ms)`, { provider });
  let failed = false;
  try {
    // The idle timer runs only while waiting on the upstream, not while the consumer holds a batch.
    let waiting = false;
    while (!state.done) {
      if (!waiting) call.arm(idleTimeoutMs, stalled);
      waiting = true;
      const next = await body.next();
      if (next.done) break;
      parser.feed(decoder.decode(next.value, { stream: true }));
      if (messages.length === 0) continue;
      call.disarm();
      waiting = false;
      const batch: StreamChunk[] = [];
      for (const message of messages.splice(0)) {
        const step = stepAnthropicStream(state, message);
        state = step.state;
        if (step.events.length > 0) batch.push({ events: step.events });
        if (step.events.some((e) => e.type === "error")) failed = true;
        if (state.done) break;
      }
      if (batch.length > 0) yield batch;
    }
    const end = endAnthropicStream(state);
    if (end.length > 0) {
      failed = true;
      yield [{ events: end }];
    }
  } catch (err) {
    failed = true;
    yield [{ events: [...usageSoFar(state), { type: "error", error: call.errorFrom(err) }] }];
  } finally {
    if (!failed && state.done) await drain(body, call);
    source.release();
  }
}

async function drain(body: AsyncIterator<Uint8Array>, call: UpstreamCall): Promise<void> {
  call.arm(DRAIN_MS, () => new GatewayError("timeout", "the body did not end after message_stop"));
  try {
    while (!(await body.next()).done) {
      // whatever follows message_stop is not part of the answer
    }
  } catch {
    // the answer is complete; the connection just will not be reused
  }
}
