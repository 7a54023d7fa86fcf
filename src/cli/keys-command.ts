import { existsSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import type { Config } from "../config/schema.ts";
import { KeyStoreError, toKeyView, type KeyBudget, type KeyRateLimit, type KeyRecord, type KeyStore } from "../state/key-store.ts";
import { keyStorePathFor, openSqliteKeyStore } from "../state/sqlite-key-store.ts";
import { loadCliConfig } from "./load-cli-config.ts";

export interface KeysCreateOptions {
  name: string;
  budgetDailyUsd?: number;
  budgetMonthlyUsd?: number;
  budgetDailyTokens?: number;
  budgetMonthlyTokens?: number;
  rpm?: number;
  tpm?: number;
  routes?: string[];
  json?: boolean;
  config?: string;
}

/** `switchyard keys create|list|revoke`, on the program given. */
export function registerKeysCommand(program: Command): void {
  const keys = program
    .command("keys")
    .description("gateway keys: issue, list and revoke the keys clients send (stored hashed; each with its own budget, rate limits and routes)");
  keys
    .command("create")
    .description("issue a gateway key; its secret is printed once and never again")
    .requiredOption("--name <name>", "a unique name (letters, digits, . _ : @ -)")
    .option("--budget-daily-usd <usd>", "spend per day, in USD", positiveNumber)
    .option("--budget-monthly-usd <usd>", "spend per month, in USD", positiveNumber)
    .option("--budget-daily-tokens <n>", "tokens per day", positiveInteger)
    .option("--budget-monthly-tokens <n>", "tokens per month", positiveInteger)
    .option("--rpm <n>", "requests per minute", positiveInteger)
    .option("--tpm <n>", "tokens per minute", positiveInteger)
    .option("--routes <names>", "comma-separated routes, aliases, lanes or models the key may ask for (default: all)", nameList)
    .option("--json", "print JSON")
    .option("-c, --config <file>", "config file (for storage.ledger: keys.db sits beside the ledger)")
    .action(async (opts: KeysCreateOptions) => {
      process.exitCode = await runKeysCreate(opts);
    });
  keys
    .command("list")
    .description("list gateway keys (prefixes only: secrets are never stored)")
    .option("--json", "print JSON")
    .option("-c, --config <file>", "config file (for storage.ledger)")
    .action(async (opts: { json?: boolean; config?: string }) => {
      process.exitCode = await runKeysList(opts);
    });
  keys
    .command("revoke")
    .description("revoke a gateway key by name or id; running gateways refuse it within 5 seconds")
    .argument("<name-or-id>")
    .option("-c, --config <file>", "config file (for storage.ledger)")
    .action(async (nameOrId: string, opts: { config?: string }) => {
      process.exitCode = await runKeysRevoke(nameOrId, opts);
    });
}

export async function runKeysCreate(opts: KeysCreateOptions): Promise<number> {
  const budget: KeyBudget = {
    ...(opts.budgetDailyUsd !== undefined && { daily_usd: opts.budgetDailyUsd }),
    ...(opts.budgetMonthlyUsd !== undefined && { monthly_usd: opts.budgetMonthlyUsd }),
    ...(opts.budgetDailyTokens !== undefined && { daily_tokens: opts.budgetDailyTokens }),
    ...(opts.budgetMonthlyTokens !== undefined && { monthly_tokens: opts.budgetMonthlyTokens }),
  };
  const rateLimit: KeyRateLimit = {
    ...(opts.rpm !== undefined && { requests_per_minute: opts.rpm }),
    ...(opts.tpm !== undefined && { tokens_per_minute: opts.tpm }),
  };
  return withStore(opts.config, "create", async (store, config) => {
    const { record, secret } = await store.create({ name: opts.name, budget, rateLimit, routes: opts.routes ?? null });
    const first = (await store.count()) === 1;
    if (opts.json) {
      console.log(JSON.stringify({ secret, key: toKeyView(record) }, null, 2));
    } else {
      console.log(`Created gateway key '${record.name}':\n\n    ${secret}\n`);
      console.log("Store it now: it cannot be shown again (Switchyard keeps only its SHA-256 hash).");
      console.log("Clients send it as `authorization: Bearer <key>` (the OpenAI SDKs' apiKey) or `x-api-key: <key>` (the Anthropic SDKs').\n");
      console.log(describeKey(record));
    }
    if (opts.config !== undefined) warnUnknownNames(record.routes, config, opts.config);
    if (first && config.keys.required === "auto") {
      console.error("\nThis is the first key: gateways with keys.required: auto (the default) now refuse requests without a key (running ones within 5 seconds).");
    }
    return 0;
  });
}

export async function runKeysList(opts: { json?: boolean; config?: string }): Promise<number> {
  return withStore(opts.config, "existing", async (store, _config, path) => {
    const records = store ? await store.list() : [];
    if (opts.json) console.log(JSON.stringify(records.map(toKeyView), null, 2));
    else if (records.length === 0) console.log(`No gateway keys in ${path} yet: create one with \`switchyard keys create --name NAME\`.`);
    else console.log(formatKeysTable(records));
    return 0;
  });
}

export async function runKeysRevoke(nameOrId: string, opts: { config?: string }): Promise<number> {
  return withStore(opts.config, "existing", async (store, _config, path) => {
    const result = store ? await store.revoke(nameOrId) : ({ type: "not_found" } as const);
    switch (result.type) {
      case "not_found":
        console.error(`No gateway key named or with id '${nameOrId}' in ${path}; \`switchyard keys list\` shows them.`);
        return 1;
      case "already_revoked":
        console.log(`Key '${result.record.name}' (${result.record.id}, ${result.record.prefix}) was already revoked at ${formatTime(result.record.revokedAt)}.`);
        return 0;
      case "revoked":
        console.log(`Revoked key '${result.record.name}' (${result.record.id}, ${result.record.prefix}). Running gateways refuse it within 5 seconds.`);
        return 0;
      default: {
        const _never: never = result;
        return _never;
      }
    }
  });
}

type StoreBody<S> = (store: S, config: Config, path: string) => Promise<number>;

/**
 * Runs `body` with the key store beside the configured ledger, closing it after. With
 * `existing`, a store that does not exist yet is passed as null rather than created.
 */
async function withStore(configFile: string | undefined, mode: "create", body: StoreBody<KeyStore>): Promise<number>;
async function withStore(configFile: string | undefined, mode: "existing", body: StoreBody<KeyStore | null>): Promise<number>;
async function withStore(configFile: string | undefined, mode: "create" | "existing", body: StoreBody<KeyStore>): Promise<number> {
  const { config, ledgerPath } = loadCliConfig(configFile);
  const path = keyStorePathFor(ledgerPath);
  if (path === ":memory:") {
    console.error("storage.ledger is sqlite::memory:, so gateway keys would not outlive this command: point storage.ledger at a file, or leave it out and set SWITCHYARD_DATA.");
    return 1;
  }
  let store: KeyStore | null = null;
  try {
    store = mode === "create" || existsSync(path) ? openSqliteKeyStore(path) : null;
    return await (body as StoreBody<KeyStore | null>)(store, config, path);
  } catch (err) {
    console.error(err instanceof KeyStoreError ? `error: ${err.message}` : `error: ${path}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await store?.close();
  }
}

function warnUnknownNames(routes: readonly string[] | null, config: Config, file: string): void {
  const known = new Set(["auto", ...Object.keys(config.routes), ...Object.keys(config.aliases), ...Object.keys(config.lanes), ...Object.keys(config.models)]);
  const unknown = (routes ?? []).filter((r) => !known.has(r) && !Object.hasOwn(config.providers, r.split("/")[0] ?? ""));
  if (unknown.length > 0) {
    console.error(`\nwarning: ${file} defines no route, alias, lane or model named ${unknown.map((r) => `'${r}'`).join(", ")}: the key cannot use ${unknown.length === 1 ? "it" : "them"} until it does.`);
  }
}

function describeKey(r: KeyRecord): string {
  const rows: [string, string][] = [
    ["id", r.id],
    ["name", r.name],
    ["prefix", r.prefix],
    ["created", formatTime(r.createdAt)],
    ["budget", describeBudget(r.budget)],
    ["rate limit", describeRateLimit(r.rateLimit)],
    ["routes", r.routes?.join(", ") ?? "all"],
  ];
  return rows.map(([k, v]) => `  ${k.padEnd(11)}${v}`).join("\n");
}

function formatKeysTable(records: readonly KeyRecord[]): string {
  const header = ["NAME", "ID", "PREFIX", "STATUS", "CREATED", "BUDGET", "RATE LIMIT", "ROUTES"];
  const rows = records.map((r) => [
    r.name,
    r.id,
    r.prefix,
    r.revokedAt === null ? "active" : `revoked ${formatTime(r.revokedAt)}`,
    formatTime(r.createdAt),
    describeBudget(r.budget),
    describeRateLimit(r.rateLimit),
    r.routes?.join(",") ?? "all",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n");
}

function describeBudget(b: KeyBudget): string {
  const parts = [
    b.daily_usd !== undefined && `$${b.daily_usd}/day`,
    b.monthly_usd !== undefined && `$${b.monthly_usd}/month`,
    b.daily_tokens !== undefined && `${b.daily_tokens.toLocaleString("en-US")} tokens/day`,
    b.monthly_tokens !== undefined && `${b.monthly_tokens.toLocaleString("en-US")} tokens/month`,
  ].filter((p): p is string => p !== false);
  return parts.length ? parts.join(", ") : "none";
}

function describeRateLimit(r: KeyRateLimit): string {
  const parts = [
    r.requests_per_minute !== undefined && `${r.requests_per_minute} req/min`,
    r.tokens_per_minute !== undefined && `${r.tokens_per_minute.toLocaleString("en-US")} tokens/min`,
  ].filter((p): p is string => p !== false);
  return parts.length ? parts.join(", ") : "none";
}

function formatTime(ms: number | null): string {
  return ms === null ? "-" : `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")}Z`;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number, e.g. 5 or 0.5");
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return n;
}

function nameList(value: string): string[] {
  const names = value.split(",").map((s) => s.trim());
  if (names.some((n) => n === "")) throw new InvalidArgumentError("expected comma-separated names, e.g. general_qna,extraction");
  return names;
}
