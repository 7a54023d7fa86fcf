import type { z } from "zod";
import { SIMULATED_MODELS } from "../providers/simulated/catalogue.ts";
import { ConfigError, formatPath } from "./config-issue.ts";
import type { Env } from "./interpolate-env.ts";
import { configSchema } from "./schema.ts";
import type { Config } from "./schema.ts";
import { schemaIssues } from "./schema-issues.ts";

type ConfigInput = z.input<typeof configSchema>;
type ProviderInput = NonNullable<ConfigInput["providers"]>[string];
type ModelInput = NonNullable<ConfigInput["models"]>[string];

export interface DefaultConfig {
  config: Config;
  /** What was built and why, for the start banner. Never contains a key. */
  description: string[];
}

/** One provider the environment can switch on, with its models by tier (cheapest tier first). */
interface EnvProvider {
  name: string;
  variable: string;
  provider: (key: string, env: Env) => ProviderInput;
  tiers: { mini: string[]; mid: string[]; top: string[] };
}

const ENV_PROVIDERS: readonly EnvProvider[] = [
  {
    name: "openai",
    variable: "OPENAI_API_KEY",
    // OPENAI_BASE_URL is honoured as the official SDK does.
    provider: (key, env) => ({ type: "openai", api_key: key, ...(set(env.OPENAI_BASE_URL) ? { base_url: env.OPENAI_BASE_URL } : {}) }),
    tiers: { mini: ["gpt-5.4-mini", "gpt-4.1-mini"], mid: ["gpt-5.4"], top: ["gpt-5.5"] },
  },
  {
    name: "anthropic",
    variable: "ANTHROPIC_API_KEY",
    provider: (key) => ({ type: "anthropic", api_key: key }),
    tiers: { mini: ["claude-haiku-4-5"], mid: ["claude-sonnet-4-6"], top: ["claude-opus-4-7"] },
  },
  {
    name: "gemini",
    variable: "GEMINI_API_KEY",
    provider: (key) => ({ type: "gemini", api_key: key }),
    tiers: { mini: ["gemini-2.5-flash-lite"], mid: ["gemini-2.5-flash"], top: ["gemini-2.5-pro"] },
  },
  {
    name: "deepseek",
    variable: "DEEPSEEK_API_KEY",
    provider: (key) => ({ type: "openai-compatible", base_url: "https://api.deepseek.com/v1", api_key: key }),
    tiers: { mini: ["deepseek-chat"], mid: ["deepseek-chat"], top: ["deepseek-reasoner"] },
  },
];

const set = (v: string | undefined): v is string => v !== undefined && v !== "";

/**
 * The config `start` runs with when no `--config` is given: the providers whose keys are in the
 * environment, or the simulated providers when there are none. Same lanes, routes and `auto`
 * rules either way, so the quick start reads the same on a fresh machine and with real keys.
 */
export function defaultConfigFromEnv(env: Env): DefaultConfig {
  const description: string[] = [];
  const providers: Record<string, ProviderInput> = {};
  const models: Record<string, ModelInput> = {};
  const found = ENV_PROVIDERS.filter((p) => set(env[p.variable]));
  for (const p of found) {
    providers[p.name] = p.provider(env[p.variable] ?? "", env);
    const ids = unique([...p.tiers.top, ...p.tiers.mid, ...p.tiers.mini]);
    for (const id of ids) models[id] = { provider: p.name };
    description.push(`${p.variable} is set: provider ${p.name} with models ${ids.join(", ")}`);
  }

  let tiers: EnvProvider["tiers"];
  if (found.length > 0) {
    tiers = { mini: interleave(found.map((p) => p.tiers.mini)), mid: interleave(found.map((p) => p.tiers.mid)), top: interleave(found.map((p) => p.tiers.top)) };
  } else {
    providers.simulated = { type: "simulated" };
    for (const m of SIMULATED_MODELS) {
      models[m.id] = { provider: "simulated", price: { ...m.price }, context_window: m.contextWindow, max_output_tokens: m.maxOutputTokens };
    }
    const ids = SIMULATED_MODELS.map((m) => m.id);
    tiers = { mini: ids.slice(0, 1), mid: ids.slice(1, 2), top: ids.slice(2) };
    const keys = ENV_PROVIDERS.map((p) => p.variable).join(", ");
    description.push(`no usable provider key in the environment (${keys}): serving the simulated models ${ids.join(", ")}; their answers, latencies and prices are simulated`);
  }

  const input: ConfigInput = {
    providers,
    models,
    aliases: { default: tiers.mid[0] ?? "" },
    lanes: {
      cheap: firstThree([...tiers.mini, ...tiers.mid]),
      work: firstThree([...tiers.mid, ...tiers.top]),
      hard: firstThree([...tiers.top, ...tiers.mid]),
    },
    routes: {
      general: { model: "default" },
      extraction: { lane: "cheap", validate: {}, escalate_to: "work" },
      hard_reasoning: { lane: "hard" },
    },
    auto: {
      rules: [
        { when: { complexity: "high" }, route: "hard_reasoning" },
        { when: { task_type: "reasoning" }, route: "hard_reasoning" },
        { when: { task_type: "code" }, lane: "work" },
        { when: { task_type: "extraction" }, route: "extraction" },
        { when: { complexity: "medium" }, lane: "work" },
        { lane: "cheap" },
      ],
    },
  };
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    // Only an environment value can get here (e.g. an OPENAI_BASE_URL that is not a URL).
    const issues = schemaIssues(parsed.error.issues, input, configSchema);
    const source = (path: string): string => (path === "providers.openai.base_url" ? " (from OPENAI_BASE_URL)" : "");
    throw new ConfigError(
      issues.map((i) => ({ file: "<environment>", path: formatPath(i.path), line: null, message: i.message + source(formatPath(i.path)) })),
    );
  }
  return { config: parsed.data, description };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function firstThree(ids: string[]): string[] {
  return unique(ids).slice(0, 3);
}

/** [[a1, a2], [b1]] → [a1, b1, a2]: the next choice in a lane is another provider where one exists. */
function interleave(lists: string[][]): string[] {
  const out: string[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const l of lists) {
      const id = l[i];
      if (id !== undefined) out.push(id);
    }
  }
  return out;
}
