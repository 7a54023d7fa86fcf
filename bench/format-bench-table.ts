import { BENCH_GOALS, type BenchReport } from "./bench-report.ts";

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : "-");
const signedMs = (n: number): string => `${n >= 0 ? "+" : ""}${ms(n)} ms`;
const passOrMiss = (pass: boolean): string => (pass ? "PASS" : "MISS");

/** The bench's human-readable output: figures per case and target, then the verdicts. */
export function formatBenchTable(report: BenchReport): string {
  const { settings } = report;
  const out: string[] = [
    `Switchyard bench: Node ${settings.node}, ${settings.cpus} CPU(s), loopback; ${settings.connections} connections for ${settings.seconds} s after a ${settings.warmupSeconds} s warm-up, then 1 connection for ${settings.oneConnectionSeconds} s`,
  ];
  if (settings.loadAverageAtStart > settings.cpus / 2) {
    out.push(`warning: the machine was busy when the bench began (load average ${settings.loadAverageAtStart.toFixed(1)} on ${settings.cpus} CPUs): the figures are noisy`);
  }
  out.push("");

  const failedSanity = report.sanity.filter((s) => !s.ok);
  out.push(failedSanity.length === 0 ? `sanity: all ${report.sanity.length} single requests answered correctly` : "sanity checks FAILED:");
  for (const s of failedSanity) out.push(`  ${s.target} ${s.case}: ${s.detail}`);
  for (const s of report.sanity.filter((x) => x.ok && x.target === "gateway")) out.push(`  gateway ${s.case}: ${s.detail}`);
  out.push("");

  out.push(
    ...table(
      [
        ["case", "target", "conns", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "errors", "non-2xx"],
        ...report.rows.map((r) => [
          r.case,
          r.target,
          String(r.connections),
          r.result.requestsPerSecond.toFixed(0),
          ms(r.result.p50Ms),
          ms(r.result.p99Ms),
          r.result.cpuMsPerRequest === null ? "-" : (r.result.cpuMsPerRequest * 1000).toFixed(0),
          String(r.result.errors),
          String(r.result.non2xx),
        ]),
      ],
      new Set([2, 3, 4, 5, 6, 7, 8]),
    ),
  );
  out.push("CPU µs/req: CPU time of the process under test (the fake for direct), all its threads, per response.");
  out.push("");

  out.push("gateway vs bare proxy (under full load the added p50 is mostly queueing, i.e. the throughput gap; at 1 connection it is the per-request overhead):");
  out.push(
    ...table(
      report.verdicts.flatMap((v) => [
        ["  " + v.case, `throughput (${settings.connections} conns)`, `${v.throughputRatio.toFixed(2)}×`, `goal ≥ ${BENCH_GOALS.minThroughputRatio}×`, passOrMiss(v.throughputPass)],
        ["  " + v.case, `added p50 (${settings.connections} conns)`, signedMs(v.addedP50Ms), `goal ≤ ${BENCH_GOALS.maxAddedP50Ms} ms`, passOrMiss(v.addedP50Pass)],
        ...(v.addedP50OneConnectionMs === null
          ? []
          : [["  " + v.case, "added p50 (1 conn)", signedMs(v.addedP50OneConnectionMs), `goal ≤ ${BENCH_GOALS.maxAddedP50Ms} ms`, passOrMiss(v.addedP50OneConnectionPass === true)]]),
        ...(v.cpuPerRequestRatio === null ? [] : [["  " + v.case, `CPU per request (${settings.connections} conns)`, `${v.cpuPerRequestRatio.toFixed(2)}×`, "(no goal)", ""]]),
      ]),
      new Set([2]),
    ),
  );

  const r = report.receipts;
  if (r) {
    out.push("");
    const ledger = r.ledgerCount === null ? `no receipts table found in ${r.ledgerPath}` : `${r.ledgerCount} receipt(s) in ${r.ledgerPath} (table ${r.ledgerTable ?? "?"})`;
    out.push(`receipts: ${ledger}`);
    out.push(`  for ${r.requestsAnswered} request(s) the gateway answered and ${r.requestsSent - r.requestsAnswered} more cut off in flight when a run stopped (warm-ups and sanity checks included)`);
    const statuses = Object.entries(r.ledgerByStatus);
    if (statuses.length > 0) out.push(`  by status: ${statuses.map(([s, n]) => `${s} ${n}`).join(", ")}`);
    out.push(`  switchyard receipts --last 5 --json: ${typeof r.cliLast === "number" ? `${r.cliLast} receipt(s)` : `failed: ${r.cliLast}`}${r.cliNewest ? `; newest: ${r.cliNewest}` : ""}`);
  }

  if (report.problems.length > 0) {
    out.push("", "!!! THE FIGURES ABOVE INCLUDE FAILURES: they measure errors, not answers !!!");
    for (const p of report.problems) out.push(`!!! ${p}`);
  }
  return out.join("\n");
}
