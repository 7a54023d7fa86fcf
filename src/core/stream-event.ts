import type { FinishReason } from "./finish-reason.ts";
import type { GatewayError } from "./errors.ts";
import type { Usage } from "./usage.ts";

/** The provider-neutral stream: every adapter produces these, every client codec consumes them. */
export type StreamEvent =
  | { type: "start"; id: string; model: string; created: number }
  | { type: "text-delta"; delta: string }
  | { type: "reasoning-delta"; delta: string }
  | { type: "refusal-delta"; delta: string }
  /** A tool call's first piece carries `id` and `name`; later pieces only `argumentsDelta`. */
  | { type: "tool-call-delta"; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: "finish"; finishReason: FinishReason }
  | { type: "usage"; usage: Usage }
  /** The upstream failed mid-stream (in-stream error event, broken connection, stall). */
  | { type: "error"; error: GatewayError };

/**
 * One upstream stream message: the events it maps to and, when the upstream already speaks
 * the OpenAI chat-chunk format, its `data:` payload as received so the OpenAI edge can forward
 * it byte for byte instead of re-serialising.
 */
export interface StreamChunk {
  events: StreamEvent[];
  openaiData?: string;
}

/**
 * The stream messages that arrived together (one read from the upstream, one pacing tick of the
 * simulator). Never empty. Handing them on together lets the edge answer with one write.
 */
export type StreamBatch = readonly StreamChunk[];

/** True when an event carries output the client will see (the stream commit point). */
export function isContentEvent(event: StreamEvent): boolean {
  switch (event.type) {
    case "text-delta":
    case "reasoning-delta":
    case "refusal-delta":
      return event.delta.length > 0;
    case "tool-call-delta":
      return true;
    case "start":
    case "finish":
    case "usage":
    case "error":
      return false;
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The error a stream's events carry, if any (the first). */
export function firstError(events: readonly StreamEvent[]): GatewayError | null {
  for (const e of events) if (e.type === "error") return e.error;
  return null;
}
