/** The closed set of reasons a generation ends, shared by every provider. */
export type UnifiedFinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "error" | "other";

/** A finish reason kept both normalised and as the provider sent it. */
export interface FinishReason {
  unified: UnifiedFinishReason;
  raw: string | null;
}
