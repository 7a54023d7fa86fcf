import type { ChatRequest } from "../../core/request.ts";
import { estimateMessageTokens, estimateTokens } from "./estimate-tokens.ts";
import { hashString } from "./prng.ts";

/** Like OpenAI's automatic prompt caching: prefixes from 1,024 tokens, in steps of 128. */
const MIN_CACHED_TOKENS = 1024;
const CACHE_STEP = 128;
const DEFAULT_CAPACITY = 4096;

export interface PromptCache {
  /** Input tokens served from the cache for this request; remembers its prefixes for later calls. */
  cachedTokens(modelId: string, request: ChatRequest): number;
}

/**
 * Remembers the message prefixes each model has seen. This is the one piece of simulated state:
 * the answer itself never depends on it, only `cachedInputTokens` does, as with real providers.
 */
export function createPromptCache(capacity = DEFAULT_CAPACITY): PromptCache {
  const seen = new Map<number, true>();
  return {
    cachedTokens(modelId, request) {
      const tools = request.tools ?? [];
      let hash = hashString(`${modelId}|${JSON.stringify(tools)}`);
      let tokens = 3 + (tools.length > 0 ? estimateTokens(JSON.stringify(tools)) : 0);
      const prefixes: Array<{ hash: number; tokens: number }> = [];
      for (const message of request.messages) {
        hash = hashString(JSON.stringify(message), hash);
        tokens += estimateMessageTokens(message);
        if (tokens >= MIN_CACHED_TOKENS) prefixes.push({ hash, tokens });
      }
      const hit = prefixes.findLast((p) => seen.has(p.hash));
      for (const prefix of prefixes) {
        seen.delete(prefix.hash);
        seen.set(prefix.hash, true);
      }
      for (const oldest of seen.keys()) {
        if (seen.size <= capacity) break;
        seen.delete(oldest);
      }
      return hit === undefined ? 0 : Math.floor(hit.tokens / CACHE_STEP) * CACHE_STEP;
    },
  };
}
