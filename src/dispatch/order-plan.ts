import { deploymentKey, type Plan, type Target } from "../router/plan.ts";
import { orderTargets } from "../router/order-targets.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";

/**
 * The chain in the order this request will try it: each model with several deployments puts the
 * one its balance strategy picks first, and deployments that break the route's latency or cost
 * guard move to the end (with a warning and a note in the receipt).
 */
export function orderChain(draft: ReceiptDraft, plan: Plan, stickyKey: string | null): Target[] {
  const runtime = draft.runtime;
  const config = runtime.config;
  const route = plan.route !== null && Object.hasOwn(config.routes, plan.route) ? config.routes[plan.route] : undefined;
  const guarded = route?.max_latency_ms !== undefined || route?.max_cost_per_1k_tokens !== undefined;
  if (!guarded && !plan.targets.some((t) => t.balance)) return plan.targets;
  const result = orderTargets({
    targets: plan.targets,
    facts: (t) => runtime.health.facts(deploymentKey(t), listPrice(draft, t)),
    maxLatencyMs: route?.max_latency_ms,
    maxCostPer1kMicroUsd: route?.max_cost_per_1k_tokens === undefined ? undefined : Math.round(route.max_cost_per_1k_tokens * 1e6),
    random: runtime.random,
    stickyKey,
  });
  for (const { target, reason } of result.demoted) {
    const key = deploymentKey(target);
    if (!draft.demoted.includes(key)) draft.demoted.push(key);
    draft.warnings.push(`${target.modelId} (${key}) demoted for route ${plan.route}: ${reason}`);
  }
  return result.targets;
}

/** Input plus output price per 1M tokens, for `balance: lowest_cost`. */
function listPrice(draft: ReceiptDraft, target: Target): number | null {
  const price = draft.runtime.priceOf(target);
  return price === null ? null : price.input + price.output;
}
