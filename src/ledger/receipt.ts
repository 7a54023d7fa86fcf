import type { ErrorKind } from "../core/errors.ts";
import type { UnifiedFinishReason } from "../core/finish-reason.ts";

/** How a request ended. */
export type ReceiptStatus =
  /** The answer reached the client whole. */
  | "ok"
  /** The gateway or an upstream answered with an error before anything was streamed. */
  | "error"
  /** The client's request was rejected before any upstream call (bad input, unknown model). */
  | "rejected"
  /** A stream that had started broke off; the client got an explicit error event. */
  | "truncated"
  /** The client went away before the answer was complete. */
  | "client_closed";

/** One upstream call made for a request, in order. */
export interface Attempt {
  provider: string;
  /** Configured model id. */
  model: string;
  upstreamModel: string;
  /** HTTP status of the upstream's answer, when one came. */
  status: number | null;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  latencyMs: number;
  ttftMs: number | null;
}

/** How the router read the `model` field, as the receipt keeps it. */
export interface RoutingRecord {
  resolvedBy: "auto" | "route" | "alias" | "model" | "provider_model";
  /** `auto` only: the index in `auto.rules` of the rule that fired. */
  rule?: number;
  /** `auto` only: where task type and complexity came from. */
  source?: "header" | "classifier";
  /** Classifier scores per task type and the complexity score. */
  scores?: Record<string, number>;
  complexityScore?: number;
  /** The classifier's non-zero features. */
  features?: Record<string, number | boolean>;
  /** Deployments moved to the end of the chain by a latency or cost guard. */
  demoted?: string[];
  /** Deployments skipped because their circuit breaker was open. */
  skipped?: string[];
}

/** The record of one request, written for successes, failures, aborts and cache hits alike. */
export interface Receipt {
  requestId: string;
  /** Unix milliseconds when the request arrived. */
  createdAt: number;
  /** `/v1/chat/completions`, … */
  endpoint: string;
  keyId: string | null;
  taskId: string | null;
  taskType: string | null;
  complexity: string | null;
  route: string | null;
  lane: string | null;
  rollout: string | null;
  arm: string | null;
  /** The `model` field exactly as the client sent it. */
  requestedModel: string | null;
  /** Configured model id that answered (or was last tried). */
  model: string | null;
  /** Configured provider name. */
  provider: string | null;
  providerType: string | null;
  /** The model id sent upstream. */
  upstreamModel: string | null;
  /** The model version the upstream reports having used (e.g. `gpt-4o-2024-08-06`). */
  upstreamModelReported: string | null;
  attempts: Attempt[];
  retries: number;
  fallbacks: number;
  cacheHit: boolean;
  idempotencyKey: string | null;
  inputTokens: number | null;
  cachedInputTokens: number | null;
  cacheWriteTokens: number | null;
  outputTokens: number | null;
  reasoningTokens: number | null;
  /** Integer micro-USD; null when a price is unknown (never a made-up zero). */
  costMicroUsd: number | null;
  estimatedCostMicroUsd: number | null;
  latencyMs: number;
  ttftMs: number | null;
  /** Time the gateway itself spent, outside upstream calls. */
  overheadMs: number | null;
  stream: boolean;
  toolCalls: number;
  validationFailures: number;
  /** Times a failed validation sent the request on to the route's `escalate_to`. */
  escalations: number;
  /** How the target was chosen: for `auto`, the classifier's features and scores and the rule that fired. */
  routing: RoutingRecord | null;
  finishReason: UnifiedFinishReason | null;
  finishReasonRaw: string | null;
  reasoningEffort: string | null;
  status: ReceiptStatus;
  httpStatus: number;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  warnings: string[];
  /** True when every model involved is simulated. */
  simulated: boolean;
}
