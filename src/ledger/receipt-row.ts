import type { SQLInputValue } from "node:sqlite";
import type { Receipt } from "./receipt.ts";

/** The receipts table's columns, in the order `receiptRow` gives their values. */
export const RECEIPT_COLUMNS = [
  "request_id", "created_at", "task_id", "key_id", "route", "lane", "rollout", "arm", "model", "provider",
  "upstream_model", "status", "http_status", "error_kind", "input_tokens", "output_tokens", "cost_micro_usd",
  "latency_ms", "simulated", "receipt", "ttft_ms", "retries", "fallbacks", "escalations", "estimated_cost_micro_usd",
] as const;

/** A receipt as the values of its row: the whole receipt as JSON (the truth) and the columns filtered, sorted and summed on. */
export function receiptRow(r: Receipt): SQLInputValue[] {
  return [
    r.requestId, r.createdAt, r.taskId, r.keyId, r.route, r.lane, r.rollout, r.arm, r.model, r.provider,
    r.upstreamModel, r.status, r.httpStatus, r.errorKind, r.inputTokens, r.outputTokens, r.costMicroUsd,
    r.latencyMs, r.simulated ? 1 : 0, JSON.stringify(r), r.ttftMs, r.retries, r.fallbacks, r.escalations, r.estimatedCostMicroUsd,
  ];
}
