import { deploymentsOf } from "../config/deployments.ts";
import { isoAt } from "../dispatch/explain-request.ts";
import type { Runtime } from "../dispatch/runtime.ts";
import type { LatencySummary } from "../router/latency-window.ts";
import { deploymentKey } from "../router/plan.ts";
import type { Handler } from "./router.ts";
import { sendJson } from "./send.ts";

type BreakerRuntime = Pick<Runtime, "config" | "health" | "monotonicMs" | "wallClockMs" | "isSimulated">;

/**
 * GET /admin/breakers: every deployment's breaker (configured ones the gateway has not called yet
 * show as closed and empty), its recent time to first token and latency, the recent transitions
 * and the retry budget. Times are ISO strings.
 */
export function createBreakersHandler(runtime: BreakerRuntime): Handler {
  return (_req, res) => sendJson(res, 200, breakersView(runtime));
}

export function breakersView(runtime: BreakerRuntime) {
  const { config, health } = runtime;
  const monoNow = runtime.monotonicMs();
  const wallNow = runtime.wallClockMs();
  const iso = (ms: number): string => isoAt(ms, monoNow, wallNow);
  const snapshot = health.snapshot();
  const seen = new Map(snapshot.deployments.map((d) => [d.deployment, d]));
  const breakersOn = config.resilience.breaker.enabled;

  const keys = new Set<string>();
  const models = new Map<string, string[]>();
  for (const [id, m] of Object.entries(config.models)) {
    for (const d of deploymentsOf(id, m)) {
      const key = deploymentKey({ modelId: id, provider: d.provider, upstreamModel: d.upstream });
      keys.add(key);
      models.set(key, [...(models.get(key) ?? []), id]);
    }
  }
  for (const key of seen.keys()) keys.add(key);

  const deployments = [...keys].map((key) => {
    const d = seen.get(key);
    const provider = key.slice(0, key.indexOf("/"));
    const b = d?.breaker ?? null;
    return {
      deployment: key,
      provider,
      models: models.get(key) ?? [],
      simulated: runtime.isSimulated(provider),
      breaker: b
        ? { status: b.status, requests: b.requests, failures: b.failures, probeAt: b.probeAtMs === null ? null : iso(b.probeAtMs) }
        : breakersOn
          ? { status: "closed" as const, requests: 0, failures: 0, probeAt: null }
          : null,
      ttft: summary(d?.ttft),
      latency: summary(d?.latency),
    };
  });
  const budget = snapshot.retryBudget;
  return {
    object: "switchyard.breakers",
    now: new Date(wallNow).toISOString(),
    breakersEnabled: breakersOn,
    settings: config.resilience.breaker,
    deployments,
    transitions: snapshot.transitions.map((t) => ({
      deployment: t.deployment,
      from: t.from,
      to: t.to,
      at: iso(t.at),
      reason: t.reason,
      ...(t.window !== undefined && { window: t.window }),
    })),
    retryBudget: { ...budget, remaining: Math.max(0, Math.floor(budget.allowance - budget.retries)), windowSeconds: config.resilience.retry.budget.window_s },
  };
}

function summary(s: LatencySummary | undefined): { count: number; p50Ms: number | null; p95Ms: number | null } {
  const ms = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : Math.round(v * 100) / 100);
  return { count: s?.count ?? 0, p50Ms: ms(s?.p50), p95Ms: ms(s?.p95) };
}
