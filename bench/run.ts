import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { BENCH_CASES, BENCH_TARGETS, type BenchReport, type BenchRow, type BenchTarget, type ReceiptCheck, type SanityCheck } from "./bench-report.ts";
import { checkTarget } from "./check-target.ts";
import { compareToBaseline, loadProblems } from "./compare-to-baseline.ts";
import { countReceipts, type ReceiptCount } from "./count-receipts.ts";
import { formatBenchTable } from "./format-bench-table.ts";
import { runLoad } from "./load.ts";
import { readLastReceipts } from "./read-last-receipts.ts";
import { readProcessCpuMs } from "./read-process-cpu.ts";
import { CLI_PATH, startBenchTargets, type BenchTargets } from "./start-bench-targets.ts";
import type { Child } from "./start-child.ts";
import { BENCH_MODEL } from "./write-bench-config.ts";

/**
 * `npm run bench [-- --json]`: the same load, direct to a fake upstream, through a bare Node proxy
 * and through the gateway; env BENCH_SECONDS (default 5) and BENCH_CONNECTIONS (default 32).
 * Exits 1 when a child fails to start or the figures include failures (errors, non-2xx, failed
 * sanity checks, missing receipts).
 */

function positiveNumberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return n;
}

const asJson = process.argv.includes("--json");
const warmupSeconds = 1;
// One connection at a time shows the per-request overhead without queueing; bare proxy and gateway only.
const oneConnectionTargets: readonly BenchTarget[] = ["bare-proxy", "gateway"];
const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function chatBody(stream: boolean): string {
  return JSON.stringify({
    model: BENCH_MODEL,
    messages: [
      { role: "system", content: "You are a concise assistant for a logistics company. Answer in one or two sentences." },
      { role: "user", content: "Which rail yard should handle the overnight container transfer from Rotterdam, and why?" },
    ],
    temperature: 0.2,
    max_tokens: 256,
    ...(stream && { stream: true, stream_options: { include_usage: true } }),
  });
}

function childOf(targets: BenchTargets, target: BenchTarget): Child {
  return target === "direct" ? targets.fake : target === "bare-proxy" ? targets.bare : targets.gateway;
}

function urlOf(targets: BenchTargets, target: BenchTarget): string {
  return `http://127.0.0.1:${childOf(targets, target).port}/v1/chat/completions`;
}

async function checkReceipts(targets: BenchTargets, sent: { answered: number; sent: number }, tmpDir: string): Promise<ReceiptCheck> {
  let ledger: ReceiptCount = { table: null, count: null, byStatus: {} };
  try {
    ledger = countReceipts(targets.ledgerPath);
  } catch (err) {
    progress(`cannot read ${targets.ledgerPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let cliLast: number | string;
  let cliNewest: string | null = null;
  try {
    const last = await readLastReceipts({ cliPath: CLI_PATH, configPath: targets.configPath, env: targets.gatewayEnv, cwd: tmpDir });
    cliLast = last.count;
    cliNewest = last.newest;
  } catch (err) {
    cliLast = err instanceof Error ? err.message.split("\n").slice(0, 3).join(" ") : String(err);
  }
  return {
    requestsAnswered: sent.answered,
    requestsSent: sent.sent,
    ledgerPath: targets.ledgerPath,
    ledgerTable: ledger.table,
    ledgerCount: ledger.count,
    ledgerByStatus: ledger.byStatus,
    cliLast,
    cliNewest,
  };
}

async function main(): Promise<number> {
  const seconds = positiveNumberFromEnv("BENCH_SECONDS", 5);
  const connections = Math.round(positiveNumberFromEnv("BENCH_CONNECTIONS", 32));
  const oneConnectionSeconds = Math.max(1, Math.round(seconds / 2));
  const loadAverageAtStart = loadavg()[0] ?? 0;
  const tmpDir = mkdtempSync(path.join(tmpdir(), "switchyard-bench-"));
  const started: Child[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(started.splice(0).reverse().map((c) => c.stop(10_000)));
  };
  process.once("SIGINT", () => {
    void stopAll().then(() => process.exit(130));
  });
  try {
    let targets: BenchTargets;
    try {
      targets = await startBenchTargets({ tmpDir, started });
    } catch (err) {
      console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
    progress(`fake upstream :${targets.fake.port}, bare proxy :${targets.bare.port}, gateway :${targets.gateway.port}; ${connections} connections, ${seconds} s + ${warmupSeconds} s warm-up per run`);

    const sanity: SanityCheck[] = [];
    for (const c of BENCH_CASES) {
      for (const t of BENCH_TARGETS) {
        const check = await checkTarget({ url: urlOf(targets, t), body: chatBody(c === "streaming"), stream: c === "streaming" });
        sanity.push({ case: c, target: t, ...check });
      }
    }
    const rows: BenchRow[] = [];
    const plan = [
      ...BENCH_CASES.flatMap((c) => BENCH_TARGETS.map((t) => ({ c, t, n: connections, s: seconds }))),
      ...BENCH_CASES.flatMap((c) => oneConnectionTargets.map((t) => ({ c, t, n: 1, s: oneConnectionSeconds }))),
    ];
    for (const { c, t, n, s } of plan) {
      progress(`  ${c} → ${t}, ${n} connection(s) …`);
      const child = childOf(targets, t);
      const result = await runLoad({
        url: urlOf(targets, t),
        body: chatBody(c === "streaming"),
        connections: n,
        seconds: s,
        warmupSeconds,
        readTargetCpuMs: () => readProcessCpuMs(child.pid),
      });
      rows.push({ case: c, target: t, connections: n, result });
      if (!child.alive()) throw new Error(`${child.name} died during the ${c} run:\n${child.output().slice(-20).join("\n")}`);
    }

    // SIGTERM makes the gateway flush its receipts before it exits.
    const gatewayIndex = started.indexOf(targets.gateway);
    if (gatewayIndex >= 0) started.splice(gatewayIndex, 1);
    const gatewayExit = await targets.gateway.stop(15_000);
    const gatewayRows = rows.filter((r) => r.target === "gateway");
    const sanityRequests = sanity.filter((s) => s.target === "gateway").length;
    const receipts = await checkReceipts(
      targets,
      {
        answered: gatewayRows.reduce((n, r) => n + r.result.answered, sanityRequests),
        sent: gatewayRows.reduce((n, r) => n + r.result.sent, sanityRequests),
      },
      tmpDir,
    );

    const problems = [
      ...sanity.filter((s) => !s.ok).map((s) => `sanity check ${s.target} ${s.case}: ${s.detail}`),
      ...loadProblems(rows),
    ];
    if (gatewayExit !== 0) problems.push(`gateway exited with code ${String(gatewayExit)} on SIGTERM:\n${targets.gateway.output().slice(-10).join("\n")}`);
    if (receipts.ledgerCount === null) problems.push(`no receipts table in ${receipts.ledgerPath}`);
    else if (receipts.ledgerCount < receipts.requestsAnswered) {
      problems.push(`the ledger holds ${receipts.ledgerCount} receipts for ${receipts.requestsAnswered} answered requests: at least ${receipts.requestsAnswered - receipts.ledgerCount} missing`);
    } else if (receipts.ledgerCount > receipts.requestsSent) {
      problems.push(`the ledger holds ${receipts.ledgerCount} receipts for ${receipts.requestsSent} requests sent: more receipts than requests`);
    }

    const report: BenchReport = {
      settings: { node: process.version, cpus: availableParallelism(), loadAverageAtStart, connections, seconds, warmupSeconds, oneConnectionSeconds },
      sanity,
      rows,
      verdicts: compareToBaseline(rows, connections),
      receipts,
      problems,
    };
    console.log(asJson ? JSON.stringify(report, null, 2) : formatBenchTable(report));
    const failed = problems.length > 0;
    if (failed && asJson) console.error(`bench: ${problems.length} problem(s); see "problems" in the JSON`);
    return failed ? 1 : 0;
  } finally {
    await stopAll();
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
