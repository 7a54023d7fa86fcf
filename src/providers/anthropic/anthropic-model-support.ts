import type { ReasoningEffort } from "../../core/request.ts";

/**
 * `max_tokens` is required by the Messages API; the core request may leave it out. 4096 is what
 * the official SDK examples use and every Claude model accepts it.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * `reasoning_effort` → extended thinking `budget_tokens`. `none` and `minimal` turn thinking off;
 * 1024 is the smallest budget Anthropic accepts.
 * https://docs.claude.com/en/docs/build-with-claude/extended-thinking
 */
export const THINKING_BUDGET: Readonly<Record<ReasoningEffort, number | null>> = {
  none: null,
  minimal: null,
  low: 1_024,
  medium: 4_096,
  high: 16_384,
  xhigh: 32_768,
};

/** How a `json_schema` response format is sent. */
export type StructuredOutputMode = "native" | "tool";

/**
 * Whether a model takes native structured outputs (`output_format`), going by its name: Claude
 * Opus 4.1+, Sonnet 4.5+, Haiku 4.5+ and every later family do; Claude 3.x and the 4.0 models do
 * not. Names that follow neither scheme (aliases on proxies) are assumed to be recent.
 * https://docs.claude.com/en/docs/build-with-claude/structured-outputs
 */
export function supportsNativeStructuredOutput(model: string): boolean {
  const id = model.toLowerCase().replace(/^anthropic[./]/, "");
  // claude-3-5-sonnet-20241022, claude-2.1, claude-instant-1.2
  if (/^claude-(instant|\d)/.test(id)) return false;
  // claude-sonnet-4-20250514, claude-opus-4-1, claude-haiku-4-5-20251001, claude-sonnet-5
  const match = /^claude-([a-z]+)-(\d+)(?:[-.](\d{1,2}))?(?=$|[-@])/.exec(id);
  if (!match) return true;
  const major = Number(match[2]);
  const minor = Number(match[3] ?? 0);
  if (major !== 4) return major > 4;
  return minor >= 5 || (match[1] === "opus" && minor >= 1);
}
