import { z } from "zod";

/**
 * The config file's schema. Strict: an unknown key is an error. Defaults are filled in here so
 * that the rest of the gateway reads a complete config.
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const usdPerMillion = z.number().nonnegative();

export const providerTypeSchema = z.enum(["openai", "openai-compatible", "simulated", "anthropic", "gemini"]);

export const providerSchema = z.strictObject({
  type: providerTypeSchema,
  api_key: z.string().optional(),
  /** Written as the official SDKs take it, e.g. https://api.openai.com/v1. */
  base_url: z.url().optional(),
  /** Extra headers sent with every upstream request (e.g. OpenAI-Organization). */
  headers: z.record(z.string(), z.string()).optional(),
  /** Azure-style deployments: sent as the `api-version` query parameter. */
  api_version: z.string().optional(),
  /** Anthropic only: the `anthropic-version` header (default 2023-06-01). */
  anthropic_version: z.string().optional(),
  /**
   * Anthropic only: how `response_format: json_schema` is served — `native` structured output,
   * a forced `tool`, or `auto` (native where the model supports it).
   */
  structured_output: z.enum(["auto", "native", "tool"]).optional(),
  /** Simulated providers only: seed of the deterministic answers. */
  seed: z.number().int().optional(),
  /** Simulated providers only: multiplies every simulated delay (0 = answer at once). */
  latency_scale: z.number().nonnegative().optional(),
});

export const priceSchema = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  cached_input: usdPerMillion.optional(),
  cache_write: usdPerMillion.optional(),
  reasoning: usdPerMillion.optional(),
});

export const modelSchema = z.strictObject({
  provider: z.string().min(1),
  /** The model id sent upstream; defaults to the model's own id. */
  upstream: z.string().min(1).optional(),
  /** USD per 1M tokens; defaults come from the bundled price table. */
  price: priceSchema.optional(),
  context_window: positiveInt.optional(),
  max_output_tokens: positiveInt.optional(),
});

export const routeSchema = z
  .strictObject({
    model: z.string().min(1).optional(),
    lane: z.string().min(1).optional(),
    max_output_tokens: positiveInt.optional(),
    timeout_ms: positiveInt.optional(),
    retries: nonNegativeInt.optional(),
    temperature: z.number().min(0).max(2).optional(),
    validate: z.strictObject({ json_schema: z.boolean().optional() }).optional(),
    escalate_to: z.string().min(1).optional(),
  })
  .refine((r) => (r.model === undefined) !== (r.lane === undefined), {
    message: "a route needs exactly one of `model` or `lane`",
  });

const autoRuleSchema = z.strictObject({
  when: z
    .strictObject({
      task_type: z.string().optional(),
      complexity: z.enum(["low", "medium", "high"]).optional(),
    })
    .optional(),
  route: z.string().optional(),
  lane: z.string().optional(),
  model: z.string().optional(),
});

export const resilienceSchema = z.strictObject({
  retry: z
    .strictObject({
      attempts: nonNegativeInt.default(2),
      base_ms: positiveInt.default(250),
      max_ms: positiveInt.default(8000),
    })
    .prefault({}),
  timeout: z
    .strictObject({
      /** Until the upstream's response headers (streaming) or whole answer (non-streaming). */
      ttft_ms: positiveInt.default(20_000),
      total_ms: positiveInt.default(120_000),
      /** Longest silence allowed between two stream messages. */
      idle_ms: positiveInt.default(30_000),
    })
    .prefault({}),
  breaker: z
    .strictObject({
      failure_rate: z.number().min(0).max(1).default(0.5),
      min_requests: positiveInt.default(10),
      window_s: positiveInt.default(60),
      cooldown_s: positiveInt.default(30),
    })
    .prefault({}),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(4141),
      host: z.string().default("127.0.0.1"),
      /** Largest request body accepted, in bytes. */
      max_body_bytes: positiveInt.default(4 * 1024 * 1024),
      /** How long in-flight requests may take to finish on shutdown. */
      shutdown_grace_ms: positiveInt.default(10_000),
    })
    .prefault({}),
  providers: z.record(z.string(), providerSchema).default({}),
  models: z.record(z.string(), modelSchema).default({}),
  aliases: z.record(z.string(), z.string().min(1)).default({}),
  lanes: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
  routes: z.record(z.string(), routeSchema).default({}),
  auto: z.strictObject({ rules: z.array(autoRuleSchema).default([]) }).optional(),
  // Accepted as documented; enforced by later versions (start and check say so).
  budgets: z.record(z.string(), z.unknown()).optional(),
  keys: z.unknown().optional(),
  rollouts: z.record(z.string(), z.unknown()).optional(),
  telemetry: z.record(z.string(), z.unknown()).optional(),
  resilience: resilienceSchema.prefault({}),
  storage: z
    .strictObject({
      ledger: z.string().optional(),
      state: z.string().default("memory"),
    })
    .prefault({}),
});

export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type PriceConfig = z.output<typeof priceSchema>;
