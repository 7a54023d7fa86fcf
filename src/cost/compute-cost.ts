import type { Usage } from "../core/usage.ts";
import type { ResolvedPrice, TokenPrices } from "./resolve-price.ts";

const TOKENS_PER_PRICE_UNIT = 1_000_000n;

/**
 * What a call cost, in integer micro-USD; null when the price is unknown.
 *
 * `inputTokens` includes cached and cache-write tokens and `outputTokens` includes reasoning
 * tokens (see Usage), so each token is billed exactly once. Sums are exact (BigInt) and rounded
 * once, half up, at the end.
 */
export function computeCostMicroUsd(usage: Usage, price: ResolvedPrice | null): number | null {
  if (price === null) return null;
  const rates: TokenPrices = price.longContext && usage.inputTokens > price.longContext.aboveInputTokens ? price.longContext : price;

  const cached = clamp(usage.cachedInputTokens, usage.inputTokens);
  const cacheWrite = clamp(usage.cacheWriteTokens, usage.inputTokens - cached);
  const uncached = nonNegative(usage.inputTokens) - cached - cacheWrite;
  const reasoning = rates.reasoning === null ? 0 : clamp(usage.reasoningTokens, usage.outputTokens);
  const plainOutput = nonNegative(usage.outputTokens) - reasoning;

  const microUsdTimesMillion =
    term(uncached, rates.input) +
    term(cached, rates.cachedInput) +
    term(cacheWrite, rates.cacheWrite) +
    term(plainOutput, rates.output) +
    term(reasoning, rates.reasoning ?? 0);
  return Number((microUsdTimesMillion + TOKENS_PER_PRICE_UNIT / 2n) / TOKENS_PER_PRICE_UNIT);
}

/** Micro-USD as a decimal USD string with six places: 1234 → "0.001234". */
export function formatUsd(microUsd: number): string {
  const sign = microUsd < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(microUsd));
  const whole = Math.floor(abs / 1_000_000);
  const fraction = String(abs % 1_000_000).padStart(6, "0");
  return `${sign}${whole}.${fraction}`;
}

function term(tokens: number, microUsdPerMillion: number): bigint {
  return BigInt(tokens) * BigInt(nonNegative(microUsdPerMillion));
}

/** Guards the BigInt conversion against odd upstream numbers (NaN, negatives, fractions). */
function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}

/** A token count that is part of `total`: never negative, never more than the total. */
function clamp(part: number, total: number): number {
  return Math.min(nonNegative(part), nonNegative(total));
}
