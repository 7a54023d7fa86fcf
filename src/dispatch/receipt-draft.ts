import type { GatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import type { FinishReason } from "../core/finish-reason.ts";
import type { Usage } from "../core/usage.ts";
import { computeCostMicroUsd } from "../cost/compute-cost.ts";
import type { Attempt, Receipt, ReceiptStatus, RoutingRecord } from "../ledger/receipt.ts";
import { explainClassification } from "../router/classify/explain-classification.ts";
import { deploymentKey, type Plan, type Target } from "../router/plan.ts";
import type { Reservation } from "./admit-request.ts";
import { settleReservation } from "./settle-reservation.ts";
import type { Runtime } from "./runtime.ts";

export interface RequestMeta {
  requestId: string;
  endpoint: string;
  taskId: string | null;
  taskType: string | null;
  complexity: string | null;
  idempotencyKey: string | null;
  stream: boolean;
  reasoningEffort: string | null;
  /** `x-switchyard-timeout-ms`, when the client set it. */
  timeoutMs?: number | null;
}

/**
 * The receipt of one request while it is under way. Dispatch and the edge fill it in; `finish`
 * computes cost and hands it to the writer exactly once.
 */
export class ReceiptDraft {
  readonly runtime: Runtime;
  readonly meta: RequestMeta;
  readonly startedAt: number;
  readonly startedMono: number;
  requestedModel: string | null = null;
  plan: Plan | null = null;
  target: Target | null = null;
  attempts: Attempt[] = [];
  usage: Usage | null = null;
  upstreamModelReported: string | null = null;
  finishReason: FinishReason | null = null;
  ttftMs: number | null = null;
  toolCalls = 0;
  warnings: string[] = [];
  /** Attempts repeated on the same target, and moves down the chain. */
  retries = 0;
  fallbacks = 0;
  validationFailures = 0;
  escalations = 0;
  cacheHit = false;
  /** Deployments a guard demoted or an open breaker skipped, for the receipt's `routing`. */
  demoted: string[] = [];
  skipped: string[] = [];
  /** The gateway key the request came with. */
  keyId: string | null = null;
  /** What admission reserved against budgets; settled when the receipt is written. */
  reservation: Reservation | null = null;
  estimatedCostMicroUsd: number | null = null;
  /** The request as planned: where no budget needed an estimate before the call, one is made for the receipt. */
  request: ChatRequest | null = null;
  /** Set when a budget, cap or pace moved the request to a cheaper lane (`x-switchyard-budget`). */
  budgetNote: string | null = null;
  /** Cost of answers paid for but not returned (an escalated answer's predecessor); null: unknown. */
  private discardedCostMicroUsd: number | null = 0;
  private written = false;
  /** okCostMicroUsd's last answer and what it was worked out from. */
  private okCost: { usage: Usage | null; target: Target | null; discarded: number | null; value: number | null } | null = null;

  constructor(runtime: Runtime, meta: RequestMeta) {
    this.runtime = runtime;
    this.meta = meta;
    this.startedAt = runtime.wallClockMs();
    this.startedMono = runtime.monotonicMs();
  }

  elapsedMs(): number {
    return this.runtime.monotonicMs() - this.startedMono;
  }

  /** Milliseconds spent inside upstream calls so far. */
  upstreamMs(): number {
    let sum = 0;
    for (const a of this.attempts) sum += a.latencyMs;
    return sum;
  }

  /** The gateway's own time: everything but the upstream calls (`elapsedMs` when the caller has it). */
  overheadMs(elapsedMs: number = this.elapsedMs()): number {
    return Math.max(0, elapsedMs - this.upstreamMs());
  }

  /**
   * `costMicroUsd("ok")`, worked out once for the same usage, target and replaced answers: the
   * response header and the receipt both carry it.
   */
  okCostMicroUsd(): number | null {
    const last = this.okCost;
    if (last !== null && last.usage === this.usage && last.target === this.target && last.discarded === this.discardedCostMicroUsd) return last.value;
    const value = this.costMicroUsd("ok");
    this.okCost = { usage: this.usage, target: this.target, discarded: this.discardedCostMicroUsd, value };
    return value;
  }

  /** A warning sink for one target's adapter: messages are prefixed with the model they concern. */
  warnFor(target: Target): (message: string) => void {
    return (message) => {
      const text = `${target.modelId}: ${message}`;
      if (!this.warnings.includes(text)) this.warnings.push(text);
    };
  }

  /** Records a target's answered attempt: status 200, time to first byte = latency. */
  recordAnswered(target: Target, latencyMs: number): void {
    this.recordAttempt({
      provider: target.provider,
      model: target.modelId,
      upstreamModel: target.upstreamModel,
      status: 200,
      errorKind: null,
      errorMessage: null,
      latencyMs,
      ttftMs: latencyMs,
    });
  }

  recordAttempt(attempt: Attempt): void {
    this.attempts.push(attempt);
  }

  /**
   * Cost in micro-USD of what the upstream reported using; null when its price is unknown, or
   * when tokens were spent but never reported (a stream cut before its usage chunk).
   */
  costMicroUsd(status: ReceiptStatus = "ok"): number | null {
    const answer = this.target && this.usage ? computeCostMicroUsd(this.usage, this.runtime.priceOf(this.target)) : status === "truncated" || status === "client_closed" ? null : 0;
    if (this.discardedCostMicroUsd === 0) return answer;
    return answer === null || this.discardedCostMicroUsd === null ? null : answer + this.discardedCostMicroUsd;
  }

  /** Adds the cost of an answer that was paid for and then replaced (null: its price is unknown). */
  addDiscardedCost(micro: number | null): void {
    this.discardedCostMicroUsd = micro === null || this.discardedCostMicroUsd === null ? null : this.discardedCostMicroUsd + micro;
  }

  /**
   * The status of a request that ended in `error`: `rejected` when it was turned away before any
   * target was tried or skipped (bad input, unknown model, a budget), else `error`.
   */
  statusFor(error: GatewayError): ReceiptStatus {
    if (error.kind === "client_closed") return "client_closed";
    return this.attempts.length === 0 && this.skipped.length === 0 ? "rejected" : "error";
  }

  get isWritten(): boolean {
    return this.written;
  }

  /** Writes the receipt (once; later calls are ignored). */
  finish(status: ReceiptStatus, httpStatus: number, error?: GatewayError): Receipt | null {
    if (this.written) return null;
    this.written = true;
    const target = this.target;
    const usage = this.usage;
    const attemptsWithTarget = this.attempts;
    const elapsedMs = this.elapsedMs();
    let simulated = attemptsWithTarget.length > 0;
    for (const a of attemptsWithTarget) simulated &&= this.runtime.isSimulated(a.provider);
    const receipt: Receipt = {
      requestId: this.meta.requestId,
      createdAt: this.startedAt,
      endpoint: this.meta.endpoint,
      keyId: this.keyId,
      taskId: this.meta.taskId,
      taskType: this.meta.taskType ?? this.plan?.auto?.taskType ?? null,
      complexity: this.meta.complexity ?? this.plan?.auto?.complexity ?? null,
      route: this.plan?.route ?? null,
      lane: this.plan?.lane ?? null,
      rollout: null,
      arm: null,
      requestedModel: this.requestedModel,
      model: target?.modelId ?? null,
      provider: target?.provider ?? null,
      providerType: target ? (this.runtime.config.providers[target.provider]?.type ?? null) : null,
      upstreamModel: target?.upstreamModel ?? null,
      upstreamModelReported: this.upstreamModelReported,
      attempts: attemptsWithTarget,
      retries: this.retries,
      fallbacks: this.fallbacks,
      cacheHit: this.cacheHit,
      idempotencyKey: this.meta.idempotencyKey,
      inputTokens: usage?.inputTokens ?? null,
      cachedInputTokens: usage?.cachedInputTokens ?? null,
      cacheWriteTokens: usage?.cacheWriteTokens ?? null,
      outputTokens: usage?.outputTokens ?? null,
      reasoningTokens: usage?.reasoningTokens ?? null,
      costMicroUsd: status === "ok" ? this.okCostMicroUsd() : this.costMicroUsd(status),
      estimatedCostMicroUsd: this.estimatedCostMicroUsd ?? this.lateEstimate(),
      latencyMs: round(elapsedMs),
      ttftMs: this.ttftMs === null ? null : round(this.ttftMs),
      overheadMs: round(this.overheadMs(elapsedMs)),
      stream: this.meta.stream,
      toolCalls: this.toolCalls,
      validationFailures: this.validationFailures,
      escalations: this.escalations,
      routing: this.routingRecord(),
      finishReason: this.finishReason?.unified ?? null,
      finishReasonRaw: this.finishReason?.raw ?? null,
      reasoningEffort: this.meta.reasoningEffort,
      status,
      httpStatus,
      errorKind: error?.kind ?? null,
      errorMessage: error?.message ?? null,
      warnings: this.warnings,
      simulated,
    };
    if (status === "ok" && target && !this.cacheHit) this.observeAnswer(target, receipt);
    if (this.reservation) settleReservation(this.runtime, this.reservation, receipt);
    this.runtime.receipts.write(receipt);
    return receipt;
  }

  /** The estimate admission would have made, for requests it let through without one. */
  private lateEstimate(): number | null {
    const target = this.plan?.targets[0];
    if (!this.request || !target || this.cacheHit) return null;
    return this.runtime.estimate(this.request, target).costMicroUsd;
  }

  private routingRecord(): RoutingRecord | null {
    const plan = this.plan;
    if (!plan) return null;
    const record: RoutingRecord = { resolvedBy: plan.resolvedBy };
    const auto = plan.auto;
    if (auto) {
      record.rule = auto.rule;
      if (auto.source !== undefined) record.source = auto.source;
      if (auto.classification) {
        const explained = explainClassification(auto.classification);
        record.scores = explained.scores;
        record.complexityScore = explained.complexityScore;
        record.features = Object.fromEntries(explained.topFeatures.map((f) => [f.name, f.value]));
      }
    }
    if (this.demoted.length > 0) record.demoted = this.demoted;
    if (this.skipped.length > 0) record.skipped = this.skipped;
    return record;
  }

  /** What the answering deployment showed, for latency and cost guards. */
  private observeAnswer(target: Target, receipt: Receipt): void {
    const answered = this.attempts.findLast((a) => a.errorKind === null && a.provider === target.provider && a.model === target.modelId);
    if (!answered) return;
    const usage = this.usage;
    const tokens = (receipt.inputTokens ?? 0) + (receipt.outputTokens ?? 0);
    // This answer's own cost: an escalated request's receipt also carries the answer it replaced.
    const cost = this.discardedCostMicroUsd === 0 ? receipt.costMicroUsd : usage ? computeCostMicroUsd(usage, this.runtime.priceOf(target)) : null;
    const costPer1k = cost !== null && tokens > 0 ? (cost * 1000) / tokens : null;
    this.runtime.health.observe(deploymentKey(target), { latencyMs: answered.latencyMs, costPer1kMicroUsd: costPer1k });
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
