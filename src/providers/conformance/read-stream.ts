import assert from "node:assert/strict";
import type { StreamBatch, StreamEvent } from "../../core/stream-event.ts";
import { within } from "./within.ts";

export interface ReadStream {
  events: StreamEvent[];
  /** Number of batches read. */
  batches: number;
}

/** Reads a whole stream, failing on an empty batch or a read that takes longer than `stepMs`. */
export async function readStream(stream: AsyncIterable<StreamBatch>, stepMs: number): Promise<ReadStream> {
  const iterator = stream[Symbol.asyncIterator]();
  const events: StreamEvent[] = [];
  let batches = 0;
  try {
    for (;;) {
      const next = await within(iterator.next(), stepMs, `reading batch ${batches + 1} of the stream`);
      if (next.done) return { events, batches };
      assertBatch(next.value, batches);
      batches += 1;
      for (const chunk of next.value) events.push(...chunk.events);
    }
  } finally {
    await iterator.return?.();
  }
}

/** A batch is never empty (StreamBatch's contract: the messages that arrived together). */
export function assertBatch(batch: StreamBatch, index: number): void {
  assert.ok(Array.isArray(batch), `batch ${index + 1} is not an array`);
  assert.ok(batch.length > 0, `batch ${index + 1} is empty; a batch holds the messages that arrived together, never none`);
}

export function eventsOf<T extends StreamEvent["type"]>(events: readonly StreamEvent[], type: T): Extract<StreamEvent, { type: T }>[] {
  return events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type);
}

export function joinedText(events: readonly StreamEvent[]): string {
  return eventsOf(events, "text-delta")
    .map((e) => e.delta)
    .join("");
}
