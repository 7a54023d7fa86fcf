/**
 * The bundled price table: USD per 1M tokens, keyed by the id each provider's API takes.
 *
 * Numbers were picked from two maintained tables (read in place, not copied):
 * - genai-prices: pydantic/genai-prices @ 47df840 (data.json, 2026-08-21), MIT
 * - litellm: BerriAI/litellm model_prices_and_context_window.json as mirrored 2026-07-24, MIT
 * Where they agree the entry says so; where they differ the entry says which was taken and why.
 * Only the standard tier is listed (no batch / flex / priority), text tokens only.
 *
 * A price set in the config always wins over this table (and is the only way simulated models,
 * fine-tunes and private deployments are priced). Check any price that matters against the
 * provider's own pricing page.
 */

export const PRICE_TABLE_DATE = "2026-08-21";

/** Prices that apply to the whole request once its input tokens exceed a threshold. */
export interface LongContextPrice {
  /** The tier applies when input tokens are strictly above this ("cliff": all tokens pay it). */
  aboveInputTokens: number;
  input: number;
  output: number;
  cachedInput?: number;
  cacheWrite?: number;
}

export interface BundledPrice {
  input: number;
  output: number;
  /** Absent: cache reads are billed as input. */
  cachedInput?: number;
  /** Absent: cache writes are billed as input. Anthropic: the 5-minute-TTL write rate. */
  cacheWrite?: number;
  /** Absent: reasoning tokens are billed as output. */
  reasoning?: number;
  longContext?: LongContextPrice;
  /** Where the numbers came from. */
  source: string;
}

const BOTH = "genai-prices = litellm";
const GENAI = "genai-prices";
const LITELLM = "litellm";

// Anthropic bills 1-hour-TTL cache writes at 2× input; Usage does not tell the two TTLs apart,
// so cache writes are priced at the 5-minute rate (1.25× input).
const OPUS_4_5_AND_LATER = { input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25, source: BOTH };

export const BUNDLED_PRICES: Readonly<Record<string, BundledPrice>> = {
  // OpenAI — https://openai.com/api/pricing (cache writes are not billed separately)
  "gpt-5.6": {
    input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 30,
    longContext: { aboveInputTokens: 272_000, input: 10, cachedInput: 1, cacheWrite: 12.5, output: 45 },
    source: `${BOTH} (genai-prices lists it as gpt-5.6-sol)`,
  },
  "gpt-5.5": {
    input: 5, cachedInput: 0.5, output: 30,
    longContext: { aboveInputTokens: 272_000, input: 10, cachedInput: 1, output: 45 },
    source: `${BOTH} for base prices; the >272k tier from ${LITELLM} only, as for gpt-5.4`,
  },
  "gpt-5.5-pro": {
    input: 30, output: 180,
    longContext: { aboveInputTokens: 272_000, input: 60, output: 270 },
    source: `${BOTH}; no cached rate (${GENAI} lists none, ${LITELLM} 3), so cache reads bill as input`,
  },
  "gpt-5.4": {
    input: 2.5, cachedInput: 0.25, output: 15,
    longContext: { aboveInputTokens: 272_000, input: 5, cachedInput: 0.5, output: 22.5 },
    source: BOTH,
  },
  "gpt-5.4-pro": {
    input: 30, output: 180,
    longContext: { aboveInputTokens: 272_000, input: 60, output: 270 },
    source: `${BOTH}; no cached rate, as gpt-5.5-pro`,
  },
  "gpt-5.4-mini": { input: 0.75, cachedInput: 0.075, output: 4.5, source: BOTH },
  "gpt-5.4-nano": { input: 0.2, cachedInput: 0.02, output: 1.25, source: BOTH },
  "gpt-5.2": { input: 1.75, cachedInput: 0.175, output: 14, source: BOTH },
  "gpt-5.1": { input: 1.25, cachedInput: 0.125, output: 10, source: BOTH },
  "gpt-5": { input: 1.25, cachedInput: 0.125, output: 10, source: BOTH },
  "gpt-5-mini": { input: 0.25, cachedInput: 0.025, output: 2, source: BOTH },
  "gpt-5-nano": { input: 0.05, cachedInput: 0.005, output: 0.4, source: BOTH },
  "gpt-5-pro": { input: 15, output: 120, source: BOTH },
  "gpt-4.1": { input: 2, cachedInput: 0.5, output: 8, source: BOTH },
  "gpt-4.1-mini": { input: 0.4, cachedInput: 0.1, output: 1.6, source: BOTH },
  "gpt-4.1-nano": { input: 0.1, cachedInput: 0.025, output: 0.4, source: BOTH },
  "gpt-4o": { input: 2.5, cachedInput: 1.25, output: 10, source: BOTH },
  "gpt-4o-mini": { input: 0.15, cachedInput: 0.075, output: 0.6, source: BOTH },
  // Embeddings: input tokens only.
  "text-embedding-3-small": { input: 0.02, output: 0, source: LITELLM },
  "text-embedding-3-large": { input: 0.13, output: 0, source: LITELLM },
  "text-embedding-ada-002": { input: 0.1, output: 0, source: LITELLM },
  "gemini-embedding-001": { input: 0.15, output: 0, source: LITELLM },
  o3: { input: 2, cachedInput: 0.5, output: 8, source: `${BOTH} (price since 2025-06-10)` },
  "o3-pro": { input: 20, output: 80, source: BOTH },
  "o3-mini": { input: 1.1, cachedInput: 0.55, output: 4.4, source: BOTH },
  "o4-mini": { input: 1.1, cachedInput: 0.275, output: 4.4, source: BOTH },

  // Anthropic — https://www.anthropic.com/pricing#api
  "claude-opus-5": OPUS_4_5_AND_LATER,
  "claude-opus-4-8": OPUS_4_5_AND_LATER,
  "claude-opus-4-7": OPUS_4_5_AND_LATER,
  "claude-opus-4-6": { ...OPUS_4_5_AND_LATER, source: `${BOTH} (flat since 2026-03-13)` },
  "claude-opus-4-5": OPUS_4_5_AND_LATER,
  "claude-opus-4-1": { input: 15, cachedInput: 1.5, cacheWrite: 18.75, output: 75, source: BOTH },
  "claude-sonnet-4-6": { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15, source: `${BOTH} (flat since 2026-03-13)` },
  "claude-sonnet-4-5": {
    input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15,
    longContext: { aboveInputTokens: 200_000, input: 6, cachedInput: 0.6, cacheWrite: 7.5, output: 22.5 },
    source: BOTH,
  },
  "claude-haiku-4-5": { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5, source: BOTH },
  // claude-sonnet-5 is left out: genai-prices has its price rising on 2026-09-01.

  // Google Gemini API, standard tier — https://ai.google.dev/gemini-api/docs/pricing
  // (explicit context caching also bills storage per hour, which no per-token price covers)
  "gemini-3.5-flash": { input: 1.5, cachedInput: 0.15, output: 9, source: BOTH },
  "gemini-3.5-flash-lite": { input: 0.3, cachedInput: 0.03, output: 2.5, source: BOTH },
  "gemini-3.1-pro-preview": {
    input: 2, cachedInput: 0.2, output: 12,
    longContext: { aboveInputTokens: 200_000, input: 4, cachedInput: 0.4, output: 18 },
    source: BOTH,
  },
  "gemini-3-pro-preview": {
    input: 2, cachedInput: 0.2, output: 12,
    longContext: { aboveInputTokens: 200_000, input: 4, cachedInput: 0.4, output: 18 },
    source: BOTH,
  },
  "gemini-3.1-flash-lite": { input: 0.25, cachedInput: 0.025, output: 1.5, source: BOTH },
  "gemini-3.1-flash-lite-preview": { input: 0.25, cachedInput: 0.025, output: 1.5, source: BOTH },
  "gemini-3-flash-preview": { input: 0.5, cachedInput: 0.05, output: 3, source: BOTH },
  "gemini-2.5-pro": {
    input: 1.25, cachedInput: 0.125, output: 10,
    longContext: { aboveInputTokens: 200_000, input: 2.5, cachedInput: 0.25, output: 15 },
    source: BOTH,
  },
  "gemini-2.5-flash": { input: 0.3, cachedInput: 0.03, output: 2.5, source: BOTH },
  "gemini-2.5-flash-lite": { input: 0.1, cachedInput: 0.01, output: 0.4, source: BOTH },
  // gemini-3.6-flash is left out: the two sources disagree (0.75/3.75 vs 1.5/7.5).

  // DeepSeek — https://api-docs.deepseek.com/quick_start/pricing (cache miss = input)
  "deepseek-chat": {
    input: 0.28, cachedInput: 0.028, output: 0.42,
    source: `${LITELLM} (V3.2 prices; ${GENAI} still has the older off-peak/peak pair)`,
  },
  "deepseek-reasoner": { input: 0.28, cachedInput: 0.028, output: 0.42, source: `${LITELLM}, as deepseek-chat` },
  "deepseek-v4-pro": { input: 0.435, cachedInput: 0.003625, output: 0.87, source: BOTH },
  "deepseek-v4-flash": { input: 0.14, cachedInput: 0.0028, output: 0.28, source: BOTH },
};
