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

/** The route the budgeted path's client names: the same model as the direct-model path, with a rate limit and a budget of its own. */
export const BENCH_BUDGETED_ROUTE = "bench-budgeted";

/**
 * The budgeted gateway's limits: far above anything the bench can reach (a run sends ~150k
 * requests of ~300 tokens and ~$0.0003 each, and reserves at most ~$0.003 per request in flight),
 * so that every request is reserved, rate-limited and settled, and none is refused. `reject`, not
 * the default `downgrade`: a budget that did run out would show as 429s, not as a quiet detour.
 */
export const BENCH_BUDGET_LIMITS = {
  dailyUsd: 1_000_000,
  dailyTokens: 100_000_000_000,
  routeRequestsPerMinute: 100_000_000,
  routeTokensPerMinute: 100_000_000_000,
} as const;

/** The gateway key the budgeted path sends (created in the key store before that gateway starts). */
export const BENCH_KEY_SPEC = {
  name: "bench",
  budget: { daily_usd: 1_000_000 },
  rateLimit: { requests_per_minute: 100_000_000 },
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
 *
 * `budgeted` adds what the budgeted gateway has on top (a second gateway process, since its keys
 * are required of every request): a route to the direct-model path's model with a `rate_limit`,
 * and `budgets` — global daily USD and tokens and the same on that route, in UTC. Route budgets
 * and rate limits apply only to requests that name a route, so that path names the route rather
 * than the model; the model, upstream and answer are the same.
 */
export function benchConfigText(options: { upstreamPort: number; budgeted?: boolean }): string {
  const origin = `http://127.0.0.1:${options.upstreamPort}`;
  const price = "price: { input: 1.25, output: 10, cached_input: 0.125 }";
  const { cheap, work, hard } = BENCH_LANES;
  const { primary, secondary } = BENCH_FALLBACK;
  const l = BENCH_BUDGET_LIMITS;
  return [
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
    ...(options.budgeted
      ? [`  ${BENCH_BUDGETED_ROUTE}: { model: ${BENCH_MODEL}, rate_limit: { requests_per_minute: ${l.routeRequestsPerMinute}, tokens_per_minute: ${l.routeTokensPerMinute} } }`]
      : []),
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
    ...(options.budgeted
      ? [
          "budgets:",
          `  daily_usd: ${l.dailyUsd}`,
          `  daily_tokens: ${l.dailyTokens}`,
          "  time_zone: UTC",
          "  on_exceeded: reject",
          "  routes:",
          `    ${BENCH_BUDGETED_ROUTE}: { daily_usd: ${l.dailyUsd}, daily_tokens: ${l.dailyTokens} }`,
        ]
      : []),
    "",
  ].join("\n");
}

/** Writes the bench config (see benchConfigText) into `dir` and returns its path. */
export function writeBenchConfig(options: { dir: string; upstreamPort: number; budgeted?: boolean }): string {
  const file = path.join(options.dir, options.budgeted ? "switchyard.bench-budgeted.yaml" : "switchyard.bench.yaml");
  writeFileSync(file, benchConfigText(options));
  return file;
}
