import { formatServeSummary } from "./format-serve-summary.ts";
import { loadCliConfig } from "./load-cli-config.ts";
import { startGateway } from "../main.ts";

export async function runStartCommand(opts: { config?: string; port?: number; host?: string }): Promise<void> {
  const loaded = loadCliConfig(opts.config);
  for (const w of loaded.warnings) console.warn(`warning: ${w}`);
  let gateway;
  try {
    gateway = await startGateway({
      config: loaded.config,
      ledgerPath: loaded.ledgerPath,
      ...(opts.port !== undefined && { port: opts.port }),
      ...(opts.host !== undefined && { host: opts.host }),
    });
  } catch (err) {
    const inUse = err instanceof Error && (err as NodeJS.ErrnoException).code === "EADDRINUSE";
    const hint = inUse ? " (another process listens there; choose another with --port or server.port)" : "";
    console.error(`switchyard: cannot start: ${err instanceof Error ? err.message : String(err)}${hint}`);
    process.exit(1);
  }
  console.log(formatServeSummary({ url: gateway.url, config: loaded.config, source: loaded.source, description: loaded.description, ledgerPath: loaded.ledgerPath }));

  process.on("unhandledRejection", (reason) => {
    console.error("[switchyard] unhandled rejection (kept running):", reason);
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    const inFlight = gateway.server.inFlight();
    console.log(`${signal}: shutting down${inFlight > 0 ? `, waiting for ${inFlight} request(s) in flight` : ""}…`);
    gateway.close().then(
      () => {
        console.log("receipts flushed; bye");
        process.exit(0);
      },
      (err: unknown) => {
        console.error("shutdown failed:", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
