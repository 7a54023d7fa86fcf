import type { PriceConfig } from "../config/schema.ts";
import { BUNDLED_PRICES, PRICE_TABLE_DATE, type BundledPrice } from "./price-table.ts";

/** Per-token-kind prices in integer micro-USD per 1M tokens (USD 2.50 / 1M = 2_500_000). */
export interface TokenPrices {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  /** Null: reasoning tokens are billed as output. */
  reasoning: number | null;
}

export interface ResolvedPrice extends TokenPrices {
  /** Prices for the whole request once its input tokens exceed `aboveInputTokens`. */
  longContext: (TokenPrices & { aboveInputTokens: number }) | null;
  source: "config" | `bundled:${string}`;
  /** The bundled table's key that matched; null for a configured price. */
  matched: string | null;
}

export interface ResolvePriceOptions {
  /** Configured model id. */
  modelId: string;
  /** The id sent upstream. */
  upstreamModel: string;
  /** `models.<id>.price` from the config; wins over the bundled table. */
  configured?: PriceConfig;
}

/**
 * The price of one model, resolved once at config load. Order: the configured price, then the
 * bundled table by exact upstream id, by model id, then both with a dated suffix stripped
 * (`gpt-4o-2024-08-06` → `gpt-4o`). Unknown → null, never a made-up zero.
 */
export function resolvePrice(options: ResolvePriceOptions): ResolvedPrice | null {
  if (options.configured) return fromConfig(options.configured);
  const upstream = options.upstreamModel.toLowerCase();
  const model = options.modelId.toLowerCase();
  const candidates = [upstream, model, stripDatedSuffix(upstream), stripDatedSuffix(model)];
  for (const id of candidates) {
    const entry = Object.hasOwn(BUNDLED_PRICES, id) ? BUNDLED_PRICES[id] : undefined;
    if (entry) return fromBundled(id, entry);
  }
  return null;
}

const DATED_SUFFIXES = [
  /-\d{4}-\d{2}-\d{2}$/, // OpenAI: gpt-4o-2024-08-06
  /-\d{8}$/, // Anthropic: claude-sonnet-4-5-20250929
  /@\d{8}$/, // Vertex AI: claude-sonnet-4-5@20250929
];

/** `gpt-4o-2024-08-06` → `gpt-4o`, `claude-opus-4-7-20260416` → `claude-opus-4-7`; else unchanged. */
export function stripDatedSuffix(id: string): string {
  for (const suffix of DATED_SUFFIXES) {
    const stripped = id.replace(suffix, "");
    if (stripped !== id) return stripped;
  }
  return id;
}

/** USD per 1M tokens → integer micro-USD per 1M tokens. */
export function usdToMicro(usd: number): number {
  return Math.round(usd * 1_000_000);
}

function fromConfig(price: PriceConfig): ResolvedPrice {
  const input = usdToMicro(price.input);
  return {
    input,
    cachedInput: price.cached_input === undefined ? input : usdToMicro(price.cached_input),
    cacheWrite: price.cache_write === undefined ? input : usdToMicro(price.cache_write),
    output: usdToMicro(price.output),
    reasoning: price.reasoning === undefined ? null : usdToMicro(price.reasoning),
    longContext: null,
    source: "config",
    matched: null,
  };
}

function fromBundled(id: string, entry: BundledPrice): ResolvedPrice {
  const base = tokenPrices(entry);
  const lc = entry.longContext;
  return {
    ...base,
    // No listed model prices reasoning apart from output, so the tier has no reasoning rate.
    longContext: lc ? { ...tokenPrices(lc), aboveInputTokens: lc.aboveInputTokens } : null,
    source: `bundled:${PRICE_TABLE_DATE}`,
    matched: id,
  };
}

function tokenPrices(p: { input: number; output: number; cachedInput?: number | undefined; cacheWrite?: number | undefined; reasoning?: number | undefined }): TokenPrices {
  const input = usdToMicro(p.input);
  return {
    input,
    cachedInput: p.cachedInput === undefined ? input : usdToMicro(p.cachedInput),
    cacheWrite: p.cacheWrite === undefined ? input : usdToMicro(p.cacheWrite),
    output: usdToMicro(p.output),
    reasoning: p.reasoning === undefined ? null : usdToMicro(p.reasoning),
  };
}
