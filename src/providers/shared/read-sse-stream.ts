import { createSseReader, type SseEvent } from "./sse-reader.ts";
import { GatewayError } from "../../core/errors.ts";
import { firstError, type StreamBatch, type StreamChunk, type StreamEvent } from "../../core/stream-event.ts";
import type { UpstreamCall } from "./upstream-call.ts";

/** A timer to arm while waiting on the upstream. */
export interface WaitLimit {
  ms: number;
  onTimeout: () => GatewayError;
}

export interface SseStreamSource<S extends { readonly done: boolean }> {
  provider: string;
  /** The response body after the headers arrived. */
  body: AsyncIterable<Uint8Array>;
  call: UpstreamCall;
  /** Silence allowed between two messages while waiting on the upstream. */
  idleTimeoutMs: number;
  initialState: S;
  /** The provider's pure step: one SSE message → the next state and the chunks it yields. */
  step: (state: S, message: SseEvent) => { state: S; chunks: StreamChunk[] };
  /** What to emit when the body ends; anything at all means the stream did not end cleanly. */
  end: (state: S) => StreamEvent[];
  /** What to emit when reading the body throws (`error` says why). */
  onError: (state: S, error: GatewayError) => StreamEvent[];
  /** A different limit for the wait in this state; the idle timeout when it answers undefined. */
  waitLimit?: (state: S) => WaitLimit | undefined;
  /** After a clean end (`done`, no error), read the rest of the body within this limit, so its connection can be reused. */
  drain?: WaitLimit;
  /** Frees the body and the call; runs once the stream is over, however it ends. */
  release: () => void;
}

/**
 * Reads an SSE body: SSE → messages → `step` → chunks, yielded in one batch per read from the
 * upstream, until the state is `done` or the body ends. A stream that breaks or stalls ends with
 * what `onError` says, one that ends early with what `end` says.
 */
export async function* readSseStream<S extends { readonly done: boolean }>(source: SseStreamSource<S>): AsyncGenerator<StreamBatch, void, undefined> {
  const { provider, call, idleTimeoutMs } = source;
  const messages: SseEvent[] = [];
  const parser = createSseReader((message) => messages.push(message));
  const decoder = new TextDecoder();
  const body = source.body[Symbol.asyncIterator]();
  const stalled: WaitLimit = {
    ms: idleTimeoutMs,
    onTimeout: () => new GatewayError("timeout", `${provider}: the stream stalled (no message for ${idleTimeoutMs} ms)`, { provider }),
  };
  let state = source.initialState;
  let failed = false;
  try {
    // The idle timer runs only while waiting on the upstream, not while the consumer holds a batch.
    let waiting = false;
    while (!state.done) {
      if (!waiting) {
        const limit = source.waitLimit?.(state) ?? stalled;
        call.arm(limit.ms, limit.onTimeout);
      }
      waiting = true;
      const next = await body.next();
      if (next.done) break;
      parser.feed(decoder.decode(next.value, { stream: true }));
      if (messages.length === 0) continue;
      call.disarm();
      waiting = false;
      const batch: StreamChunk[] = [];
      for (const message of messages.splice(0)) {
        const step = source.step(state, message);
        state = step.state;
        for (const chunk of step.chunks) {
          batch.push(chunk);
          if (firstError(chunk.events)) failed = true;
        }
        if (state.done) break;
      }
      if (batch.length > 0) yield batch;
    }
    const end = source.end(state);
    if (end.length > 0) {
      failed = true;
      yield [{ events: end }];
    }
  } catch (err) {
    failed = true;
    const end = source.onError(state, call.errorFrom(err));
    if (end.length > 0) yield [{ events: end }];
  } finally {
    if (source.drain && !failed && state.done) await drain(body, call, source.drain);
    source.release();
  }
}

/** The usual step result → chunks: one chunk of the step's events, none when it has none. */
export function oneChunk<S>(step: { state: S; events: StreamEvent[] }): { state: S; chunks: StreamChunk[] } {
  return { state: step.state, chunks: step.events.length > 0 ? [{ events: step.events }] : [] };
}

async function drain(body: AsyncIterator<Uint8Array>, call: UpstreamCall, limit: WaitLimit): Promise<void> {
  call.arm(limit.ms, limit.onTimeout);
  try {
    while (!(await body.next()).done) {
      // whatever follows the end is not part of the answer
    }
  } catch {
    // the answer is complete; the connection just will not be reused
  }
}
