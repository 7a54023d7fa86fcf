import { writeFileSync } from "node:fs";
import path from "node:path";

/** Served by the fake's OpenAI endpoint: the same-format path. */
export const BENCH_MODEL = "bench-model";
/** Served by the fake's Anthropic endpoint: the translated path. */
export const BENCH_TRANSLATED_MODEL = "bench-claude";

/**
 * The gateway's config for the bench: the fake twice, as an openai-compatible provider and as an
 * anthropic one (`base_url` without /v1, as the Anthropic SDK takes it), and one priced model on each.
 */
export function writeBenchConfig(options: { dir: string; upstreamPort: number }): string {
  const file = path.join(options.dir, "switchyard.bench.yaml");
  const origin = `http://127.0.0.1:${options.upstreamPort}`;
  writeFileSync(
    file,
    [
      "server: { host: 127.0.0.1, shutdown_grace_ms: 5000 }",
      "providers:",
      `  fake: { type: openai-compatible, base_url: "${origin}/v1", api_key: bench }`,
      `  fake-anthropic: { type: anthropic, base_url: "${origin}", api_key: bench }`,
      "models:",
      `  ${BENCH_MODEL}: { provider: fake, upstream: gpt-bench, price: { input: 1.25, output: 10, cached_input: 0.125 } }`,
      `  ${BENCH_TRANSLATED_MODEL}: { provider: fake-anthropic, upstream: claude-bench, price: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 } }`,
      "",
    ].join("\n"),
  );
  return file;
}
