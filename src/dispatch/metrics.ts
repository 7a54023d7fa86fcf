import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from "prom-client";
import type { Config } from "../config/schema.ts";
import type { Receipt } from "../ledger/receipt.ts";
import type { BreakerStatus } from "../router/circuit-breaker.ts";
import type { DeploymentHealth } from "../state/deployment-health.ts";
import type { ReceiptSink } from "./runtime.ts";
import { KeyTree } from "../core/key-tree.ts";

/** The breaker gauge's values. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerStatus, number>> = { closed: 0, half_open: 1, open: 2 };

/** Distinct `<provider>/<model>` names clients may add as label values before the rest show as `other`. */
const MAX_UNCONFIGURED_MODELS = 100;

/** The labels of a series, from the label names and the values in the same order. */
function labelsOf<L extends string>(names: readonly L[], values: readonly string[]): Record<L, string> {
  const labels = {} as Record<L, string>;
  names.forEach((name, i) => {
    labels[name] = values[i] ?? "";
  });
  return labels;
}

/**
 * Counter increments summed per label set in plain nested maps, and handed to prom-client only
 * when scraped: map lookups per request instead of prom-client's label validation and hashing.
 */
class Tally<L extends string> {
  /** The counter's label names, in the order `add` takes their values. */
  readonly names: readonly L[];
  private readonly totals: KeyTree<{ n: number }>;

  constructor(names: readonly L[]) {
    this.names = names;
    this.totals = new KeyTree(names.length);
  }

  /** `values`: one per label name, in the order the names were given. */
  add(values: readonly string[], n: number): void {
    this.cell(values).n += n;
  }

  /** The running total of one label set, created at 0 (it is exported once something is added). */
  cell(values: readonly string[]): { n: number } {
    let t = this.totals.get(values);
    if (!t) {
      t = { n: 0 };
      this.totals.set(values, t);
    }
    return t;
  }

  /** For the counter's `collect`: its values become the tally's. */
  collectInto(counter: Counter<L>): void {
    counter.reset();
    for (const [values, t] of this.totals.entries()) counter.inc(labelsOf(this.names, values), t.n);
  }
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

/**
 * The cells one kind of finished request counts in, found once per label set and kept: a
 * request then adds to them directly instead of looking each metric's series up by its labels.
 * Token and cost cells are taken when first needed, so that a series nothing was added to is
 * not exported.
 */
interface RequestSeries {
  requests: { n: number };
  duration: HistogramSeries;
  ttft: HistogramSeries | null;
  tokens: Record<TokenType, { n: number } | null>;
  cost: { n: number } | null;
  route: string;
  model: string;
  provider: string;
}

type TokenType = "input" | "cached_input" | "output" | "reasoning";

/**
 * A histogram kept in plain nested maps: per request map lookups and a bucket search instead of
 * prom-client's label checks and hashing. The registry reads it through the same `get()`
 * contract as prom-client's own histograms (cumulative `_bucket` series up to `+Inf`, `_sum`,
 * `_count`).
 */
class TallyHistogram<L extends string> {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series: KeyTree<HistogramSeries>;

  readonly name: string;
  readonly help: string;
  private readonly names: readonly L[];
  private readonly buckets: readonly number[];

  constructor(options: { name: string; help: string; labelNames: readonly L[]; buckets: readonly number[] }) {
    this.name = options.name;
    this.help = options.help;
    this.names = options.labelNames;
    this.buckets = options.buckets;
    this.series = new KeyTree(options.labelNames.length);
  }

  /** `values`: one per label name, in the order the names were given. */
  observe(values: readonly string[], value: number): void {
    this.observeIn(this.cell(values), value);
  }

  /** The series of one label set, created empty. */
  cell(values: readonly string[]): HistogramSeries {
    let s = this.series.get(values);
    if (!s) {
      s = { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(values, s);
    }
    return s;
  }

  /** One observation in a series `cell` gave. */
  observeIn(s: HistogramSeries, value: number): void {
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= (this.buckets[i] ?? 0)) {
        s.counts[i] = (s.counts[i] ?? 0) + 1;
        break;
      }
    }
    s.sum += value;
    s.count += 1;
  }

  async get(): Promise<{ name: string; help: string; type: "histogram"; aggregator: "sum"; values: { labels: Record<string, string | number>; value: number; metricName: string }[] }> {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const [labelValues, s] of this.series.entries()) {
      const labels = labelsOf(this.names, labelValues);
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += s.counts[i] ?? 0;
        values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", ...labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Zeroes every series in place: the cells GatewayMetrics keeps stay the ones collected. */
  reset(): void {
    for (const [, s] of this.series.entries()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }

  /** Adds it to a registry, which reads any object with prom-client's metric contract (name, help, type, get, reset). */
  registerIn(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }
}

export interface GatewayMetricsOptions {
  config: Config;
  health: DeploymentHealth;
  /** Process metrics (CPU, memory, event loop, GC) in the same registry; default true. */
  processMetrics?: boolean;
}

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways in one process do
 * not collide). Request counters move once per finished receipt — label increments only; breaker
 * state and the retry budget are read from the health registry when scraped.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly knownModels: Set<string>;
  private readonly otherModels = new Set<string>();
  private readonly requests = new Tally(["endpoint", "route", "model", "provider", "status"] as const);
  private readonly duration: TallyHistogram<"endpoint" | "route" | "model" | "status">;
  private readonly ttft: TallyHistogram<"route" | "model">;
  private readonly attempts = new Tally(["provider", "model", "error_kind"] as const);
  private readonly retries: Counter<"route">;
  private readonly fallbacks: Counter<"route">;
  private readonly escalations: Counter<"route">;
  private readonly validationFailures: Counter<"route">;
  private readonly cacheHits: Counter<"route" | "model">;
  private readonly tokens = new Tally(["provider", "model", "type"] as const);
  private readonly cost = new Tally(["route", "model", "provider"] as const);
  private readonly transitions: Counter<"deployment" | "from" | "to">;
  private readonly probes: Counter<"provider" | "result">;
  /** By endpoint, route, model label, provider and status; bounded like the labels it is made of. */
  private readonly requestSeries = new KeyTree<RequestSeries>(5, 100_000);

  constructor(options: GatewayMetricsOptions) {
    const registers = [this.registry];
    const health = options.health;
    this.knownModels = new Set(Object.keys(options.config.models));
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });

    const tallied = <L extends string>(tally: Tally<L>) =>
      function collect(this: Counter<L>): void {
        tally.collectInto(this);
      };
    new Counter({ name: "switchyard_requests_total", help: "Finished requests, by the route and the model and provider that answered (or were last tried).", labelNames: this.requests.names, registers, collect: tallied(this.requests) });
    this.duration = new TallyHistogram({
      name: "switchyard_request_duration_seconds",
      help: "Whole-request latency as the client saw it, retries and fallbacks included.",
      labelNames: ["endpoint", "route", "model", "status"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160],
    }).registerIn(this.registry);
    this.ttft = new TallyHistogram({
      name: "switchyard_time_to_first_token_seconds",
      help: "Time from the request's arrival to the first content byte.",
      labelNames: ["route", "model"] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
    }).registerIn(this.registry);
    new Counter({ name: "switchyard_upstream_attempts_total", help: "Upstream calls, by provider, model and error kind (`none` for an answer).", labelNames: this.attempts.names, registers, collect: tallied(this.attempts) });
    this.retries = new Counter({ name: "switchyard_retries_total", help: "Attempts repeated on the same target.", labelNames: ["route"], registers });
    this.fallbacks = new Counter({ name: "switchyard_fallbacks_total", help: "Moves down a fallback chain to another target.", labelNames: ["route"], registers });
    this.escalations = new Counter({ name: "switchyard_escalations_total", help: "Answers that failed validation and were sent on to the route's escalate_to.", labelNames: ["route"], registers });
    this.validationFailures = new Counter({ name: "switchyard_validation_failures_total", help: "Answers that failed the route's validate checks.", labelNames: ["route"], registers });
    this.cacheHits = new Counter({ name: "switchyard_cache_hits_total", help: "Requests answered from the response cache.", labelNames: ["route", "model"], registers });
    new Counter({ name: "switchyard_tokens_total", help: "Tokens the upstreams reported, by type (input, cached_input, output, reasoning).", labelNames: this.tokens.names, registers, collect: tallied(this.tokens) });
    new Counter({ name: "switchyard_cost_usd_total", help: "Cost of what the upstreams reported using, in USD, where the price is known.", labelNames: this.cost.names, registers, collect: tallied(this.cost) });
    this.transitions = new Counter({ name: "switchyard_circuit_breaker_transitions_total", help: "Circuit breaker transitions per deployment.", labelNames: ["deployment", "from", "to"], registers });
    this.probes = new Counter({ name: "switchyard_health_probes_total", help: "Active health probes per provider, by result (`ok` or the error kind).", labelNames: ["provider", "result"], registers });

    new Gauge({
      name: "switchyard_circuit_breaker_state",
      help: "Circuit breaker state per deployment (<provider>/<upstream model>): 0 closed, 1 half-open, 2 open.",
      labelNames: ["deployment"],
      registers,
      collect() {
        this.reset();
        for (const d of health.snapshot().deployments) {
          if (d.breaker) this.set({ deployment: d.deployment }, BREAKER_STATE_VALUE[d.breaker.status]);
        }
      },
    });
    const budget = (name: string, help: string, pick: (b: { requests: number; retries: number; allowance: number }) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pick(health.snapshot().retryBudget));
        },
      });
    };
    budget("switchyard_retry_budget_requests", "Requests counted in the retry budget's window.", (b) => b.requests);
    budget("switchyard_retry_budget_retries", "Retries taken in the retry budget's window.", (b) => b.retries);
    budget("switchyard_retry_budget_allowance", "Retries the window allows in all (ratio × requests + floor).", (b) => b.allowance);

    health.onTransition((t) => this.transitions.inc({ deployment: t.deployment, from: t.from, to: t.to }));
  }

  /** A sink that also counts each receipt; the receipt reaches `sink` whatever metrics do. */
  wrapSink(sink: ReceiptSink): ReceiptSink {
    return {
      write: (receipt) => {
        sink.write(receipt);
        try {
          this.observe(receipt);
        } catch (err) {
          console.error("[switchyard] metrics failed for a receipt:", err);
        }
      },
    };
  }

  /** Counts one finished request. */
  observe(r: Receipt): void {
    const s = this.seriesOf(r);
    const { route, model, provider } = s;
    s.requests.n += 1;
    this.duration.observeIn(s.duration, r.latencyMs / 1000);
    if (r.ttftMs !== null) this.ttft.observeIn((s.ttft ??= this.ttft.cell([route, model])), r.ttftMs / 1000);
    for (const a of r.attempts) this.attempts.add([a.provider, this.modelLabel(a.model), a.errorKind ?? "none"], 1);
    if (r.retries > 0) this.retries.inc({ route }, r.retries);
    if (r.fallbacks > 0) this.fallbacks.inc({ route }, r.fallbacks);
    if (r.escalations > 0) this.escalations.inc({ route }, r.escalations);
    if (r.validationFailures > 0) this.validationFailures.inc({ route }, r.validationFailures);
    if (r.cacheHit) this.cacheHits.inc({ route, model });
    if (!r.cacheHit) {
      this.countTokens(s, "input", r.inputTokens);
      this.countTokens(s, "cached_input", r.cachedInputTokens);
      this.countTokens(s, "output", r.outputTokens);
      this.countTokens(s, "reasoning", r.reasoningTokens);
    }
    if (r.costMicroUsd !== null && r.costMicroUsd > 0) (s.cost ??= this.cost.cell([route, model, provider])).n += r.costMicroUsd / 1e6;
  }

  /** The cells of this receipt's endpoint, route, model, provider and status. */
  private seriesOf(r: Receipt): RequestSeries {
    const route = r.route ?? "";
    const model = this.modelLabel(r.model);
    const provider = r.provider ?? "";
    const keys = [r.endpoint, route, model, provider, r.status];
    let s = this.requestSeries.get(keys);
    if (s === undefined) {
      s = {
        requests: this.requests.cell(keys),
        duration: this.duration.cell([r.endpoint, route, model, r.status]),
        ttft: null,
        tokens: { input: null, cached_input: null, output: null, reasoning: null },
        cost: null,
        route,
        model,
        provider,
      };
      this.requestSeries.set(keys, s);
    }
    return s;
  }

  /** One active health probe's result. */
  observeProbe(provider: string, result: string): void {
    this.probes.inc({ provider, result });
  }

  /** The Prometheus text exposition and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  private countTokens(s: RequestSeries, type: TokenType, n: number | null): void {
    if (n !== null && n > 0) (s.tokens[type] ??= this.tokens.cell([s.provider, s.model, type])).n += n;
  }

  /**
   * Configured model ids as they are; `<provider>/<model>` names (which clients choose) up to a
   * bound, then `other`, so a client cannot grow the series without limit.
   */
  private modelLabel(model: string | null): string {
    if (model === null) return "";
    if (this.knownModels.has(model) || this.otherModels.has(model)) return model;
    if (this.otherModels.size >= MAX_UNCONFIGURED_MODELS) return "other";
    this.otherModels.add(model);
    return model;
  }
}
