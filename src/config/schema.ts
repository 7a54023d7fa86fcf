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

/** One place a model is served from: a provider and the id it knows the model by. */
export const deploymentSchema = z.strictObject({
  provider: z.string().min(1),
  /** The model id sent upstream; defaults to the model's own id. */
  upstream: z.string().min(1).optional(),
  /** Share of traffic under `balance: weighted` (default 1). */
  weight: z.number().positive().optional(),
  /** USD per 1M tokens for this deployment, when it differs from the model's. */
  price: priceSchema.optional(),
});

/** A per-model prompt adapter: prompts tuned for one model version drift on the next. */
export const systemPromptSchema = z.strictObject({
  /** `prepend`: put `text` before the request's system prompt; `replace`: use `text` instead of it. */
  mode: z.enum(["prepend", "replace"]).default("prepend"),
  text: z.string().min(1),
});

export const BALANCE_STRATEGIES = ["weighted", "least_latency", "lowest_cost"] as const;

export const modelSchema = z
  .strictObject({
    provider: z.string().min(1).optional(),
    /** The model id sent upstream; defaults to the model's own id. */
    upstream: z.string().min(1).optional(),
    /** Several deployments of this one model (two keys, Azure + OpenAI, several vLLM servers). */
    deployments: z.array(deploymentSchema).min(1).optional(),
    /** How a request picks among `deployments`; the others follow as its fallbacks. */
    balance: z.enum(BALANCE_STRATEGIES).optional(),
    /** USD per 1M tokens; defaults come from the bundled price table. */
    price: priceSchema.optional(),
    context_window: positiveInt.optional(),
    max_output_tokens: positiveInt.optional(),
    system_prompt: systemPromptSchema.optional(),
  })
  .refine((m) => (m.provider === undefined) !== (m.deployments === undefined), {
    message: "a model needs exactly one of `provider` or `deployments`",
  })
  .refine((m) => m.deployments === undefined || m.upstream === undefined, {
    message: "with `deployments`, set `upstream` on each deployment instead",
  });

/** Requests and tokens per minute (a sliding minute). */
export const rateLimitSchema = z.strictObject({
  requests_per_minute: positiveInt.optional(),
  tokens_per_minute: positiveInt.optional(),
});

/** USD and token limits per calendar day and month. */
const periodLimits = {
  daily_usd: z.number().positive().optional(),
  monthly_usd: z.number().positive().optional(),
  daily_tokens: positiveInt.optional(),
  monthly_tokens: positiveInt.optional(),
};

export const ON_EXCEEDED = ["downgrade", "reject"] as const;

/** A budget of one scope (a route, a key). */
export const scopedBudgetSchema = z.strictObject({
  ...periodLimits,
  on_exceeded: z.enum(ON_EXCEEDED).optional(),
  /** Where `downgrade` sends a request: a lane, route or model (default: the budget's, then the cheapest lane). */
  downgrade_to: z.string().min(1).optional(),
});

export const budgetsSchema = z.strictObject({
  ...periodLimits,
  /** One request's estimate (prompt + output cap) may not exceed this. */
  per_request_tokens: positiveInt.optional(),
  per_request_usd: z.number().positive().optional(),
  /** Every call with the same `x-switchyard-task-id`, summed. */
  per_task_tokens: positiveInt.optional(),
  per_task_usd: z.number().positive().optional(),
  /** IANA time zone of the calendar days and months, e.g. `Europe/Berlin`. */
  time_zone: z.string().min(1).default("UTC"),
  on_exceeded: z.enum(ON_EXCEEDED).default("downgrade"),
  downgrade_to: z.string().min(1).optional(),
  routes: z.record(z.string(), scopedBudgetSchema).default({}),
  pace: z
    .strictObject({
      /** Spend this many times ahead of an even pace moves low and normal priority to cheaper lanes. */
      downgrade_when_ahead_by: z.number().min(1),
      /** This priority (and above) keeps its lane while the pace is ahead. */
      protect_priority: z.enum(["low", "normal", "high"]).default("high"),
    })
    .optional(),
});

export const keysSchema = z.strictObject({
  /**
   * `auto` (default): a gateway key is required once any key exists (`switchyard keys create`);
   * `true`: always; `false`: never (keys are still read when sent, for their budgets and limits).
   */
  required: z.union([z.boolean(), z.literal("auto")]).default("auto"),
});

export const routeCacheSchema = z.strictObject({
  /** How long an answer may be served again. */
  ttl_s: positiveInt,
  /** `deterministic`: only requests with temperature 0 (or a seed); `always`: every request. */
  when: z.enum(["deterministic", "always"]).default("deterministic"),
  /** Serve a cached answer (even one past its TTL) when every target of the chain failed. */
  fallback: z.boolean().default(false),
});

export const validateSchema = z.strictObject({
  /** JSON that does not parse, or does not match the request's `json_schema`. */
  json_schema: z.boolean().default(true),
  /** An answer with neither text nor tool calls. */
  non_empty: z.boolean().default(true),
  /** A refusal. */
  refusal: z.boolean().default(true),
  /** An answer cut off by the output limit (`finish_reason: length`). */
  length: z.boolean().default(true),
});

export const routeSchema = z
  .strictObject({
    model: z.string().min(1).optional(),
    lane: z.string().min(1).optional(),
    max_output_tokens: positiveInt.optional(),
    /** A request asking for more than `max_output_tokens`: `clamp` it (with a warning) or `reject` it. */
    on_max_output_tokens: z.enum(["clamp", "reject"]).optional(),
    /** The whole request's deadline, retries and fallbacks included. */
    timeout_ms: positiveInt.optional(),
    /** Retries on the same target (default `resilience.retry.attempts`). */
    retries: nonNegativeInt.optional(),
    temperature: z.number().min(0).max(2).optional(),
    validate: validateSchema.optional(),
    /** A lane or route to run when the answer fails `validate`. */
    escalate_to: z.string().min(1).optional(),
    /** Streaming requests may be read whole before the client sees them, so they can be validated and escalated. */
    buffer_stream: z.boolean().optional(),
    cache: routeCacheSchema.optional(),
    /** A deployment whose recent p95 latency is above this is demoted to the end of the chain. */
    max_latency_ms: positiveInt.optional(),
    /** A deployment whose recent cost per 1k tokens (USD) is above this is demoted to the end of the chain. */
    max_cost_per_1k_tokens: z.number().positive().optional(),
    /** A request whose pre-flight estimate is above this (USD) is rejected or downgraded (`on_max_cost`). */
    max_cost_usd: z.number().positive().optional(),
    on_max_cost: z.enum(ON_EXCEEDED).optional(),
    rate_limit: rateLimitSchema.optional(),
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
      /** An upstream's retry-after above this is not waited for: the chain falls back instead. */
      retry_after_cap_ms: positiveInt.default(30_000),
      /** Retries across the gateway may not exceed `ratio` × recent requests + `min_per_second`. */
      budget: z
        .strictObject({
          ratio: z.number().min(0).default(0.2),
          min_per_second: z.number().min(0).default(1),
          window_s: positiveInt.default(10),
        })
        .prefault({}),
    })
    .prefault({}),
  timeout: z
    .strictObject({
      /** Until the upstream's response headers (streaming) or whole answer (non-streaming). */
      ttft_ms: positiveInt.default(20_000),
      total_ms: positiveInt.default(120_000),
      /** Longest silence allowed between two stream messages. */
      idle_ms: positiveInt.default(30_000),
      /** The whole request, retries and fallbacks included, when neither the route nor `x-switchyard-timeout-ms` sets it. */
      deadline_ms: positiveInt.default(300_000),
      /**
       * Time to first token derived from each deployment's recent p95 × `factor`, within
       * [`min_ms`, `ttft_ms`], once it has `min_samples` samples.
       */
      adaptive: z
        .strictObject({
          factor: z.number().min(1).default(3),
          min_ms: positiveInt.default(1000),
          min_samples: positiveInt.default(20),
        })
        .optional(),
    })
    .prefault({}),
  breaker: z
    .strictObject({
      failure_rate: z.number().min(0).max(1).default(0.5),
      min_requests: positiveInt.default(10),
      window_s: positiveInt.default(60),
      cooldown_s: positiveInt.default(30),
      /** Requests let through at once while half-open. */
      half_open_probes: positiveInt.default(1),
      enabled: z.boolean().default(true),
    })
    .prefault({}),
  /** A cheap call per provider (its model list) on an interval, feeding the breakers. */
  health_probe: z.strictObject({ interval_s: positiveInt.default(30), timeout_ms: positiveInt.default(5000) }).optional(),
  idempotency: z
    .strictObject({
      ttl_s: positiveInt.default(86_400),
      max_entries: positiveInt.default(10_000),
    })
    .prefault({}),
  cache: z.strictObject({ max_entries: positiveInt.default(10_000) }).prefault({}),
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
      /** Bearer token the `/admin` API requires; without one, `/admin` answers only on a loopback host. */
      admin_key: z.string().min(1).optional(),
    })
    .prefault({}),
  providers: z.record(z.string(), providerSchema).default({}),
  models: z.record(z.string(), modelSchema).default({}),
  aliases: z.record(z.string(), z.string().min(1)).default({}),
  lanes: z.record(z.string(), z.array(z.string().min(1)).min(1)).default({}),
  routes: z.record(z.string(), routeSchema).default({}),
  auto: z.strictObject({ rules: z.array(autoRuleSchema).default([]) }).optional(),
  budgets: budgetsSchema.optional(),
  keys: keysSchema.prefault({}),
  // Accepted as documented; enforced by later versions (start and check say so).
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
export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type BudgetsConfig = z.output<typeof budgetsSchema>;
export type ScopedBudgetConfig = z.output<typeof scopedBudgetSchema>;
export type RateLimitConfig = z.output<typeof rateLimitSchema>;
export type BalanceStrategy = (typeof BALANCE_STRATEGIES)[number];
