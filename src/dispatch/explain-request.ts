import type { Config, RouteConfig } from "../config/schema.ts";
import type { ChatRequest } from "../core/request.ts";
import type { BreakerStatus } from "../router/circuit-breaker.ts";
import { explainClassification, type ClassificationExplanation } from "../router/classify/explain-classification.ts";
import { autoSignals } from "../router/auto-signals.ts";
import { orderTargets } from "../router/order-targets.ts";
import { deploymentKey, type Plan, type Target } from "../router/plan.ts";
import { resolveModel } from "../router/resolve-model.ts";
import { applyRouteSettings } from "./apply-route-settings.ts";
import type { Runtime } from "./runtime.ts";
import { routeOf } from "../config/route-of.ts";

/** What an explanation reads: the config and the live health, never an adapter or the ledger. */
export type ExplainRuntime = Pick<Runtime, "config" | "health" | "priceOf" | "random" | "isSimulated" | "monotonicMs" | "wallClockMs">;

export interface ExplainInput {
  /** The `model` field. */
  requestedModel: string;
  request: ChatRequest;
  /** `x-switchyard-task-type` / `x-switchyard-complexity`; null where not sent. */
  taskType: string | null;
  complexity: string | null;
  /** `x-switchyard-task-id` or `x-switchyard-user`: keeps a weighted pick the same for a session. */
  stickyKey?: string | null;
  /** Warnings the codec raised while parsing. */
  warnings?: readonly string[];
}

export type AutoRule = NonNullable<Config["auto"]>["rules"][number];

export interface ChainStep {
  position: number;
  model: string;
  provider: string;
  upstreamModel: string;
  /** `<provider>/<upstream model>`: the breaker's key. */
  deployment: string;
  simulated: boolean;
  balance: { strategy: string; weight: number } | null;
  /** Null when breakers are off. */
  breaker: { status: BreakerStatus; requests: number; failures: number; probeAt: string | null } | null;
  /** Whether the breaker would let a request through now (an open one is skipped). */
  available: boolean;
  /** Why a route's latency or cost guard moves this deployment to the end; null when it does not. */
  demoted: string | null;
}

/** What the gateway would do with a request, without calling a model. */
export interface Explanation {
  object: "switchyard.explanation";
  requestedModel: string;
  resolvedBy: Plan["resolvedBy"];
  /** The task type and complexity routed on (null when the model is not `auto`). */
  taskType: string | null;
  complexity: string | null;
  /** Where each signal came from; null when the model is not `auto`. */
  signals: { taskType: "header" | "classifier"; complexity: "header" | "classifier" } | null;
  /** The classifier's view; null when it did not run (not `auto`, or both headers sent). */
  classification: ClassificationExplanation | null;
  /** The `auto.rules` entry that fired. */
  rule: { index: number; rule: AutoRule } | null;
  route: string | null;
  lane: string | null;
  alias: string | null;
  routeSettings: RouteConfig | null;
  /** The chain in the order it would be tried. */
  chain: ChainStep[];
  warnings: string[];
}

/**
 * Resolves a request the way the chat endpoints do — signals, rule, plan, route settings, chain
 * order — and reports each step. Calls no upstream, writes no receipt and takes nothing from the
 * breakers or the retry budget. Throws the same GatewayErrors the real request would (an unknown
 * model, a `max_tokens` a route rejects).
 */
export function explainRequest(runtime: ExplainRuntime, input: ExplainInput): Explanation {
  const config = runtime.config;
  const isAuto = input.requestedModel === "auto";
  const signals = autoSignals(input.requestedModel, input.request, { taskType: input.taskType, complexity: input.complexity });
  const plan = resolveModel(config, input.requestedModel, signals);
  const warnings = [...(input.warnings ?? [])];
  applyRouteSettings(config, plan, input.request, warnings);
  const route = routeOf(config, plan.route) ?? null;
  const ruleIndex = plan.auto?.rule;
  const rule = ruleIndex === undefined ? undefined : config.auto?.rules[ruleIndex];
  return {
    object: "switchyard.explanation",
    requestedModel: input.requestedModel,
    resolvedBy: plan.resolvedBy,
    taskType: isAuto ? signals.taskType : null,
    complexity: isAuto ? signals.complexity : null,
    signals: isAuto ? { taskType: input.taskType === null ? "classifier" : "header", complexity: input.complexity === null ? "classifier" : "header" } : null,
    classification: signals.classification ? explainClassification(signals.classification) : null,
    rule: ruleIndex !== undefined && rule !== undefined ? { index: ruleIndex, rule } : null,
    route: plan.route,
    lane: plan.lane,
    alias: plan.alias,
    routeSettings: route,
    chain: explainChain(runtime, plan, route, input.stickyKey ?? null),
    warnings,
  };
}

/**
 * The order `orderChain` would give, with the guards always applied (a live request skips them on a
 * small share of requests so a demoted deployment can recover), and each deployment's breaker.
 */
function explainChain(runtime: ExplainRuntime, plan: Plan, route: RouteConfig | null, stickyKey: string | null): ChainStep[] {
  const listPrice = (t: Target): number | null => {
    const price = runtime.priceOf(t);
    return price === null ? null : price.input + price.output;
  };
  const ordered = orderTargets({
    targets: plan.targets,
    facts: (t) => runtime.health.facts(deploymentKey(t), listPrice(t)),
    maxLatencyMs: route?.max_latency_ms,
    maxCostPer1kMicroUsd: route?.max_cost_per_1k_tokens !== undefined ? Math.round(route.max_cost_per_1k_tokens * 1e6) : undefined,
    random: runtime.random,
    stickyKey,
  });
  const breakers = new Map(runtime.health.snapshot().deployments.map((d) => [d.deployment, d.breaker]));
  const breakersOn = runtime.config.resilience.breaker.enabled;
  const monoNow = runtime.monotonicMs();
  const wallNow = runtime.wallClockMs();
  return ordered.targets.map((target, i): ChainStep => {
    const key = deploymentKey(target);
    const snap = breakers.get(key) ?? null;
    const breaker = snap
      ? { status: snap.status, requests: snap.requests, failures: snap.failures, probeAt: snap.probeAtMs === null ? null : isoAt(snap.probeAtMs, monoNow, wallNow) }
      : breakersOn
        ? { status: "closed" as const, requests: 0, failures: 0, probeAt: null }
        : null;
    return {
      position: i + 1,
      model: target.modelId,
      provider: target.provider,
      upstreamModel: target.upstreamModel,
      deployment: key,
      simulated: runtime.isSimulated(target.provider),
      balance: target.balance ? { strategy: target.balance.strategy, weight: target.balance.weight } : null,
      breaker,
      available: runtime.health.isAvailable(key),
      demoted: ordered.demoted.find((d) => d.target === target)?.reason ?? null,
    };
  });
}

/** A monotonic-clock instant as an ISO time, through the two clocks' offset now. */
export function isoAt(monotonicMs: number, monoNow: number, wallNow: number): string {
  return new Date(Math.round(wallNow + (monotonicMs - monoNow))).toISOString();
}
