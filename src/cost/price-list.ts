import { deploymentsOf } from "../config/deployments.ts";
import type { Config } from "../config/schema.ts";
import { contextWindowOf } from "./context-window-of.ts";
import { CONTEXT_WINDOWS_DATE } from "./context-windows.ts";
import { PRICE_TABLE_DATE } from "./price-table.ts";
import { resolvePrice, type TokenPrices } from "./resolve-price.ts";

/** Prices in USD per 1M tokens; reasoning null = billed at the output rate. */
export interface UsdPerMillion {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number | null;
}

/** The price and context window in force for one deployment of a configured model. */
export interface PriceListEntry {
  model: string;
  /** 1-based, and the count, when the model has several deployments; else null. */
  deployment: { index: number; of: number } | null;
  provider: string;
  /** The provider's type; null when the config names a provider it does not define. */
  providerType: string | null;
  upstream: string;
  /** Null: no price is known, and receipts will say the cost is unknown. */
  price: {
    usdPerMillion: UsdPerMillion;
    longContext: (UsdPerMillion & { aboveInputTokens: number }) | null;
    /** `config`, or the bundled table's key (`bundled:gpt-4o`). */
    source: string;
    /** The bundled table's date; null for a configured price. */
    tableDate: string | null;
  } | null;
  contextWindow: { tokens: number; source: string; tableDate: string | null } | null;
}

/** Every configured model's deployments, in config order, with the price and window each resolves to. */
export function buildPriceList(config: Config): PriceListEntry[] {
  const entries: PriceListEntry[] = [];
  for (const [id, model] of Object.entries(config.models)) {
    const deployments = deploymentsOf(id, model);
    deployments.forEach((d, i) => {
      const price = resolvePrice({ modelId: id, upstreamModel: d.upstream, configured: d.price });
      const window = contextWindowOf(id, d.upstream, model.context_window);
      entries.push({
        model: id,
        deployment: deployments.length > 1 ? { index: i + 1, of: deployments.length } : null,
        provider: d.provider,
        providerType: Object.hasOwn(config.providers, d.provider) ? (config.providers[d.provider]?.type ?? null) : null,
        upstream: d.upstream,
        price: price && {
          usdPerMillion: usdPerMillion(price),
          longContext: price.longContext && { ...usdPerMillion(price.longContext), aboveInputTokens: price.longContext.aboveInputTokens },
          source: price.matched === null ? "config" : `bundled:${price.matched}`,
          tableDate: price.matched === null ? null : PRICE_TABLE_DATE,
        },
        contextWindow: window && { tokens: window.tokens, source: window.source, tableDate: window.source === "config" ? null : CONTEXT_WINDOWS_DATE },
      });
    });
  }
  return entries;
}

function usdPerMillion(p: TokenPrices): UsdPerMillion {
  return {
    input: usd(p.input),
    cachedInput: usd(p.cachedInput),
    cacheWrite: usd(p.cacheWrite),
    output: usd(p.output),
    reasoning: p.reasoning === null ? null : usd(p.reasoning),
  };
}

/** Integer micro-USD → USD; exact for every price with at most six decimals. */
function usd(micro: number): number {
  return micro / 1_000_000;
}
