import { resolvePrice } from "../cost/resolve-price.ts";
import { deploymentsOf } from "./deployments.ts";
import { closestIds } from "./closest-ids.ts";
import { ConfigError, formatIssue, formatPath } from "./config-issue.ts";
import type { ConfigIssue, PathSegment } from "./config-issue.ts";
import type { Env } from "./interpolate-env.ts";
import { loadConfigFile } from "./load-config.ts";
import type { LoadedConfig } from "./load-config.ts";
import type { ProviderConfig } from "./schema.ts";

/** The provider's model ids, or null when its API cannot list them. Injected by the CLI. */
export type ListModels = (providerName: string, provider: ProviderConfig) => Promise<string[] | null>;

export interface CheckConfigOptions {
  path: string;
  env?: Env;
  /** Also ask each provider in use whether it serves the configured model ids. */
  online?: boolean;
  listModels?: ListModels;
}

export interface UnknownModel {
  /** The configured name: a model id, or a `<provider>/<model>` reference. */
  model: string;
  /** The id sent upstream, which the provider does not list. */
  upstream: string;
  path: string;
  line: number | null;
  /** The closest ids the provider does serve. */
  suggestions: string[];
}

export interface OnlineProviderReport {
  provider: string;
  ok: boolean;
  /** False when the provider's API has no model list (nothing could be verified). */
  listed: boolean;
  /** How many configured ids were checked against the list. */
  checked: number;
  error?: string;
  unknownModels: UnknownModel[];
}

export interface CheckReport {
  file: string;
  ok: boolean;
  errors: ConfigIssue[];
  warnings: string[];
  online?: OnlineProviderReport[];
}

/** `switchyard check`: every config issue at once, and with `online` the ids no provider serves. */
export async function checkConfig(options: CheckConfigOptions): Promise<CheckReport> {
  const file = options.path;
  let loaded: LoadedConfig;
  try {
    loaded = loadConfigFile(file, options.env ?? process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { file, ok: false, errors: [...err.issues], warnings: [...err.warnings] };
  }
  const report: CheckReport = { file, ok: true, errors: [], warnings: [...loaded.warnings, ...unknownPriceWarnings(loaded)] };
  if (options.online !== true) return report;
  const listModels = options.listModels;
  if (listModels === undefined) throw new TypeError("checkConfig: `online` needs a `listModels` function");

  const byProvider = upstreamIdsByProvider(loaded);
  report.online = await Promise.all(
    [...byProvider].map(async ([provider, ids]): Promise<OnlineProviderReport> => {
      const providerConfig = loaded.config.providers[provider];
      const base = { provider, checked: ids.length, unknownModels: [] };
      if (providerConfig === undefined) return { ...base, ok: false, listed: false, error: "provider is not configured" };
      let served: string[] | null;
      try {
        served = await listModels(provider, providerConfig);
      } catch (err) {
        return { ...base, ok: false, listed: false, error: err instanceof Error ? err.message : String(err) };
      }
      if (served === null) return { ...base, ok: true, listed: false };
      const known = new Set(served);
      const unknownModels = ids
        .filter((id) => !known.has(id.upstream))
        .map((id) => ({ ...id, suggestions: closestIds(id.upstream, served) }));
      return { ...base, ok: unknownModels.length === 0, listed: true, unknownModels };
    }),
  );
  report.ok = report.online.every((p) => p.ok);
  return report;
}

type ConfiguredId = Omit<UnknownModel, "suggestions">;

/** Every upstream id the config sends to each provider: its models, and direct `<provider>/<model>` references. */
function upstreamIdsByProvider(loaded: LoadedConfig): Map<string, ConfiguredId[]> {
  const { config } = loaded;
  const out = new Map<string, ConfiguredId[]>();
  const add = (provider: string, id: ConfiguredId): void => {
    const list = out.get(provider) ?? [];
    if (!list.some((x) => x.model === id.model && x.upstream === id.upstream)) list.push(id);
    out.set(provider, list);
  };
  const at = (path: PathSegment[]): { path: string; line: number | null } => ({ path: formatPath(path), line: loaded.lineOf(path) });
  for (const [id, model] of Object.entries(config.models)) {
    deploymentsOf(id, model).forEach((d, i) => {
      const path = model.deployments !== undefined ? ["models", id, "deployments", i] : model.upstream !== undefined ? ["models", id, "upstream"] : ["models", id];
      add(d.provider, { model: id, upstream: d.upstream, ...at(path) });
    });
  }
  const isName = (ref: string): boolean => Object.hasOwn(config.aliases, ref) || Object.hasOwn(config.routes, ref) || Object.hasOwn(config.models, ref);
  const direct = (ref: string | undefined, path: PathSegment[]): void => {
    if (ref === undefined || isName(ref)) return;
    const slash = ref.indexOf("/");
    const provider = ref.slice(0, slash);
    if (slash > 0 && slash < ref.length - 1 && Object.hasOwn(config.providers, provider)) {
      add(provider, { model: ref, upstream: ref.slice(slash + 1), ...at(path) });
    }
  };
  for (const [name, target] of Object.entries(config.aliases)) direct(target, ["aliases", name]);
  for (const [name, members] of Object.entries(config.lanes)) members.forEach((m, i) => direct(m, ["lanes", name, i]));
  for (const [name, route] of Object.entries(config.routes)) direct(route.model, ["routes", name, "model"]);
  (config.auto?.rules ?? []).forEach((rule, i) => direct(rule.model, ["auto", "rules", i, "model"]));
  return out;
}

/** The report as the CLI prints it. */
export function formatCheckReport(report: CheckReport): string {
  const lines: string[] = [];
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push(`${report.file}: ${plural(report.errors.length, "error")}, ${plural(report.warnings.length, "warning")}`);
  for (const issue of report.errors) lines.push(`  error    ${formatIssue(issue)}`);
  for (const warning of report.warnings) lines.push(`  warning  ${warning}`);
  if (report.online !== undefined) {
    lines.push("model ids, checked against each provider's model list:");
    for (const p of report.online) {
      if (p.error !== undefined) lines.push(`  ${p.provider}: could not list models: ${p.error}`);
      else if (!p.listed) lines.push(`  ${p.provider}: its API has no model list; ${plural(p.checked, "id")} not verified`);
      else if (p.unknownModels.length === 0) lines.push(`  ${p.provider}: ${plural(p.checked, "id")}, all served`);
      else lines.push(`  ${p.provider}: ${p.unknownModels.length} of ${plural(p.checked, "id")} not served`);
      for (const u of p.unknownModels) {
        const where = u.line === null ? report.file : `${report.file}:${u.line}`;
        const hint = u.suggestions.length > 0 ? `; closest it serves: ${u.suggestions.join(", ")}` : "";
        lines.push(`    ${where}  ${u.path}: ${p.provider} does not serve \`${u.upstream}\`${hint}`);
      }
    }
  }
  lines.push(report.ok ? "ok" : "FAILED");
  return lines.join("\n");
}

/** Models no price is known for: their receipts will say the cost is unknown (never $0). */
function unknownPriceWarnings(loaded: LoadedConfig): string[] {
  const out: string[] = [];
  for (const [id, model] of Object.entries(loaded.config.models)) {
    deploymentsOf(id, model).forEach((d, i) => {
      if (resolvePrice({ modelId: id, upstreamModel: d.upstream, ...(d.price !== undefined && { configured: d.price }) }) !== null) return;
      const path: PathSegment[] = model.deployments !== undefined ? ["models", id, "deployments", i] : ["models", id];
      out.push(
        formatIssue({
          file: loaded.file,
          path: formatPath(path),
          line: loaded.lineOf(path),
          message: `no price is known for \`${d.upstream}\`: its receipts will say the cost is unknown and USD budgets will not count it; set \`price\` (USD per 1M tokens)`,
        }),
      );
    });
  }
  return out;
}
