import type { Usage } from "../../core/usage.ts";
import type { AnthropicUsage } from "./anthropic-schemas.ts";

/**
 * Messages API `usage` → core usage. Anthropic's `input_tokens` counts only the uncached part of
 * the prompt; the core's `inputTokens` includes cache reads and cache writes, so they are added.
 * Thinking tokens are billed inside `output_tokens` and not reported apart, so `reasoningTokens`
 * stays 0. https://docs.claude.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function mapAnthropicUsage(usage: AnthropicUsage): Usage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + cacheRead + cacheWrite,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: usage.output_tokens ?? 0,
    reasoningTokens: 0,
  };
}

/**
 * A stream's usage so far, updated by a later report: `message_delta` carries the final
 * `output_tokens` and, on some deployments and with server tools, final input and cache counts
 * too. Fields it leaves out (or sends as null) keep their `message_start` value.
 */
export function mergeAnthropicUsage(earlier: AnthropicUsage, later: AnthropicUsage): AnthropicUsage {
  return {
    input_tokens: later.input_tokens ?? earlier.input_tokens ?? null,
    output_tokens: later.output_tokens ?? earlier.output_tokens ?? null,
    cache_read_input_tokens: later.cache_read_input_tokens ?? earlier.cache_read_input_tokens ?? null,
    cache_creation_input_tokens: later.cache_creation_input_tokens ?? earlier.cache_creation_input_tokens ?? null,
  };
}
