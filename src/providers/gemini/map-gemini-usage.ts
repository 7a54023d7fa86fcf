import type { Usage } from "../../core/usage.ts";
import type { GeminiUsage } from "./gemini-schemas.ts";

/**
 * `usageMetadata` → core usage. Gemini counts the thinking apart from the answer
 * (`thoughtsTokenCount` is not in `candidatesTokenCount`); the core counts it in the output.
 * `promptTokenCount` already includes `cachedContentTokenCount`.
 */
export function mapGeminiUsage(usage: GeminiUsage): Usage {
  const thoughts = usage.thoughtsTokenCount ?? 0;
  return {
    inputTokens: (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0),
    cachedInputTokens: usage.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    outputTokens: (usage.candidatesTokenCount ?? 0) + thoughts,
    reasoningTokens: thoughts,
  };
}
