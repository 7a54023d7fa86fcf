import path from "node:path";
import { keyStorePathFor, openSqliteKeyStore } from "../src/state/sqlite-key-store.ts";
import { startChild, type Child } from "./start-child.ts";
import { BENCH_KEY_SPEC, writeBenchConfig } from "./write-bench-config.ts";

const here = import.meta.dirname;
export const REPO_ROOT = path.resolve(here, "..");
export const CLI_PATH = path.join(REPO_ROOT, "src", "cli", "main.ts");

/** One gateway process: its config, the environment it (and the `receipts` command) runs with, its ledger. */
export interface GatewayProcess {
  child: Child;
  configPath: string;
  env: NodeJS.ProcessEnv;
  ledgerPath: string;
}

export interface BenchTargets {
  fake: Child;
  bare: Child;
  gateway: Child;
  configPath: string;
  /** The environment the gateway and the `receipts` command run with. */
  gatewayEnv: NodeJS.ProcessEnv;
  ledgerPath: string;
  /** A second gateway: the same config plus budgets and a rate-limited route, with a gateway key required. */
  budgeted: GatewayProcess;
  /** The secret of the budgeted gateway's one key (`authorization: Bearer <secret>`). */
  budgetedKeySecret: string;
}

const portAfter = (pattern: RegExp) => (line: string): number | null => {
  const m = pattern.exec(line);
  return m?.[1] === undefined ? null : Number(m[1]);
};

/**
 * Starts the fake upstream, the bare proxy in front of it, and the gateway and the budgeted
 * gateway (after creating its key) in front of it, each in its own process. Every child that
 * started is pushed to `started` at once, so the caller can stop them whatever fails next.
 */
export async function startBenchTargets(options: { tmpDir: string; started: Child[] }): Promise<BenchTargets> {
  const { started } = options;
  const fake = await startChild({ name: "fake upstream", args: [path.join(here, "fake-upstream.ts")], parsePort: portAfter(/^listening (\d+)$/) });
  started.push(fake);
  const bare = await startChild({
    name: "bare proxy",
    args: [path.join(here, "bare-proxy.ts"), `http://127.0.0.1:${fake.port}`],
    parsePort: portAfter(/^listening (\d+)$/),
  });
  started.push(bare);

  // The key exists before the budgeted gateway starts, so it requires keys (`keys.required: auto`)
  // from its first request. keys.db sits beside the ledger: `<SWITCHYARD_DATA>/ledger.db` by default.
  const budgetedDataDir = path.join(options.tmpDir, "data-budgeted");
  const keyStore = openSqliteKeyStore(keyStorePathFor(path.join(budgetedDataDir, "ledger.db")));
  let budgetedKeySecret: string;
  try {
    budgetedKeySecret = (await keyStore.create({ ...BENCH_KEY_SPEC })).secret;
  } finally {
    await keyStore.close();
  }
  // Both gateways start at once (a second or so each); each is in `started` as soon as it listens.
  const configPath = writeBenchConfig({ dir: options.tmpDir, upstreamPort: fake.port });
  const [main, budgeted] = await Promise.allSettled([
    startGateway({ name: "gateway", configPath, dataDir: path.join(options.tmpDir, "data"), tmpDir: options.tmpDir, started }),
    startGateway({ name: "budgeted gateway", configPath: writeBenchConfig({ dir: options.tmpDir, upstreamPort: fake.port, budgeted: true }), dataDir: budgetedDataDir, tmpDir: options.tmpDir, started }),
  ]);
  if (main.status === "rejected") throw main.reason;
  if (budgeted.status === "rejected") throw budgeted.reason;
  return { fake, bare, gateway: main.value.child, configPath, gatewayEnv: main.value.env, ledgerPath: main.value.ledgerPath, budgeted: budgeted.value, budgetedKeySecret };
}

async function startGateway(options: { name: string; configPath: string; dataDir: string; tmpDir: string; started: Child[] }): Promise<GatewayProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_DATA: options.dataDir, NO_COLOR: "1" };
  const child = await startChild({
    name: options.name,
    args: [CLI_PATH, "start", "--config", options.configPath, "--port", "0"],
    env,
    cwd: options.tmpDir,
    parsePort: portAfter(/^Switchyard listening on http:\/\/\S+:(\d+)/),
  });
  options.started.push(child);
  // The start banner names the ledger file; fall back to the documented default place.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const banner = child.output().find((l) => l.startsWith("receipts: "));
  const ledgerPath = banner?.slice("receipts: ".length).split(/\s{2,}/)[0] ?? path.join(options.dataDir, "ledger.db");
  return { child, configPath: options.configPath, env, ledgerPath };
}
