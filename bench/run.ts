import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { BENCH_CASES, BENCH_TARGETS, GATEWAY_TARGETS, type BenchReport, type BenchRow, type BenchTarget, type ReceiptCheck, type SanityCheck, type TtftReport } from "./bench-report.ts";
import { checkTarget, type ExpectedAnswer } from "./check-target.ts";
import { compareToBaseline, compareTranslation, loadProblems, summariseTtft, ttftProblems } from "./compare-to-baseline.ts";
import { countReceipts, type ReceiptCount } from "./count-receipts.ts";
import { ANSWER_TEXT, ANSWER_USAGE } from "./fake-chat-responses.ts";
import { formatBenchTable } from "./format-bench-table.ts";
import { runLoad } from "./load.ts";
import { readLastReceipts } from "./read-last-receipts.ts";
import { readProcessCpuMs } from "./read-process-cpu.ts";
import { CLI_PATH, startBenchTargets, type BenchTargets } from "./start-bench-targets.ts";
import type { Child } from "./start-child.ts";
import { probeTtft } from "./ttft-probe.ts";
import { BENCH_MODEL, BENCH_TRANSLATED_MODEL } from "./write-bench-config.ts";

/**
 * `npm run bench [-- --json]`: the same load, direct to a fake upstream, through a bare Node proxy,
 * through the gateway to the fake's OpenAI endpoint (same format) and through the gateway to its
 * Anthropic endpoint (translated); then time to first token on one connection per path.
 * Env BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 32), BENCH_TTFT_REQUESTS (default 200).
 * Exits 1 when a child fails to start or the figures include failures (errors, non-2xx, failed
 * sanity checks or probe requests, missing receipts).
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
// One connection at a time shows the per-request overhead without queueing; not for direct.
const oneConnectionTargets: readonly BenchTarget[] = ["bare-proxy", "gateway", "gateway-translated"];
const ttftTargets: readonly BenchTarget[] = ["bare-proxy", "gateway", "gateway-translated"];
const ttftWarmup = 20;
const expected: ExpectedAnswer = { content: ANSWER_TEXT, promptTokens: ANSWER_USAGE.promptTokens, completionTokens: ANSWER_USAGE.completionTokens };
const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The same OpenAI request on every path; only the model differs, which picks the upstream format. */
function chatBody(target: BenchTarget, stream: boolean): string {
  return JSON.stringify({
    model: target === "gateway-translated" ? BENCH_TRANSLATED_MODEL : BENCH_MODEL,
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
  switch (target) {
    case "direct":
      return targets.fake;
    case "bare-proxy":
      return targets.bare;
    case "gateway":
    case "gateway-translated":
      return targets.gateway;
  }
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
  const ttftRequests = Math.round(positiveNumberFromEnv("BENCH_TTFT_REQUESTS", 200));
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

    // Direct to the fake has no translated counterpart: the client speaks OpenAI's format.
    const sanity: SanityCheck[] = [];
    for (const c of BENCH_CASES) {
      for (const t of BENCH_TARGETS) {
        const check = await checkTarget({ url: urlOf(targets, t), body: chatBody(t, c === "streaming"), stream: c === "streaming", expected });
        sanity.push({ case: c, target: t, ...check });
      }
    }
    // A translated path that answers wrongly would make every figure after it meaningless.
    const failedGateway = sanity.filter((s) => !s.ok && GATEWAY_TARGETS.includes(s.target));
    if (failedGateway.length > 0) progress(`sanity checks failed: ${failedGateway.map((s) => `${s.target} ${s.case}: ${s.detail}`).join("; ")}`);
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
        body: chatBody(t, c === "streaming"),
        connections: n,
        seconds: s,
        warmupSeconds,
        readTargetCpuMs: () => readProcessCpuMs(child.pid),
      });
      rows.push({ case: c, target: t, connections: n, result });
      if (!child.alive()) throw new Error(`${child.name} died during the ${c} run:\n${child.output().slice(-20).join("\n")}`);
    }

    progress(`  streaming time to first token: ${ttftRequests} + ${ttftWarmup} warm-up requests per path, 1 connection, ${ttftTargets.join(" / ")} interleaved …`);
    const probeResults = await probeTtft({
      paths: ttftTargets.map((t) => ({ target: t, url: urlOf(targets, t), body: chatBody(t, true) })),
      requests: ttftRequests,
      warmup: ttftWarmup,
    });
    if (!targets.gateway.alive()) throw new Error(`gateway died during the TTFT probe:\n${targets.gateway.output().slice(-20).join("\n")}`);
    const ttft: TtftReport = summariseTtft(probeResults, ttftRequests, ttftWarmup);
    const loadAverageAtEnd = loadavg()[0] ?? 0;

    // SIGTERM makes the gateway flush its receipts before it exits.
    const gatewayIndex = started.indexOf(targets.gateway);
    if (gatewayIndex >= 0) started.splice(gatewayIndex, 1);
    const gatewayExit = await targets.gateway.stop(15_000);
    const gatewayRows = rows.filter((r) => GATEWAY_TARGETS.includes(r.target));
    const sanityRequests = sanity.filter((s) => GATEWAY_TARGETS.includes(s.target)).length;
    const probeGateway = probeResults.filter((r) => GATEWAY_TARGETS.includes(r.target));
    const receipts = await checkReceipts(
      targets,
      {
        answered: gatewayRows.reduce((n, r) => n + r.result.answered, sanityRequests + probeGateway.reduce((n, r) => n + r.answered, 0)),
        sent: gatewayRows.reduce((n, r) => n + r.result.sent, sanityRequests + probeGateway.reduce((n, r) => n + r.sent, 0)),
      },
      tmpDir,
    );

    const problems = [
      ...sanity.filter((s) => !s.ok).map((s) => `sanity check ${s.target} ${s.case}: ${s.detail}`),
      ...loadProblems(rows),
      ...ttftProblems(ttft),
    ];
    if (gatewayExit !== 0) problems.push(`gateway exited with code ${String(gatewayExit)} on SIGTERM:\n${targets.gateway.output().slice(-10).join("\n")}`);
    if (receipts.ledgerCount === null) problems.push(`no receipts table in ${receipts.ledgerPath}`);
    else if (receipts.ledgerCount < receipts.requestsAnswered) {
      problems.push(`the ledger holds ${receipts.ledgerCount} receipts for ${receipts.requestsAnswered} answered requests: at least ${receipts.requestsAnswered - receipts.ledgerCount} missing`);
    } else if (receipts.ledgerCount > receipts.requestsSent) {
      problems.push(`the ledger holds ${receipts.ledgerCount} receipts for ${receipts.requestsSent} requests sent: more receipts than requests`);
    }

    const report: BenchReport = {
      settings: { node: process.version, cpus: availableParallelism(), loadAverageAtStart, loadAverageAtEnd, connections, seconds, warmupSeconds, oneConnectionSeconds },
      sanity,
      rows,
      verdicts: compareToBaseline(rows, connections),
      translation: { verdicts: compareTranslation(rows, connections), ttft },
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
