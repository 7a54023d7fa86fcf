import { writeFileSync } from "node:fs";
import path from "node:path";
import { FAIL_FAST_MODEL } from "./fake-upstream.ts";

/** Served by the fake's OpenAI endpoint: the same-format path. */
export const BENCH_MODEL = "bench-model";
/** Served by the fake's Anthropic endpoint: the translated path. */
export const BENCH_TRANSLATED_MODEL = "bench-claude";
/** What the routed path's client sends as `model`. */
export const BENCH_AUTO_MODEL = "auto";
/** The route the fallback path's client names: lane [fail-fast model, answering model]. */
export const BENCH_FALLBACK_ROUTE = "bench-fallback";

/** The lanes `auto.rules` picks from, each one model on the fake's OpenAI endpoint with its own upstream id. */
export const BENCH_LANES = {
  cheap: { model: "bench-cheap", upstream: "gpt-bench-mini" },
  work: { model: "bench-work", upstream: "gpt-bench" },
  hard: { model: "bench-hard", upstream: "gpt-bench-pro" },
} as const;
export type BenchLane = keyof typeof BENCH_LANES;

/** The fallback lane: the first model's upstream fails at once (503), the second answers. */
export const BENCH_FALLBACK = {
  lane: "fallback",
  primary: { model: "bench-primary", upstream: FAIL_FAST_MODEL },
  secondary: { model: "bench-secondary", upstream: "gpt-bench-secondary" },
} as const;

/**
 * The gateway's config for the bench: the fake twice, as an openai-compatible provider and as an
 * anthropic one (`base_url` without /v1, as the Anthropic SDK takes it), one priced model on each;
 * three lanes for `model: auto` (a task_type rule, then one rule per complexity, then a default);
 * and a route to a two-model lane whose first model always fails.
 *
 * `resilience` turns retries off and keeps the breakers shut (a breaker that needs a million
 * requests never opens), so the fallback path measures exactly one failed call and one fallback
 * per request: no backoff wait, and never a breaker skipping the failing target. Only that path
 * fails, so the other paths are not affected.
 */
export function writeBenchConfig(options: { dir: string; upstreamPort: number }): string {
  const file = path.join(options.dir, "switchyard.bench.yaml");
  const origin = `http://127.0.0.1:${options.upstreamPort}`;
  const price = "price: { input: 1.25, output: 10, cached_input: 0.125 }";
  const { cheap, work, hard } = BENCH_LANES;
  const { primary, secondary } = BENCH_FALLBACK;
  writeFileSync(
    file,
    [
      "server: { host: 127.0.0.1, shutdown_grace_ms: 5000 }",
      "providers:",
      `  fake: { type: openai-compatible, base_url: "${origin}/v1", api_key: bench }`,
      `  fake-anthropic: { type: anthropic, base_url: "${origin}", api_key: bench }`,
      "models:",
      `  ${BENCH_MODEL}: { provider: fake, upstream: gpt-bench, ${price} }`,
      `  ${BENCH_TRANSLATED_MODEL}: { provider: fake-anthropic, upstream: claude-bench, price: { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 } }`,
      ...[cheap, work, hard, primary, secondary].map((m) => `  ${m.model}: { provider: fake, upstream: ${m.upstream}, ${price} }`),
      "lanes:",
      ...Object.entries(BENCH_LANES).map(([lane, m]) => `  ${lane}: [${m.model}]`),
      `  ${BENCH_FALLBACK.lane}: [${primary.model}, ${secondary.model}]`,
      "routes:",
      `  ${BENCH_FALLBACK_ROUTE}: { lane: ${BENCH_FALLBACK.lane} }`,
      "auto:",
      "  rules:",
      "    - { when: { task_type: code, complexity: high }, lane: hard }",
      "    - { when: { complexity: low }, lane: cheap }",
      "    - { when: { complexity: medium }, lane: work }",
      "    - { when: { complexity: high }, lane: hard }",
      "    - { lane: work }",
      "resilience:",
      "  retry: { attempts: 0 }",
      "  breaker: { min_requests: 1000000 }",
      "",
    ].join("\n"),
  );
  return file;
}
