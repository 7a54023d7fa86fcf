import type { FinishReason } from "../../core/finish-reason.ts";
import type { ChatResult } from "../../core/result.ts";
import type { Usage } from "../../core/usage.ts";

export type AnthropicStopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "pause_turn" | "refusal" | "model_context_window_exceeded";

const STOP_REASONS: ReadonlySet<string> = new Set<AnthropicStopReason>([
  "end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded",
]);

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
  output_tokens_details?: { thinking_tokens: number };
}

/**
 * A thinking block's `signature` is required by the SDK's types; the gateway cannot sign, so it
 * is empty. The parser never forwards client thinking blocks as such, so it is never checked.
 */
export type AnthropicContentBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessageBody {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/** What the answer's encoding needs to know about the request. */
export interface MessagesEncodeOptions {
  /** The message id when the upstream's id is not an Anthropic one. */
  fallbackId: string;
  /** The model named when the upstream reported none. */
  fallbackModel: string;
  /** Thinking blocks are sent only to a client that turned thinking on, as Anthropic does. */
  includeThinking: boolean;
  stopSequences: readonly string[];
}

/** Anthropic's `stop_reason`: an Anthropic upstream's own reason as it came, else from the unified one. */
export function toAnthropicStopReason(reason: FinishReason): AnthropicStopReason {
  if (reason.raw !== null && STOP_REASONS.has(reason.raw)) return reason.raw as AnthropicStopReason;
  switch (reason.unified) {
    case "stop":
    case "error":
    case "other":
      return "end_turn";
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default: {
      const never: never = reason.unified;
      return never;
    }
  }
}

/** The matched stop sequence, when it can be known: OpenAI-format upstreams do not say which one hit. */
export function stopSequenceFor(stopReason: AnthropicStopReason | null, stopSequences: readonly string[]): string | null {
  return stopReason === "stop_sequence" && stopSequences.length === 1 ? (stopSequences[0] ?? null) : null;
}

/** Anthropic counts input without the cache reads and writes; the core counts them in. */
export function toAnthropicUsage(usage: Usage | null): AnthropicUsage {
  if (usage === null) return { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens,
    ...(usage.reasoningTokens > 0 && { output_tokens_details: { thinking_tokens: usage.reasoningTokens } }),
  };
}

/** An upstream `msg_…` id is kept; any other gets the gateway's. */
export function messageIdFor(upstreamId: string, fallbackId: string): string {
  return upstreamId.startsWith("msg_") ? upstreamId : fallbackId;
}

/** A tool call's arguments as the `input` object; `null` when the model wrote no JSON object. */
export function parseToolInput(args: string): Record<string, unknown> | null {
  if (args.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The Anthropic `message` for a core result, and what could not be carried over faithfully. */
export function encodeMessagesResult(result: ChatResult, options: MessagesEncodeOptions): { message: AnthropicMessageBody; warnings: string[] } {
  const warnings: string[] = [];
  const content: AnthropicContentBlock[] = [];
  if (options.includeThinking && result.reasoning) content.push({ type: "thinking", thinking: result.reasoning, signature: "" });
  if (result.content) content.push({ type: "text", text: result.content });
  if (result.refusal) content.push({ type: "text", text: result.refusal });
  for (const call of result.toolCalls) {
    const input = parseToolInput(call.arguments);
    if (input === null) warnings.push(`tool call ${call.id} (${call.name}) had arguments that are not a JSON object; sent as an empty input`);
    content.push({ type: "tool_use", id: call.id, name: call.name, input: input ?? {} });
  }
  const stopReason = toAnthropicStopReason(result.finishReason);
  return {
    message: {
      id: messageIdFor(result.id, options.fallbackId),
      type: "message",
      role: "assistant",
      model: result.model || options.fallbackModel,
      content,
      stop_reason: stopReason,
      stop_sequence: stopSequenceFor(stopReason, options.stopSequences),
      usage: toAnthropicUsage(result.usage),
    },
    warnings,
  };
}
