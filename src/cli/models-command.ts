import { buildModelList } from "../server/handle-models.ts";
import { loadCliConfig } from "./load-cli-config.ts";

export function runModelsCommand(opts: { config?: string; json?: boolean }): number {
  const { config } = loadCliConfig(opts.config);
  const list = buildModelList(config, Math.floor(Date.now() / 1000));
  if (opts.json) {
    console.log(JSON.stringify(list, null, 2));
    return 0;
  }
  const width = Math.max(...list.data.map((m) => m.id.length), 4);
  for (const m of list.data) {
    const s = m.switchyard;
    const what = s.kind === "model" ? `model   ${s.provider ?? ""}/${s.upstream ?? ""}` : `${s.kind.padEnd(7)} ${s.targets ?? ""}`;
    console.log(`${m.id.padEnd(width)}  ${what}${s.simulated ? "  [simulated]" : ""}`);
  }
  return 0;
}
