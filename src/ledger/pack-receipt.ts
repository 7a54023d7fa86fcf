import type { Attempt, Receipt, RoutingRecord } from "./receipt.ts";

/** What a packed receipt is made of: values that cross to the ledger thread without a copy of any structure. */
export type PackedValue = string | number | boolean | null | undefined;

/*
 * Receipts cross to the ledger thread as one flat list of strings, numbers, booleans and nulls per
 * batch: postMessage clones such a list for a fraction of what an object (field by field, with its
 * arrays and nested objects) or a JSON text costs, and the receipt's JSON is written on the ledger
 * thread instead of the gateway's event loop. The layout, in receipt field order:
 *
 *   requestId … upstreamModelReported, n attempts, n × (8 attempt fields), retries … escalations,
 *   routing.resolvedBy, the rest of routing as JSON (or null), finishReason … errorMessage,
 *   n warnings, n × warning, simulated
 *
 * `unpackReceipts` builds each receipt with the same keys in the same order as `finish` does, so
 * the stored JSON is what JSON.stringify of the original gives (pack-receipt.test.ts holds the two
 * to each other).
 */

/** Appends `r` to `out`. */
export function packReceipt(r: Receipt, out: PackedValue[]): void {
  out.push(
    r.requestId, r.createdAt, r.endpoint, r.keyId, r.taskId, r.taskType, r.complexity, r.route, r.lane, r.rollout, r.arm,
    r.requestedModel, r.model, r.provider, r.providerType, r.upstreamModel, r.upstreamModelReported, r.attempts.length,
  );
  for (const a of r.attempts) out.push(a.provider, a.model, a.upstreamModel, a.status, a.errorKind, a.errorMessage, a.latencyMs, a.ttftMs);
  const routing = r.routing;
  out.push(
    r.retries, r.fallbacks, r.cacheHit, r.idempotencyKey, r.inputTokens, r.cachedInputTokens, r.cacheWriteTokens, r.outputTokens,
    r.reasoningTokens, r.costMicroUsd, r.estimatedCostMicroUsd, r.latencyMs, r.ttftMs, r.overheadMs, r.stream, r.toolCalls,
    r.validationFailures, r.escalations, routing === null ? null : routing.resolvedBy, routing === null ? null : routingRest(routing),
    r.finishReason, r.finishReasonRaw, r.reasoningEffort, r.status, r.httpStatus, r.errorKind, r.errorMessage, r.warnings.length,
  );
  for (const w of r.warnings) out.push(w);
  out.push(r.simulated);
}

/** The receipts `packReceipt` appended to `values`, in order. Throws on a list it did not make. */
export function unpackReceipts(values: readonly PackedValue[]): Receipt[] {
  const receipts: Receipt[] = [];
  let i = 0;
  const next = (): PackedValue => {
    if (i >= values.length) throw new Error("a packed receipt ends early");
    return values[i++];
  };
  // The casts restore the field types packReceipt read them from.
  while (i < values.length) {
    const head = {
      requestId: next() as string,
      createdAt: next() as number,
      endpoint: next() as string,
      keyId: next() as string | null,
      taskId: next() as string | null,
      taskType: next() as string | null,
      complexity: next() as string | null,
      route: next() as string | null,
      lane: next() as string | null,
      rollout: next() as string | null,
      arm: next() as string | null,
      requestedModel: next() as string | null,
      model: next() as string | null,
      provider: next() as string | null,
      providerType: next() as string | null,
      upstreamModel: next() as string | null,
      upstreamModelReported: next() as string | null,
    };
    const attempts: Attempt[] = [];
    for (let n = count(next()); n > 0; n--) {
      attempts.push({
        provider: next() as string,
        model: next() as string,
        upstreamModel: next() as string,
        status: next() as number | null,
        errorKind: next() as Attempt["errorKind"],
        errorMessage: next() as string | null,
        latencyMs: next() as number,
        ttftMs: next() as number | null,
      });
    }
    const receipt: Receipt = {
      ...head,
      attempts,
      retries: next() as number,
      fallbacks: next() as number,
      cacheHit: next() as boolean,
      idempotencyKey: next() as string | null,
      inputTokens: next() as number | null,
      cachedInputTokens: next() as number | null,
      cacheWriteTokens: next() as number | null,
      outputTokens: next() as number | null,
      reasoningTokens: next() as number | null,
      costMicroUsd: next() as number | null,
      estimatedCostMicroUsd: next() as number | null,
      latencyMs: next() as number,
      ttftMs: next() as number | null,
      overheadMs: next() as number | null,
      stream: next() as boolean,
      toolCalls: next() as number,
      validationFailures: next() as number,
      escalations: next() as number,
      routing: routingOf(next() as RoutingRecord["resolvedBy"] | null, next() as string | null),
      finishReason: next() as Receipt["finishReason"],
      finishReasonRaw: next() as string | null,
      reasoningEffort: next() as string | null,
      status: next() as Receipt["status"],
      httpStatus: next() as number,
      errorKind: next() as Receipt["errorKind"],
      errorMessage: next() as string | null,
      warnings: [],
      simulated: false,
    };
    for (let n = count(next()); n > 0; n--) receipt.warnings.push(next() as string);
    receipt.simulated = next() as boolean;
    receipts.push(receipt);
  }
  return receipts;
}

/** Everything in a routing record but `resolvedBy`, as JSON; null when there is nothing else (the common case). */
function routingRest(routing: RoutingRecord): string | null {
  let rest: Partial<RoutingRecord> | null = null;
  for (const key in routing) {
    if (key === "resolvedBy") continue;
    rest ??= {};
    (rest as Record<string, unknown>)[key] = (routing as unknown as Record<string, unknown>)[key];
  }
  return rest === null ? null : JSON.stringify(rest);
}

function routingOf(resolvedBy: RoutingRecord["resolvedBy"] | null, rest: string | null): RoutingRecord | null {
  if (resolvedBy === null) return null;
  return rest === null ? { resolvedBy } : { resolvedBy, ...(JSON.parse(rest) as Partial<RoutingRecord>) };
}

function count(value: PackedValue): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new Error(`a packed receipt has no count where one belongs (found ${String(value)})`);
  return value;
}
