import { writeFileSync } from "node:fs";
import path from "node:path";

export const BENCH_MODEL = "bench-model";

/** The gateway's config for the bench: one openai-compatible provider (the fake) and one priced model. */
export function writeBenchConfig(options: { dir: string; upstreamPort: number }): string {
  const file = path.join(options.dir, "switchyard.bench.yaml");
  writeFileSync(
    file,
    [
      "server: { host: 127.0.0.1, shutdown_grace_ms: 5000 }",
      "providers:",
      `  fake: { type: openai-compatible, base_url: "http://127.0.0.1:${options.upstreamPort}/v1", api_key: bench }`,
      "models:",
      `  ${BENCH_MODEL}: { provider: fake, upstream: gpt-bench, price: { input: 1.25, output: 10, cached_input: 0.125 } }`,
      "",
    ].join("\n"),
  );
  return file;
}
