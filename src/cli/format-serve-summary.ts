import { deploymentsOf } from "../config/deployments.ts";
import type { Config } from "../config/schema.ts";

/** The start banner: where it listens and what it serves. */
export function formatServeSummary(opts: { url: string; config: Config; source: string; description: string[]; ledgerPath: string }): string {
  const { config } = opts;
  const isSim = (provider: string): boolean => config.providers[provider]?.type === "simulated";
  const lines = [`Switchyard listening on ${opts.url}  (OpenAI-compatible: ${opts.url}/v1)`, `config: ${opts.source}`];
  for (const d of opts.description) lines.push(`  ${d}`);
  lines.push("providers:");
  for (const [name, p] of Object.entries(config.providers)) {
    lines.push(`  ${name.padEnd(14)} ${p.type}${p.type === "simulated" ? "  (SIMULATED: answers are generated locally, no real model is called)" : p.base_url ? `  ${p.base_url}` : ""}`);
  }
  lines.push("models:");
  for (const [id, m] of Object.entries(config.models)) {
    const places = deploymentsOf(id, m).map((d) => `${d.provider}${d.upstream !== id ? ` → ${d.upstream}` : ""}${isSim(d.provider) ? "  [simulated]" : ""}`);
    const balance = places.length > 1 ? `  (${m.balance ?? "weighted"}: ${places.join(" | ")})` : (places[0] ?? "");
    lines.push(`  ${id.padEnd(22)} ${balance}`);
  }
  const aliases = Object.entries(config.aliases);
  if (aliases.length > 0) lines.push(`aliases: ${aliases.map(([a, t]) => `${a} → ${t}`).join(", ")}`);
  const lanes = Object.entries(config.lanes);
  if (lanes.length > 0) lines.push(`lanes:   ${lanes.map(([l, ms]) => `${l} [${ms.join(" → ")}]`).join(", ")}`);
  const routes = Object.entries(config.routes);
  if (routes.length > 0) lines.push(`routes:  ${routes.map(([r, c]) => `${r} (${c.lane !== undefined ? `lane ${c.lane}` : `model ${c.model ?? ""}`})`).join(", ")}`);
  if ((config.auto?.rules.length ?? 0) > 0) lines.push(`auto:    model "auto" follows ${config.auto?.rules.length} rule(s)`);
  lines.push(`receipts: ${opts.ledgerPath}  (switchyard receipts --last 20)`);
  return lines.join("\n");
}
