import { ValueReader, type PackedValue, type ValuePacker } from "./packed-values.ts";
import type { Attempt, Receipt, RoutingRecord } from "./receipt.ts";

/*
 * Receipts cross to the ledger thread packed into bytes, a batch at a time (packed-values.ts):
 * postMessage then copies bytes instead of cloning objects field by field, which cost more than
 * writing the receipt's JSON, and the JSON is written on the ledger thread instead of the
 * gateway's event loop. The values, in receipt field order:
 *
 *   requestId … upstreamModelReported, n attempts, n × (8 attempt fields), retries … escalations,
 *   routing.resolvedBy, the rest of routing as JSON (or null), finishReason … errorMessage,
 *   n warnings, n × warning, simulated
 *
 * `unpackReceipts` builds each receipt with the same keys in the same order as `finish` does, so
 * what the ledger stores is what the gateway built (pack-receipt.test.ts holds the two to each
 * other).
 */

/** Appends `r` to `out`. */
export function packReceipt(r: Receipt, out: ValuePacker): void {
  // out.add, not a shorter local wrapper: one call per value instead of two, ~60 times a receipt.
  out.add(r.requestId); out.add(r.createdAt); out.add(r.endpoint); out.add(r.keyId); out.add(r.taskId); out.add(r.taskType); out.add(r.complexity);
  out.add(r.route); out.add(r.lane); out.add(r.rollout); out.add(r.arm); out.add(r.requestedModel); out.add(r.model); out.add(r.provider);
  out.add(r.providerType); out.add(r.upstreamModel); out.add(r.upstreamModelReported); out.add(r.attempts.length);
  for (const a of r.attempts) {
    out.add(a.provider); out.add(a.model); out.add(a.upstreamModel); out.add(a.status); out.add(a.errorKind); out.add(a.errorMessage); out.add(a.latencyMs); out.add(a.ttftMs);
  }
  const routing = r.routing;
  out.add(r.retries); out.add(r.fallbacks); out.add(r.cacheHit); out.add(r.idempotencyKey); out.add(r.inputTokens); out.add(r.cachedInputTokens);
  out.add(r.cacheWriteTokens); out.add(r.outputTokens); out.add(r.reasoningTokens); out.add(r.costMicroUsd); out.add(r.estimatedCostMicroUsd);
  out.add(r.latencyMs); out.add(r.ttftMs); out.add(r.overheadMs); out.add(r.stream); out.add(r.toolCalls); out.add(r.validationFailures);
  out.add(r.escalations); out.add(routing === null ? null : routing.resolvedBy); out.add(routing === null ? null : routingRest(routing));
  out.add(r.finishReason); out.add(r.finishReasonRaw); out.add(r.reasoningEffort); out.add(r.status); out.add(r.httpStatus); out.add(r.errorKind);
  out.add(r.errorMessage); out.add(r.warnings.length);
  for (const w of r.warnings) out.add(w);
  out.add(r.simulated);
}

/** The receipts `packReceipt` wrote into `bytes`, in order. Throws on bytes it did not write. */
export function unpackReceipts(bytes: Uint8Array): Receipt[] {
  const receipts: Receipt[] = [];
  const reader = new ValueReader(bytes);
  const next = (): PackedValue => reader.next();
  // The casts restore the field types packReceipt read them from.
  while (!reader.done) {
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
