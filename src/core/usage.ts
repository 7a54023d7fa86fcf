/**
 * Token usage as reported by a provider, normalised. `inputTokens` includes cached and
 * cache-write tokens (OpenAI's convention); `outputTokens` includes reasoning tokens.
 */
export interface Usage {
  inputTokens: number;
  /** Input tokens served from the provider's prompt cache (billed at the cached rate). */
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (billed at the cache-write rate). */
  cacheWriteTokens: number;
  outputTokens: number;
  /** Output tokens spent on hidden reasoning / thinking. */
  reasoningTokens: number;
}

export const EMPTY_USAGE: Readonly<Usage> = Object.freeze({
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
});

export function emptyUsage(): Usage {
  return { ...EMPTY_USAGE };
}
