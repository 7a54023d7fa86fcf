import type { Usage } from "../core/usage.ts";
import type { ResolvedPrice, TokenPrices } from "./resolve-price.ts";

const TOKENS_PER_PRICE_UNIT = 1_000_000n;

/**
 * What a call cost, in integer micro-USD; null when the price is unknown.
 *
 * `inputTokens` includes cached and cache-write tokens and `outputTokens` includes reasoning
 * tokens (see Usage), so each token is billed exactly once. Sums are exact (integers, BigInt past
 * 2^53) and rounded once, half up, at the end.
 */
export function computeCostMicroUsd(usage: Usage, price: ResolvedPrice | null): number | null {
  if (price === null) return null;
  const rates: TokenPrices = price.longContext && usage.inputTokens > price.longContext.aboveInputTokens ? price.longContext : price;

  const cached = clamp(usage.cachedInputTokens, usage.inputTokens);
  const cacheWrite = clamp(usage.cacheWriteTokens, usage.inputTokens - cached);
  const uncached = nonNegative(usage.inputTokens) - cached - cacheWrite;
  const reasoning = rates.reasoning === null ? 0 : clamp(usage.reasoningTokens, usage.outputTokens);
  const plainOutput = nonNegative(usage.outputTokens) - reasoning;

  const input = nonNegative(rates.input);
  const cachedInput = nonNegative(rates.cachedInput);
  const write = nonNegative(rates.cacheWrite);
  const output = nonNegative(rates.output);
  const reasoningRate = nonNegative(rates.reasoning ?? 0);
  // Integers below 2^53 are exact as numbers: BigInt only for a sum beyond that.
  const sum = uncached * input + cached * cachedInput + cacheWrite * write + plainOutput * output + reasoning * reasoningRate;
  if (Number.isSafeInteger(sum + NUMBER_PER_PRICE_UNIT)) return roundedDivision(sum, NUMBER_PER_PRICE_UNIT);
  const big = (n: number, rate: number): bigint => BigInt(n) * BigInt(rate);
  const exact = big(uncached, input) + big(cached, cachedInput) + big(cacheWrite, write) + big(plainOutput, output) + big(reasoning, reasoningRate);
  return Number((exact + TOKENS_PER_PRICE_UNIT / 2n) / TOKENS_PER_PRICE_UNIT);
}

const NUMBER_PER_PRICE_UNIT = Number(TOKENS_PER_PRICE_UNIT);

/** n / d rounded half up, exactly, for non-negative safe integers. */
function roundedDivision(n: number, d: number): number {
  const shifted = n + d / 2;
  let q = Math.floor(shifted / d);
  const r = shifted - q * d;
  if (r < 0) q -= 1;
  else if (r >= d) q += 1;
  return q;
}

/** Micro-USD as a decimal USD string with six places: 1234 → "0.001234". */
export function formatUsd(microUsd: number): string {
  const sign = microUsd < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(microUsd));
  const whole = Math.floor(abs / 1_000_000);
  const fraction = String(abs % 1_000_000).padStart(6, "0");
  return `${sign}${whole}.${fraction}`;
}

/** Guards the BigInt conversion against odd upstream numbers (NaN, negatives, fractions). */
function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
}

/** A token count that is part of `total`: never negative, never more than the total. */
function clamp(part: number, total: number): number {
  return Math.min(nonNegative(part), nonNegative(total));
}
