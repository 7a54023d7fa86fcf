import type { FinishReason, UnifiedFinishReason } from "../../core/finish-reason.ts";

/** https://ai.google.dev/api/generate-content#FinishReason */
const UNIFIED: Readonly<Record<string, UnifiedFinishReason>> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
  IMAGE_PROHIBITED_CONTENT: "content_filter",
};

/** Gemini ends a turn that calls functions with STOP; the core calls that `tool_calls`. */
export function mapGeminiFinishReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (raw == null) return { unified: "other", raw: null };
  const unified = UNIFIED[raw] ?? "other";
  return { unified: unified === "stop" && hasToolCalls ? "tool_calls" : unified, raw };
}
