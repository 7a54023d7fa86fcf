import type { AdmissionReport } from "./admission.ts";
import { BENCH_GOALS, GATEWAY_TARGETS, type BenchReport, type ReceiptCheck, type RoutingVerdict, type TtftReport } from "./bench-report.ts";
import { URGENT_BACKLOG_SLICES } from "../src/ledger/receipt-writer.ts";
import { WARMUP } from "./warm-up.ts";
import { LEDGER_SLICE_SIZE } from "../src/ledger/worker-receipt-store.ts";

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
const signedUs = (n: number): string => `${n >= 0 ? "+" : ""}${n.toFixed(0)} µs`;
const us = (msPerRequest: number | null): string => (msPerRequest === null ? "-" : (msPerRequest * 1000).toFixed(0));

function ttftLines(ttft: TtftReport): string[] {
  const out = [
    `time to first token, streaming: ${ttft.requestsPerPath} requests per path after ${ttft.warmupPerPath} warm-up, 1 connection each, the paths taking turns (from sending the request to the first data: chunk with content):`,
    ...table(
      [
        ["  target", "timed", "TTFT p50 ms", "TTFT p99 ms", "TTFT mean ms", "to [DONE] p50 ms", "bytes/resp", "failures"],
        ...ttft.results.map((r) => [
          `  ${r.target}`,
          String(r.samples),
          ms(r.p50Ms),
          ms(r.p99Ms),
          ms(r.meanMs),
          ms(r.totalP50Ms),
          String(r.responseBytes),
          String(r.failures),
        ]),
      ],
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  ];
  const diffs: string[][] = [];
  if (ttft.translatedAddedP50Ms !== null) diffs.push(["  translation adds to first token", `p50 ${signedMs(ttft.translatedAddedP50Ms)}`, `p99 ${signedMs(ttft.translatedAddedP99Ms ?? Number.NaN)}`, "gateway-translated − gateway", "(no goal)"]);
  if (ttft.gatewayAddedP50Ms !== null) diffs.push(["  the gateway adds to first token", `p50 ${signedMs(ttft.gatewayAddedP50Ms)}`, "", "gateway − bare-proxy", "(no goal)"]);
  out.push(...table(diffs, new Set([1, 2])));
  out.push("  (the fake sends its whole stream at once, so the first content mostly arrives with the rest: TTFT here is the time to the gateway's first write)");
  return out;
}

function routingLines(v: RoutingVerdict, connections: number): string[][] {
  const lines = [
    ["  " + v.case, v.target, `throughput (${connections} conns)`, `${v.throughputRatio.toFixed(2)}×`, ""],
    ["  " + v.case, v.target, `added latency (${connections} conns)`, `p50 ${signedMs(v.addedP50Ms)}`, `p99 ${signedMs(v.addedP99Ms)}`],
  ];
  if (v.addedP50OneConnectionMs !== null) {
    lines.push(["  " + v.case, v.target, "added latency (1 conn)", `p50 ${signedMs(v.addedP50OneConnectionMs)}`, `p99 ${signedMs(v.addedP99OneConnectionMs ?? Number.NaN)}`]);
  }
  if (v.cpuPerRequestRatio !== null && v.addedCpuUsPerRequest !== null) {
    lines.push(["  " + v.case, v.target, `CPU per request (${connections} conns)`, `${v.cpuPerRequestRatio.toFixed(2)}×`, signedUs(v.addedCpuUsPerRequest)]);
  }
  if (v.addedMainThreadCpuUsPerRequest !== null) {
    lines.push(["  " + v.case, v.target, `main-thread CPU per request (${connections} conns)`, "", signedUs(v.addedMainThreadCpuUsPerRequest)]);
  }
  return lines;
}

function admissionLines(a: AdmissionReport): string[] {
  const first = a.cases[0];
  const out = [
    `admission alone, in the bench's process (no HTTP, in-memory budget store and rate limiter): ${first?.iterations ?? "?"} requests timed one by one after ${first?.warmup ?? "?"} warm-up, per case (${(a.durationMs / 1000).toFixed(1)} s in all):`,
    ...table(
      [
        ["  case", "p50 µs", "p90 µs", "p99 µs", "mean µs", "max µs", "budget lines", "rate scopes", "estimate", "other CPUs"],
        ...a.cases.map((c) => [
          `  ${c.name}`,
          c.p50Us.toFixed(1),
          c.p90Us.toFixed(1),
          c.p99Us.toFixed(1),
          c.meanUs.toFixed(1),
          c.maxUs.toFixed(0),
          String(c.budgetLines),
          String(c.rateScopes),
          c.estimateMethod ?? "-",
          c.otherBusyCores === null ? "-" : c.otherBusyCores.toFixed(2),
        ]),
      ],
      new Set([1, 2, 3, 4, 5, 6, 7, 9]),
    ),
    ...table(a.cases.map((c) => [`  ${c.name}:`, c.description]), new Set()),
  ];
  out.push(
    "  other CPUs: CPUs busy meanwhile with anything but this process, which slows a timed loop (- when a case ran too briefly to tell)",
  );
  const budgeted = a.cases.find((c) => c.name === "budgeted");
  if (budgeted) {
    const busy = budgeted.otherBusyCores !== null && budgeted.otherBusyCores > 0.25 ? ` (other work took ${budgeted.otherBusyCores.toFixed(2)} CPUs meanwhile: noisy)` : "";
    out.push(
      `  budget reservation + rate limiting, p50: ${budgeted.p50Us.toFixed(1)} µs (${a.addedP50Us === null ? "-" : `+${a.addedP50Us.toFixed(1)} µs over the fast path`}); ` +
        `goal ≤ ${a.goalP50Us} µs (${BENCH_GOALS.maxAdmissionP50Ms} ms): ${passOrMiss(a.pass)}${busy}`,
    );
  }
  return out;
}

/** Receipts waiting from which the gateway's writer writes at normal priority (src/main.ts). */
export const LEDGER_URGENT_BACKLOG = URGENT_BACKLOG_SLICES * LEDGER_SLICE_SIZE;

function receiptLines(title: string, r: ReceiptCheck): string[] {
  const out: string[] = [];
  const ledger = r.ledgerCount === null ? `no receipts table found in ${r.ledgerPath}` : `${r.ledgerCount} receipt(s) in ${r.ledgerPath} (table ${r.ledgerTable ?? "?"})`;
  out.push(`${title}: ${ledger}`);
  out.push(`  for ${r.requestsAnswered} request(s) the gateway answered and ${r.requestsSent - r.requestsAnswered} more cut off in flight when a run stopped (warm-ups, sanity checks and TTFT probe included)`);
  const statuses = Object.entries(r.ledgerByStatus);
  if (statuses.length > 0) out.push(`  by status: ${statuses.map(([s, n]) => `${s} ${n}`).join(", ")}`);
  if (r.maxLedgerLag !== null) {
    out.push(`  at the end of each loaded run at most ${Math.max(0, r.maxLedgerLag)} answered request(s) still had no receipt in the ledger (written in the background; at normal priority from ${LEDGER_URGENT_BACKLOG} waiting)`);
  }
  const lanes = Object.entries(r.ledgerByLane);
  if (lanes.length > 0) out.push(`  by lane: ${lanes.map(([l, n]) => `${l} ${n}`).join(", ")}`);
  out.push(`  switchyard receipts --last 5 --json: ${typeof r.cliLast === "number" ? `${r.cliLast} receipt(s)` : `failed: ${r.cliLast}`}${r.cliNewest ? `; newest: ${r.cliNewest}` : ""}`);
  return out;
}

/** The bench's human-readable output: figures per case and target, then the verdicts. */
export function formatBenchTable(report: BenchReport): string {
  const { settings } = report;
  const out: string[] = [
    `Switchyard bench: Node ${settings.node}, ${settings.cpus} CPU(s), loopback; ${settings.connections} connections for ${settings.seconds} s, then 1 connection for ${settings.oneConnectionSeconds} s, ` +
      `per target; the targets take turns in ${settings.rounds} round(s), after a warm-up of ${settings.warmupSeconds.process} s for each process's first target and ${settings.warmupSeconds.target} s for the others`,
  ];
  // The bench itself keeps the machine busy, so only the start reading says something about other work.
  if (settings.loadAverageAtStart > settings.cpus / 2) {
    out.push(`warning: the machine was busy when the bench began (load average ${settings.loadAverageAtStart.toFixed(1)} on ${settings.cpus} CPUs, ${settings.loadAverageAtEnd.toFixed(1)} at the end of the runs): the figures are noisy`);
  }
  out.push("");

  const failedSanity = report.sanity.filter((s) => !s.ok);
  out.push(failedSanity.length === 0 ? `sanity: all ${report.sanity.length} single requests answered correctly` : "sanity checks FAILED:");
  for (const s of failedSanity) out.push(`  ${s.target} ${s.case}: ${s.detail}`);
  for (const s of report.sanity.filter((x) => x.ok && GATEWAY_TARGETS.includes(x.target))) out.push(`  ${s.target} ${s.case}: ${s.detail}`);
  out.push("");

  if (report.warmups.length > 0) {
    out.push(`warm-up before the first run under the full load, req/s in each ${WARMUP.sliceSeconds} s slice (the throughput should have stopped climbing by the end):`);
    for (const w of report.warmups) out.push(`  ${w.case.padEnd(13)}  ${w.target.padEnd(18)}  ${String(w.ratesPerSecond.length).padStart(2)} s  ${w.ratesPerSecond.join(" ")}`);
    out.push("");
  }

  out.push(
    ...table(
      [
        ["case", "target", "conns", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "main µs", "fake µs", "gen µs", "other CPUs", "req B", "errors", "non-2xx"],
        ...report.rows.map((r) => [
          r.case,
          r.target,
          String(r.connections),
          r.result.requestsPerSecond.toFixed(0),
          ms(r.result.p50Ms),
          ms(r.result.p99Ms),
          us(r.result.cpuMsPerRequest),
          us(r.result.mainThreadCpuMsPerRequest),
          us(r.result.upstreamCpuMsPerRequest),
          us(r.result.generatorCpuMsPerRequest),
          r.result.otherBusyCores === null ? "-" : r.result.otherBusyCores.toFixed(2),
          r.result.requestBytes.toFixed(0),
          String(r.result.errors),
          String(r.result.non2xx),
        ]),
      ],
      new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    ),
  );
  out.push(
    "CPU µs/req: CPU time of the process under test (the fake for direct), all its threads, per response; main µs: the part on its main thread (the event " +
      "loop, which one core bounds; the gateway's receipts are written on another thread); fake µs and gen µs: the same for the fake upstream " +
      "behind it and for the load generator (this process). other CPUs: CPUs busy meanwhile with anything else (other work on the machine; kernel time charged " +
      "to no process), taken from the run. req B: mean request body size.",
  );
  const targetsShown = [...new Set(report.rows.map((r) => r.target))];
  out.push(...table(targetsShown.map((t) => [`  ${t}:`, report.targets[t]]), new Set()));
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

  const tv = report.translation.verdicts;
  if (tv.length > 0) {
    out.push("");
    out.push("translated (Anthropic upstream) vs same-format (OpenAI upstream), both through the gateway:");
    out.push(
      ...table(
        tv.flatMap((v) => [
          ["  " + v.case, `throughput (${settings.connections} conns)`, `${v.throughputRatio.toFixed(2)}×`, `goal ≥ ${BENCH_GOALS.minTranslatedThroughputRatio}× (translation costs ≤ ${Math.round((1 - BENCH_GOALS.minTranslatedThroughputRatio) * 100)}%)`, passOrMiss(v.throughputPass)],
          ["  " + v.case, `added p50 (${settings.connections} conns)`, signedMs(v.addedP50Ms), "(no goal)", ""],
          ...(v.addedP50OneConnectionMs === null ? [] : [["  " + v.case, "added p50 (1 conn)", signedMs(v.addedP50OneConnectionMs), "(no goal)", ""]]),
          ...(v.cpuPerRequestRatio === null || v.addedCpuUsPerRequest === null
            ? []
            : [["  " + v.case, `CPU per request (${settings.connections} conns)`, `${v.cpuPerRequestRatio.toFixed(2)}×`, `${signedUs(v.addedCpuUsPerRequest)} per request (no goal)`, ""]]),
        ]),
        new Set([2]),
      ),
    );
  }
  const rv = report.routing.verdicts;
  if (rv.length > 0) {
    out.push("");
    out.push(
      "routed (model: auto) and fallback vs the direct-model path (gateway), all through the gateway; no goals (at 1 connection: the per-request cost, " +
        "the routed prompts being longer, see req B; under full load: mostly the throughput gap and noise):",
    );
    out.push(...table(rv.flatMap((v) => routingLines(v, settings.connections)), new Set([3, 4])));
  }
  const bv = report.budgets.verdicts;
  if (bv.length > 0 || report.budgets.admission) {
    out.push("");
    out.push(
      "spend under control: budgeted (budgets, a route rate limit and a gateway key, in a second gateway process) vs the plain direct-model path (gateway); " +
        "same model, upstream and answer; no goal here, the goal is admission's, below (at 1 connection: the per-request cost; under full load: mostly the throughput gap and noise; " +
        "main-thread CPU per request: where admission runs):",
    );
    out.push(...table(bv.flatMap((v) => routingLines(v, settings.connections)), new Set([3, 4])));
    if (report.budgets.admission) out.push(...admissionLines(report.budgets.admission));
    else out.push("  admission micro-benchmark: not run (see problems)");
  }
  if (report.translation.ttft) {
    out.push("");
    out.push(...ttftLines(report.translation.ttft));
  }

  if (report.receipts) out.push("", ...receiptLines("receipts", report.receipts));
  if (report.budgetedReceipts) out.push("", ...receiptLines("receipts of the budgeted gateway", report.budgetedReceipts));

  if (report.problems.length > 0) {
    out.push("", "!!! THE FIGURES ABOVE INCLUDE FAILURES: they measure errors, not answers !!!");
    for (const p of report.problems) out.push(`!!! ${p}`);
  }
  return out.join("\n");
}
