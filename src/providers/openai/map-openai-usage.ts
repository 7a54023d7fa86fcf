import type { Usage } from "../../core/usage.ts";
import type { OpenAIUsage } from "./openai-schemas.ts";

/** Chat Completions `usage` → core usage (inputs include cached tokens, outputs include reasoning). */
export function mapOpenAIUsage(usage: OpenAIUsage): Usage {
  const input = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  // xAI leaves reasoning out of completion_tokens (its total is prompt + completion + reasoning);
  // OpenAI and DeepSeek count it in. The total tells which convention the server follows.
  const reasoningOutside = reasoning > 0 && usage.total_tokens === input + completion + reasoning;
  return {
    inputTokens: input,
    // DeepSeek reports prompt_cache_hit_tokens (newer answers carry both).
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
    cacheWriteTokens: 0,
    outputTokens: reasoningOutside ? completion + reasoning : completion,
    reasoningTokens: reasoning,
  };
}
