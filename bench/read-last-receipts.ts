import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface LastReceipts {
  count: number;
  /** A one-line summary of the newest receipt. */
  newest: string | null;
}

function field(o: Record<string, unknown>, ...names: string[]): string {
  for (const n of names) {
    const v = o[n];
    if (v !== undefined && v !== null) return typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return "?";
}

/** Runs `switchyard receipts --last 5 --json` the way a user would, against the same data dir. */
export async function readLastReceipts(options: { cliPath: string; configPath: string; env: NodeJS.ProcessEnv; cwd: string }): Promise<LastReceipts> {
  const { stdout } = await run(process.execPath, [options.cliPath, "receipts", "--last", "5", "--json", "--config", options.configPath], {
    env: options.env,
    cwd: options.cwd,
    timeout: 20_000,
  });
  const parsed: unknown = JSON.parse(stdout);
  if (!Array.isArray(parsed)) throw new Error(`expected a JSON array, got: ${stdout.slice(0, 200)}`);
  const first: unknown = parsed[0];
  const newest =
    typeof first === "object" && first !== null
      ? (() => {
          const o = first as Record<string, unknown>;
          const cost = field(o, "costMicroUsd", "cost_micro_usd", "cost");
          return `status ${field(o, "status", "finalStatus")}, model ${field(o, "model", "modelId")}, ${cost === "?" ? "no cost" : `cost ${cost} µUSD`}, stream ${field(o, "stream")}`;
        })()
      : null;
  return { count: parsed.length, newest };
}
