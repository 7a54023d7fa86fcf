import type { Receipt } from "./receipt.ts";

/**
 * Fields a receipt written by an older version may lack, with the value that means "not
 * recorded". Stores keep the whole receipt as JSON; reading it through this keeps old rows valid
 * when a field is added, without a data migration.
 */
const ABSENT: Omit<Receipt, "requestId" | "createdAt" | "status"> = {
  endpoint: "",
  keyId: null,
  taskId: null,
  taskType: null,
  complexity: null,
  route: null,
  lane: null,
  rollout: null,
  arm: null,
  requestedModel: null,
  model: null,
  provider: null,
  providerType: null,
  upstreamModel: null,
  upstreamModelReported: null,
  attempts: [],
  retries: 0,
  fallbacks: 0,
  cacheHit: false,
  idempotencyKey: null,
  inputTokens: null,
  cachedInputTokens: null,
  cacheWriteTokens: null,
  outputTokens: null,
  reasoningTokens: null,
  costMicroUsd: null,
  estimatedCostMicroUsd: null,
  latencyMs: 0,
  ttftMs: null,
  overheadMs: null,
  stream: false,
  toolCalls: 0,
  escalations: 0,
  routing: null,
  validationFailures: 0,
  finishReason: null,
  finishReasonRaw: null,
  reasoningEffort: null,
  httpStatus: 0,
  errorKind: null,
  errorMessage: null,
  warnings: [],
  simulated: false,
};

/** Parses a stored receipt; throws when the text is not a receipt at all. */
export function decodeReceipt(json: string): Receipt {
  const value: unknown = JSON.parse(json);
  if (
    typeof value !== "object" ||
    value === null ||
    !("requestId" in value) ||
    typeof value.requestId !== "string" ||
    !("createdAt" in value) ||
    typeof value.createdAt !== "number" ||
    !("status" in value) ||
    typeof value.status !== "string"
  ) {
    throw new Error("stored receipt is not a receipt object (requestId, createdAt and status are required)");
  }
  return { ...ABSENT, ...(value as Partial<Receipt>) } as Receipt;
}
