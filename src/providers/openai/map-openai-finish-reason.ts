import type { FinishReason, UnifiedFinishReason } from "../../core/finish-reason.ts";

const UNIFIED: Readonly<Record<string, UnifiedFinishReason>> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
  content_filter: "content_filter",
  error: "error",
};

export function mapOpenAIFinishReason(raw: string | null | undefined): FinishReason {
  if (raw == null) return { unified: "other", raw: null };
  return { unified: UNIFIED[raw] ?? "other", raw };
}
