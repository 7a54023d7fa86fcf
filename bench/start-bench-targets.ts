import path from "node:path";
import { startChild, type Child } from "./start-child.ts";
import { writeBenchConfig } from "./write-bench-config.ts";

const here = import.meta.dirname;
export const REPO_ROOT = path.resolve(here, "..");
export const CLI_PATH = path.join(REPO_ROOT, "src", "cli", "main.ts");

export interface BenchTargets {
  fake: Child;
  bare: Child;
  gateway: Child;
  configPath: string;
  /** The environment the gateway and the `receipts` command run with. */
  gatewayEnv: NodeJS.ProcessEnv;
  ledgerPath: string;
}

const portAfter = (pattern: RegExp) => (line: string): number | null => {
  const m = pattern.exec(line);
  return m?.[1] === undefined ? null : Number(m[1]);
};

/**
 * Starts the fake upstream, the bare proxy in front of it and the gateway in front of it, each in
 * its own process. Every child that started is pushed to `started` at once, so the caller can stop
 * them whatever fails next.
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

  const configPath = writeBenchConfig({ dir: options.tmpDir, upstreamPort: fake.port });
  const gatewayEnv: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_DATA: path.join(options.tmpDir, "data"), NO_COLOR: "1" };
  const gateway = await startChild({
    name: "gateway",
    args: [CLI_PATH, "start", "--config", configPath, "--port", "0"],
    env: gatewayEnv,
    cwd: options.tmpDir,
    parsePort: portAfter(/^Switchyard listening on http:\/\/\S+:(\d+)/),
  });
  started.push(gateway);
  // The start banner names the ledger file; fall back to the documented default place.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const banner = gateway.output().find((l) => l.startsWith("receipts: "));
  const ledgerPath = banner?.slice("receipts: ".length).split(/\s{2,}/)[0] ?? path.join(options.tmpDir, "data", "ledger.db");
  return { fake, bare, gateway, configPath, gatewayEnv, ledgerPath };
}
