import type { FinishReason, UnifiedFinishReason } from "../../core/finish-reason.ts";

/** https://docs.claude.com/en/api/handling-stop-reasons */
const UNIFIED: Readonly<Record<string, UnifiedFinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  // Sonnet 4.5+: the answer ran into the context window rather than max_tokens.
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
  pause_turn: "other",
};

/**
 * `stop_reason` → finish reason. `answeredByJsonTool`: the forced tool that carries a json_schema
 * answer was called, which the client sees as content, so its `tool_use` is a plain stop.
 */
export function mapAnthropicStopReason(raw: string | null | undefined, answeredByJsonTool = false): FinishReason {
  if (raw == null) return { unified: "other", raw: null };
  if (raw === "tool_use" && answeredByJsonTool) return { unified: "stop", raw };
  return { unified: UNIFIED[raw] ?? "other", raw };
}
