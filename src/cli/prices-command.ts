import { buildPriceList, type PriceListEntry, type UsdPerMillion } from "../cost/price-list.ts";
import { loadCliConfig } from "./load-cli-config.ts";

const UNKNOWN_PRICE = "unknown — receipts will say cost unknown";

export function runPricesCommand(opts: { config?: string; json?: boolean }): number {
  const { config } = loadCliConfig(opts.config);
  const list = buildPriceList(config);
  console.log(opts.json ? JSON.stringify(list, null, 2) : formatPriceList(list));
  return 0;
}

/** The price list as a table: USD per 1M tokens, one row per deployment, sources at the right. */
export function formatPriceList(list: PriceListEntry[]): string {
  if (list.length === 0) return "No models are configured.";
  const head = ["model", "provider/upstream", "input", "cached", "cache write", "output", "reasoning", "price from", "context window", "window from"];
  const rows = list.map((e) => {
    const name = e.deployment ? `${e.model} [${e.deployment.index}/${e.deployment.of}]` : e.model;
    const window = e.contextWindow ? [e.contextWindow.tokens.toLocaleString("en-US"), source(e.contextWindow)] : ["unknown", ""];
    const price = e.price ? [...prices(e.price.usdPerMillion), source(e.price)] : [UNKNOWN_PRICE, "", "", "", "", ""];
    return [name, `${e.provider}/${e.upstream}`, ...price, ...window];
  });
  // An unknown price is written across the price columns, so it does not widen them.
  const spans = (row: string[], i: number): boolean => row[2] === UNKNOWN_PRICE && i >= 2 && i <= 7;
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (spans(r, i) ? 0 : (r[i] ?? "").length))));
  const line = (cells: string[]): string => {
    const out = cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)));
    if (cells[2] === UNKNOWN_PRICE) out.splice(2, 6, UNKNOWN_PRICE.padEnd(widths.slice(2, 8).reduce((a, b) => a + b + 2, -2)));
    return out.join("  ").trimEnd();
  };
  const lines = [line(head)];
  list.forEach((e, i) => {
    lines.push(line(rows[i] ?? []));
    const lc = e.price?.longContext;
    if (lc) {
      lines.push(`    above ${lc.aboveInputTokens.toLocaleString("en-US")} input tokens, the whole request: input ${usd(lc.input)}, cached ${usd(lc.cachedInput)}, cache write ${usd(lc.cacheWrite)}, output ${usd(lc.output)}`);
    }
  });
  return ["USD per 1M tokens; a price in the config wins over the bundled table. Reasoning \"as output\": billed at the output rate.", "", ...lines].join("\n");
}

function prices(p: UsdPerMillion): string[] {
  return [usd(p.input), usd(p.cachedInput), usd(p.cacheWrite), usd(p.output), p.reasoning === null ? "as output" : usd(p.reasoning)];
}

/** 2.5 → "2.50", 0.075 → "0.075", 0.003625 → "0.003625": at least two decimals, never rounded. */
function usd(value: number): string {
  const text = String(value);
  const decimals = text.includes(".") ? (text.split(".")[1]?.length ?? 0) : 0;
  return decimals >= 2 ? text : value.toFixed(2);
}

function source(s: { source: string; tableDate: string | null }): string {
  return s.tableDate === null ? s.source : `${s.source} (${s.tableDate})`;
}
