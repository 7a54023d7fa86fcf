import path from "node:path";
import { defaultConfigFromEnv } from "../config/default-config.ts";
import { ConfigError, loadConfigFile } from "../config/load-config.ts";
import type { Config } from "../config/schema.ts";
import { resolveLedgerLocation } from "../ledger/resolve-data-dir.ts";

export interface CliConfig {
  config: Config;
  /** Where the config came from, for the start banner. */
  source: string;
  /** Lines describing a config built from the environment. */
  description: string[];
  warnings: string[];
  ledgerPath: string;
}

/**
 * The config a command runs with: the file given, or one built from the provider keys in the
 * environment (simulated providers when there are none). Prints every config error and exits 1.
 */
export function loadCliConfig(file: string | undefined): CliConfig {
  try {
    if (file !== undefined) {
      const { config, warnings } = loadConfigFile(file, process.env);
      return { config, source: path.resolve(file), description: [], warnings, ledgerPath: ledgerPathFor(config) };
    }
    const { config, description } = defaultConfigFromEnv(process.env);
    return { config, source: "built from the environment", description, warnings: [], ledgerPath: ledgerPathFor(config) };
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.format());
      process.exit(1);
    }
    throw err;
  }
}

function ledgerPathFor(config: Config): string {
  const location = resolveLedgerLocation({ env: process.env, cwd: process.cwd(), storageLedger: config.storage.ledger });
  if (location.kind !== "sqlite") {
    console.error(`storage.ledger: ${location.url.replace(/\/\/[^@/]*@/, "//…@")}: Postgres ledgers arrive with the multi-replica release; use sqlite:<path> for now.`);
    process.exit(1);
  }
  return location.path;
}
