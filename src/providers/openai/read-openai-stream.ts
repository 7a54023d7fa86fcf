import { createParser, type EventSourceMessage } from "eventsource-parser";
import { GatewayError } from "../../core/errors.ts";
import type { StreamBatch, StreamChunk } from "../../core/stream-event.ts";
import { endOpenAIStream, initialOpenAIStreamState, stepOpenAIStream } from "./openai-stream-step.ts";
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
export async function* readOpenAIStream(source: OpenAIStreamSource): AsyncGenerator<StreamBatch, void, undefined> {
  const { provider, call, idleTimeoutMs } = source;
  const messages: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => messages.push(message) });
  const decoder = new TextDecoder();
  const body = source.body[Symbol.asyncIterator]();
  const stalled = (): GatewayError =>
    new GatewayError("timeout", `${provider}: the stream stalled (no message for ${idleTimeoutMs} ms)`, { provider });
  let state = initialOpenAIStreamState(provider);
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
        const step = stepOpenAIStream(state, message);
        state = step.state;
        if (step.events.some((e) => e.type === "error")) {
          failed = true;
          batch.push({ events: step.events });
        } else if (!state.done) {
          batch.push({ events: step.events, openaiData: message.data });
        }
        if (state.done) break;
      }
      if (batch.length > 0) yield batch;
    }
    const end = endOpenAIStream(state);
    if (end.length > 0) {
      failed = true;
      yield [{ events: end }];
    }
  } catch (err) {
    failed = true;
    yield [{ events: [{ type: "error", error: call.errorFrom(err) }] }];
  } finally {
    if (!failed && state.done) await drain(body, call);
    source.release();
  }
}

async function drain(body: AsyncIterator<Uint8Array>, call: UpstreamCall): Promise<void> {
  call.arm(DRAIN_MS, () => new GatewayError("timeout", "the body did not end after [DONE]"));
  try {
    while (!(await body.next()).done) {
      // whatever follows [DONE] is not part of the answer
    }
  } catch {
    // the answer is complete; the connection just will not be reused
  }
}
