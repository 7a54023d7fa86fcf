import type { Config } from "../config/schema.ts";
import type { ErrorKind } from "../core/errors.ts";
import { breakerOptionsFromConfig } from "../router/circuit-breaker.ts";
import * as breaker from "../router/circuit-breaker.ts";
import type { BreakerEvent, BreakerOptions, BreakerSnapshot, BreakerState } from "../router/circuit-breaker.ts";
import { addSample, adaptiveTimeoutMs, createLatencyWindow, latencySummary, percentile, type LatencyWindow } from "../router/latency-window.ts";
import type { DeploymentFacts } from "../router/order-targets.ts";
import { canRetry, createRetryBudget, recordRetryBudget, retryBudgetSnapshot, type RetryBudgetOptions, type RetryBudgetState } from "../router/retry-budget.ts";

export interface AdaptiveTtftOptions {
  factor: number;
  minMs: number;
  minSamples: number;
}

export interface DeploymentHealthOptions {
  /** Null: breakers are off. */
  breaker: BreakerOptions | null;
  adaptiveTtft: AdaptiveTtftOptions | null;
  retryBudget: RetryBudgetOptions;
  /** Monotonic milliseconds. */
  clock: () => number;
}

export interface BreakerTransition extends BreakerEvent {
  deployment: string;
}

/** A ticket from `allow`, handed back with the attempt's outcome. */
export interface Admission {
  allowed: boolean;
  ticket: number | undefined;
}

interface Entry {
  breaker: BreakerState | null;
  ttft: LatencyWindow;
  latency: LatencyWindow;
  costPer1k: LatencyWindow;
}

const MAX_TRANSITIONS = 200;
/**
 * Deployments tracked at most. Clients name `<provider>/<model>` deployments themselves, so the
 * map must not grow with whatever they send; past this, a new deployment is served untracked
 * (no breaker, no latency window) rather than evicting one that is.
 */
export const MAX_TRACKED_DEPLOYMENTS = 10_000;

/**
 * What the gateway has seen of each deployment (`<provider>/<upstream model>`): its circuit
 * breaker, recent time to first token, latency and cost; plus the gateway-wide retry budget. The
 * decisions are the router's pure functions; this holds their state for one process.
 */
export class DeploymentHealth {
  private readonly options: DeploymentHealthOptions;
  private readonly entries = new Map<string, Entry>();
  private budget: RetryBudgetState;
  private readonly transitions: BreakerTransition[] = [];
  private readonly listeners: ((t: BreakerTransition) => void)[] = [];

  constructor(options: DeploymentHealthOptions) {
    this.options = options;
    this.budget = createRetryBudget(options.retryBudget);
  }

  /** May an attempt go to this deployment now? Skipped without waiting while its breaker is open. */
  admit(deployment: string): Admission {
    const entry = this.entry(deployment);
    if (!entry.breaker) return { allowed: true, ticket: undefined };
    const now = this.options.clock();
    const result = breaker.allow(entry.breaker, now);
    entry.breaker = result.state;
    if (result.event) this.transition(deployment, result.event);
    return { allowed: result.allowed, ticket: result.ticket };
  }

  /** Whether `admit` would let an attempt through, without taking a half-open probe slot. */
  isAvailable(deployment: string): boolean {
    const b = this.entries.get(deployment)?.breaker;
    return !b || breaker.wouldAllow(b, this.options.clock());
  }

  /** An attempt's outcome: feeds the breaker. */
  record(deployment: string, ticket: number | undefined, result: "success" | ErrorKind): void {
    const entry = this.entry(deployment);
    if (!entry.breaker) return;
    const out = breaker.record(entry.breaker, { result, ticket }, this.options.clock());
    entry.breaker = out.state;
    if (out.event) this.transition(deployment, out.event);
  }

  /** What an answered attempt showed. */
  observe(deployment: string, sample: { ttftMs?: number | null; latencyMs?: number; costPer1kMicroUsd?: number | null }): void {
    const entry = this.entry(deployment);
    if (sample.ttftMs !== undefined && sample.ttftMs !== null) entry.ttft = addSample(entry.ttft, sample.ttftMs);
    if (sample.latencyMs !== undefined) entry.latency = addSample(entry.latency, sample.latencyMs);
    if (sample.costPer1kMicroUsd !== undefined && sample.costPer1kMicroUsd !== null) entry.costPer1k = addSample(entry.costPer1k, sample.costPer1kMicroUsd);
  }

  /** The time-to-first-token limit for this deployment: adaptive when configured, else `configuredMs`. */
  ttftTimeoutMs(deployment: string, configuredMs: number): number {
    const adaptive = this.options.adaptiveTtft;
    const window = this.entries.get(deployment)?.ttft;
    if (!adaptive || !window) return configuredMs;
    return adaptiveTimeoutMs({ window, factor: adaptive.factor, minMs: Math.min(adaptive.minMs, configuredMs), maxMs: configuredMs, minSamples: adaptive.minSamples });
  }

  facts(deployment: string, listPriceMicroUsd: number | null): DeploymentFacts {
    const entry = this.entries.get(deployment);
    if (!entry) return { ttftP50Ms: null, latencyP50Ms: null, latencyP95Ms: null, costPer1kMicroUsd: null, listPriceMicroUsd };
    const costs = entry.costPer1k.samples;
    return {
      ttftP50Ms: percentile(entry.ttft, 50),
      latencyP50Ms: percentile(entry.latency, 50),
      latencyP95Ms: percentile(entry.latency, 95),
      costPer1kMicroUsd: costs.length === 0 ? null : costs.reduce((a, b) => a + b, 0) / costs.length,
      listPriceMicroUsd,
    };
  }

  /** A new client request: counts toward the retry budget's allowance. */
  noteRequest(): void {
    this.budget = recordRetryBudget(this.budget, "request", this.options.clock());
  }

  /** Takes one retry from the gateway-wide budget; false when it is spent. */
  tryRetry(): boolean {
    const now = this.options.clock();
    if (!canRetry(this.budget, now)) return false;
    this.budget = recordRetryBudget(this.budget, "retry", now);
    return true;
  }

  /** Calls `listener` on every breaker transition; returns the function that stops it. */
  onTransition(listener: (t: BreakerTransition) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** For /admin and metrics. */
  snapshot(): HealthSnapshot {
    const now = this.options.clock();
    const deployments = [...this.entries].map(([deployment, e]) => ({
      deployment,
      breaker: e.breaker ? breaker.breakerSnapshot(e.breaker, now) : null,
      ttft: latencySummary(e.ttft),
      latency: latencySummary(e.latency),
    }));
    return { deployments, transitions: [...this.transitions], retryBudget: retryBudgetSnapshot(this.budget, now) };
  }

  private entry(deployment: string): Entry {
    let entry = this.entries.get(deployment);
    if (!entry) {
      const options = this.options.breaker;
      entry = {
        breaker: options ? breaker.createBreaker(options) : null,
        ttft: createLatencyWindow(128),
        latency: createLatencyWindow(128),
        costPer1k: createLatencyWindow(32),
      };
      if (this.entries.size < MAX_TRACKED_DEPLOYMENTS) this.entries.set(deployment, entry);
    }
    return entry;
  }

  private transition(deployment: string, event: BreakerEvent): void {
    const t = { ...event, deployment };
    this.transitions.push(t);
    if (this.transitions.length > MAX_TRANSITIONS) this.transitions.shift();
    for (const listener of this.listeners) listener(t);
  }
}

export interface HealthSnapshot {
  deployments: { deployment: string; breaker: BreakerSnapshot | null; ttft: ReturnType<typeof latencySummary>; latency: ReturnType<typeof latencySummary> }[];
  /** The most recent breaker transitions, oldest first. */
  transitions: BreakerTransition[];
  retryBudget: { requests: number; retries: number; allowance: number };
}

/** The health registry a config asks for. */
export function createDeploymentHealth(config: Config, clock: () => number): DeploymentHealth {
  const { breaker: b, retry, timeout } = config.resilience;
  return new DeploymentHealth({
    breaker: b.enabled ? breakerOptionsFromConfig(b, { halfOpenProbes: b.half_open_probes }) : null,
    adaptiveTtft: timeout.adaptive ? { factor: timeout.adaptive.factor, minMs: timeout.adaptive.min_ms, minSamples: timeout.adaptive.min_samples } : null,
    retryBudget: { ratio: retry.budget.ratio, minPerSecond: retry.budget.min_per_second, windowMs: retry.budget.window_s * 1000, buckets: 10 },
    clock,
  });
}
