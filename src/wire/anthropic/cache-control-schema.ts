import { z } from "zod";
import type { CacheControl } from "../../core/request.ts";

/**
 * A `cache_control` value as Anthropic defines it; OpenRouter- and LiteLLM-style Chat Completions
 * clients send the same shape, so the OpenAI codec takes it from here too.
 * https://docs.claude.com/en/docs/build-with-claude/prompt-caching
 */
const EXPECTED = 'expected {"type": "ephemeral"}, optionally with "ttl": "5m" or "1h"';

/** Validates one `cache_control`, with one message that says what is accepted; `null` means none. */
export const cacheControlSchema = z.custom<CacheControl>(isCacheControl, { message: EXPECTED }).nullish();

export function isCacheControl(value: unknown): value is CacheControl {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const { type, ttl, ...rest } = value as Record<string, unknown>;
  return type === "ephemeral" && (ttl === undefined || ttl === "5m" || ttl === "1h") && Object.keys(rest).length === 0;
}

/** The core value: a copy, without keys that are absent. */
export function toCoreCacheControl(value: CacheControl | null | undefined): CacheControl | undefined {
  if (value == null) return undefined;
  return value.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: value.ttl };
}
