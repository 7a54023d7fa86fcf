import type { GatewayError } from "../../core/errors.ts";
import type { StreamBatch } from "../../core/stream-event.ts";
import { encodeMessagesError } from "./encode-messages-error.ts";
import type { MessagesEncodeOptions } from "./encode-messages-result.ts";
import {
  encodeMessagesStreamEvent,
  endMessagesStream,
  initialMessagesStreamState,
  type MessagesStreamEvent,
  type MessagesStreamState,
} from "./encode-messages-stream.ts";

/** One named SSE event, as the Messages API frames them: `event: <type>` then its JSON as `data:`. */
export function sseEvent(event: { type: string }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export interface MessagesStreamWriter {
  /** The SSE text for one batch of core events ("" when nothing is due yet). */
  batch(batch: StreamBatch): string;
  /** `message_delta` and `message_stop`, for a stream that finished well. */
  end(): string;
  /** An `error` event, for a stream that broke after it started; never followed by `message_stop`. */
  fail(error: GatewayError): string;
}

/** Drives the pure step over a stream's batches and frames what it returns. */
export function createMessagesStreamWriter(options: MessagesEncodeOptions): MessagesStreamWriter {
  let state: MessagesStreamState = initialMessagesStreamState(options);
  const frame = (events: readonly MessagesStreamEvent[]): string => events.map(sseEvent).join("");
  return {
    batch(batch) {
      let text = "";
      for (const chunk of batch) {
        for (const event of chunk.events) {
          const step = encodeMessagesStreamEvent(state, event);
          state = step.state;
          text += frame(step.events);
        }
      }
      return text;
    },
    end: () => frame(endMessagesStream(state)),
    fail: (error) => sseEvent(encodeMessagesError(error)),
  };
}
