import { BENCH_CASES, BENCH_GOALS, type BenchCase, type BenchRow, type BenchTarget, type BenchVerdict } from "./bench-report.ts";

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
