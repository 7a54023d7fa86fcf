import type { FinishReason } from "../core/finish-reason.ts";
import type { ToolCall } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import type { StreamEvent } from "../core/stream-event.ts";
import type { Usage } from "../core/usage.ts";

/** A streamed answer put back together, so it can be kept as a whole one (the response cache). */
export interface StreamResultCollector {
  add(events: readonly StreamEvent[]): void;
  /** The whole answer; null when the stream did not finish or broke off. */
  result(): ChatResult | null;
}

export function collectStreamResult(): StreamResultCollector {
  let start: { id: string; model: string; created: number } | null = null;
  let content = "";
  let reasoning: string | null = null;
  let refusal: string | null = null;
  const toolCalls: ToolCall[] = [];
  let finishReason: FinishReason | null = null;
  let usage: Usage | null = null;
  let failed = false;
  return {
    add(events) {
      for (const event of events) {
        switch (event.type) {
          case "start":
            start = { id: event.id, model: event.model, created: event.created };
            break;
          case "text-delta":
            content += event.delta;
            break;
          case "reasoning-delta":
            reasoning = (reasoning ?? "") + event.delta;
            break;
          case "refusal-delta":
            refusal = (refusal ?? "") + event.delta;
            break;
          case "tool-call-delta": {
            const call = (toolCalls[event.index] ??= { id: "", name: "", arguments: "" });
            if (event.id !== undefined) call.id = event.id;
            if (event.name !== undefined) call.name = event.name;
            call.arguments += event.argumentsDelta;
            break;
          }
          case "finish":
            finishReason = event.finishReason;
            break;
          case "usage":
            usage = event.usage;
            break;
          case "error":
            failed = true;
            break;
          default: {
            const never: never = event;
            return never;
          }
        }
      }
    },
    result() {
      if (failed || finishReason === null || start === null) return null;
      const s: { id: string; model: string; created: number } = start;
      return {
        id: s.id,
        model: s.model,
        created: s.created,
        content: content === "" && (toolCalls.length > 0 || refusal !== null) ? null : content,
        ...(reasoning !== null && { reasoning }),
        ...(refusal !== null && { refusal }),
        // Indexes may skip (a provider numbering its content blocks); the holes are not calls.
        toolCalls: toolCalls.filter((c) => c !== undefined),
        finishReason,
        usage,
      };
    },
  };
}
