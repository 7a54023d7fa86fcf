import { checkConfig, formatCheckReport } from "../config/check-config.ts";
import { createAdapter } from "../main.ts";

/** `switchyard check`: every config error at once; exit code 1 when there is any. */
export async function runCheckCommand(opts: { config: string; online?: boolean }): Promise<number> {
  const report = await checkConfig({
    path: opts.config,
    env: process.env,
    online: opts.online === true,
    listModels: async (name, provider) => {
      const adapter = createAdapter(name, provider);
      if (!adapter?.listModels) return null;
      try {
        return await adapter.listModels({ signal: AbortSignal.timeout(15_000) });
      } finally {
        await adapter.close?.();
      }
    },
  });
  console.log(formatCheckReport(report));
  return report.ok ? 0 : 1;
}
