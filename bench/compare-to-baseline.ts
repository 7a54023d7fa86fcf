import {
  BENCH_CASES,
  BENCH_GOALS,
  BUDGETED_TARGETS,
  ROUTING_TARGETS,
  type BenchCase,
  type BenchRow,
  type BenchTarget,
  type BenchVerdict,
  type RoutingVerdict,
  type TranslationVerdict,
  type TtftReport,
} from "./bench-report.ts";
import type { TtftResult } from "./ttft-probe.ts";

/**
 * The gateway against the bare proxy, per case, with the goals applied: throughput and added p50
 * under the full load of `connections`, and added p50 at one connection where such rows exist.
 */
export function compareToBaseline(rows: readonly BenchRow[], connections: number): BenchVerdict[] {
  const verdicts: BenchVerdict[] = [];
  const find = (c: BenchCase, t: BenchTarget, n: number) => rows.find((r) => r.case === c && r.target === t && r.connections === n)?.result;
  for (const c of BENCH_CASES) {
    const bare = find(c, "bare-proxy", connections);
    const gateway = find(c, "gateway", connections);
    if (!bare || !gateway) continue;
    const addedP50Ms = gateway.p50Ms - bare.p50Ms;
    const bareOne = find(c, "bare-proxy", 1);
    const gatewayOne = find(c, "gateway", 1);
    const addedP50OneConnectionMs = bareOne && gatewayOne ? gatewayOne.p50Ms - bareOne.p50Ms : null;
    const throughputRatio = bare.requestsPerSecond > 0 ? gateway.requestsPerSecond / bare.requestsPerSecond : Number.NaN;
    verdicts.push({
      case: c,
      addedP50Ms,
      addedP50Pass: addedP50Ms <= BENCH_GOALS.maxAddedP50Ms,
      addedP50OneConnectionMs,
      addedP50OneConnectionPass: addedP50OneConnectionMs === null ? null : addedP50OneConnectionMs <= BENCH_GOALS.maxAddedP50Ms,
      throughputRatio,
      throughputPass: throughputRatio >= BENCH_GOALS.minThroughputRatio,
      cpuPerRequestRatio: gateway.cpuMsPerRequest !== null && bare.cpuMsPerRequest ? gateway.cpuMsPerRequest / bare.cpuMsPerRequest : null,
    });
  }
  return verdicts;
}

/**
 * The translated path against the same-format path through the same gateway, per case, with the
 * translation goal applied to the throughput under the full load of `connections`.
 */
export function compareTranslation(rows: readonly BenchRow[], connections: number): TranslationVerdict[] {
  const verdicts: TranslationVerdict[] = [];
  const find = (c: BenchCase, t: BenchTarget, n: number) => rows.find((r) => r.case === c && r.target === t && r.connections === n)?.result;
  for (const c of BENCH_CASES) {
    const same = find(c, "gateway", connections);
    const translated = find(c, "gateway-translated", connections);
    if (!same || !translated) continue;
    const sameOne = find(c, "gateway", 1);
    const translatedOne = find(c, "gateway-translated", 1);
    const throughputRatio = same.requestsPerSecond > 0 ? translated.requestsPerSecond / same.requestsPerSecond : Number.NaN;
    const cpuMeasured = translated.cpuMsPerRequest !== null && same.cpuMsPerRequest !== null;
    verdicts.push({
      case: c,
      throughputRatio,
      throughputPass: throughputRatio >= BENCH_GOALS.minTranslatedThroughputRatio,
      addedP50Ms: translated.p50Ms - same.p50Ms,
      addedP50OneConnectionMs: sameOne && translatedOne ? translatedOne.p50Ms - sameOne.p50Ms : null,
      cpuPerRequestRatio: cpuMeasured && same.cpuMsPerRequest ? (translated.cpuMsPerRequest ?? 0) / same.cpuMsPerRequest : null,
      addedCpuUsPerRequest: cpuMeasured ? ((translated.cpuMsPerRequest ?? 0) - (same.cpuMsPerRequest ?? 0)) * 1000 : null,
    });
  }
  return verdicts;
}

/**
 * Each of `targets` against the direct-model path through the gateway, per case: throughput
 * ratio, added p50 and p99 under the full load and at one connection, and CPU per request (all
 * threads, and the main thread alone). No goals.
 */
function compareWithGateway(rows: readonly BenchRow[], connections: number, targets: readonly BenchTarget[]): RoutingVerdict[] {
  const verdicts: RoutingVerdict[] = [];
  const find = (c: BenchCase, t: BenchTarget, n: number) => rows.find((r) => r.case === c && r.target === t && r.connections === n)?.result;
  for (const c of BENCH_CASES) {
    const base = find(c, "gateway", connections);
    if (!base) continue;
    const baseOne = find(c, "gateway", 1);
    for (const t of targets) {
      const other = find(c, t, connections);
      if (!other) continue;
      const otherOne = find(c, t, 1);
      const cpuMeasured = other.cpuMsPerRequest !== null && base.cpuMsPerRequest !== null;
      const mainMeasured = other.mainThreadCpuMsPerRequest !== null && base.mainThreadCpuMsPerRequest !== null;
      verdicts.push({
        case: c,
        target: t,
        baseline: "gateway",
        throughputRatio: base.requestsPerSecond > 0 ? other.requestsPerSecond / base.requestsPerSecond : Number.NaN,
        addedP50Ms: other.p50Ms - base.p50Ms,
        addedP99Ms: other.p99Ms - base.p99Ms,
        addedP50OneConnectionMs: baseOne && otherOne ? otherOne.p50Ms - baseOne.p50Ms : null,
        addedP99OneConnectionMs: baseOne && otherOne ? otherOne.p99Ms - baseOne.p99Ms : null,
        cpuPerRequestRatio: cpuMeasured && base.cpuMsPerRequest ? (other.cpuMsPerRequest ?? 0) / base.cpuMsPerRequest : null,
        addedCpuUsPerRequest: cpuMeasured ? ((other.cpuMsPerRequest ?? 0) - (base.cpuMsPerRequest ?? 0)) * 1000 : null,
        addedMainThreadCpuUsPerRequest: mainMeasured ? ((other.mainThreadCpuMsPerRequest ?? 0) - (base.mainThreadCpuMsPerRequest ?? 0)) * 1000 : null,
      });
    }
  }
  return verdicts;
}

/** The routed (`model: auto`) and fallback paths against the direct-model path through the same gateway. */
export function compareRouting(rows: readonly BenchRow[], connections: number): RoutingVerdict[] {
  return compareWithGateway(rows, connections, ROUTING_TARGETS);
}

/**
 * The budgeted path (budgets, a route rate limit and a key, in a second gateway process) against
 * the direct-model path through the plain gateway: the same request, upstream and answer.
 */
export function compareBudgets(rows: readonly BenchRow[], connections: number): RoutingVerdict[] {
  return compareWithGateway(rows, connections, BUDGETED_TARGETS);
}

/** The TTFT probe's results with the differences between paths worked out. */
export function summariseTtft(results: readonly TtftResult[], requestsPerPath: number, warmupPerPath: number): TtftReport {
  const of = (t: BenchTarget) => results.find((r) => r.target === t && r.samples > 0);
  const same = of("gateway");
  const translated = of("gateway-translated");
  const bare = of("bare-proxy");
  return {
    requestsPerPath,
    warmupPerPath,
    results: [...results],
    translatedAddedP50Ms: same && translated ? translated.p50Ms - same.p50Ms : null,
    translatedAddedP99Ms: same && translated ? translated.p99Ms - same.p99Ms : null,
    gatewayAddedP50Ms: same && bare ? same.p50Ms - bare.p50Ms : null,
  };
}

/** Everything in the TTFT probe that means it timed failures. */
export function ttftProblems(ttft: TtftReport | null): string[] {
  if (ttft === null) return [];
  return ttft.results
    .filter((r) => r.failures > 0 || r.samples === 0)
    .map((r) => `TTFT probe ${r.target}: ${r.failures} failed request(s), ${r.samples} timed${r.firstFailure === null ? "" : `; first failure: ${r.firstFailure}`}`);
}

/** Everything in the load runs that means the benchmark measured failures, not answers. */
export function loadProblems(rows: readonly BenchRow[]): string[] {
  const problems: string[] = [];
  for (const r of rows) {
    const { errors, timeouts, non2xx, statusCodes } = r.result;
    if (errors > 0 || non2xx > 0) {
      const codes = Object.entries(statusCodes).map(([code, n]) => `${code}×${n}`).join(", ");
      problems.push(`${r.target} ${r.case} (${r.connections} conn.): ${non2xx} non-2xx response(s) and ${errors} connection error(s) (${timeouts} timeout(s)); status codes: ${codes || "none"}`);
    }
    if (r.result.ok === 0) problems.push(`${r.target} ${r.case} (${r.connections} conn.): no successful response at all`);
  }
  return problems;
}
