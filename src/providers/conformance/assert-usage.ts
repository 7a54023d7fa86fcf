import assert from "node:assert/strict";
import type { Usage } from "../../core/usage.ts";

const FIELDS = ["inputTokens", "cachedInputTokens", "cacheWriteTokens", "outputTokens", "reasoningTokens"] as const;

/**
 * The core convention: every count is a whole number ≥ 0, `inputTokens` includes cached and
 * cache-write tokens, `outputTokens` includes reasoning tokens. Providers that report them apart
 * (Anthropic's cache tokens, xAI's reasoning) must add them in.
 */
export function assertUsageConvention(usage: Usage, where: string): void {
  for (const field of FIELDS) {
    assert.ok(Number.isSafeInteger(usage[field]) && usage[field] >= 0, `${where}: usage.${field} is ${usage[field]}, not a whole number ≥ 0`);
  }
  assert.ok(
    usage.cachedInputTokens + usage.cacheWriteTokens <= usage.inputTokens,
    `${where}: inputTokens (${usage.inputTokens}) must include cachedInputTokens (${usage.cachedInputTokens}) and cacheWriteTokens (${usage.cacheWriteTokens})`,
  );
  assert.ok(
    usage.reasoningTokens <= usage.outputTokens,
    `${where}: outputTokens (${usage.outputTokens}) must include reasoningTokens (${usage.reasoningTokens})`,
  );
}

/** Present, following the convention, and exactly as expected. */
export function assertUsage(actual: Usage | null | undefined, expected: Usage, where: string): void {
  assert.ok(actual, `${where}: no usage reported`);
  assertUsageConvention(actual, where);
  assert.deepEqual({ ...actual }, { ...expected }, `${where}: usage differs from the expected`);
}
