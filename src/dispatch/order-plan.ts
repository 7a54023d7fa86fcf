import { deploymentKey, type Plan, type Target } from "../router/plan.ts";
import { orderTargets } from "../router/order-targets.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { routeOf } from "../config/route-of.ts";

/**
 * The chain in the order this request will try it: each model with several deployments puts the
 * one its balance strategy picks first, and deployments that break the route's latency or cost
 * guard move to the end (with a warning and a note in the receipt) — except on a small share of
 * requests, which keep the configured order so that a demoted deployment's numbers can recover.
 */
export function orderChain(draft: ReceiptDraft, plan: Plan, stickyKey: string | null): Target[] {
  const runtime = draft.runtime;
  const config = runtime.config;
  const route = routeOf(config, plan.route);
  // A few requests ignore the guards, so a demoted deployment is measured again and can recover.
  const guarded = (route?.max_latency_ms !== undefined || route?.max_cost_per_1k_tokens !== undefined) && runtime.random() >= GUARD_PROBE_SHARE;
  if (!guarded && !plan.targets.some((t) => t.balance)) return plan.targets;
  const result = orderTargets({
    targets: plan.targets,
    facts: (t) => runtime.health.facts(deploymentKey(t), listPrice(draft, t)),
    maxLatencyMs: guarded ? route?.max_latency_ms : undefined,
    maxCostPer1kMicroUsd: guarded && route?.max_cost_per_1k_tokens !== undefined ? Math.round(route.max_cost_per_1k_tokens * 1e6) : undefined,
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

/** Share of requests that try a route's chain in its configured order despite the guards. */
export const GUARD_PROBE_SHARE = 0.05;

/** Input plus output price per 1M tokens, for `balance: lowest_cost`. */
function listPrice(draft: ReceiptDraft, target: Target): number | null {
  const price = draft.runtime.priceOf(target);
  return price === null ? null : price.input + price.output;
}
