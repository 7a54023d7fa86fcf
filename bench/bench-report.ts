import type { AdmissionReport } from "./admission.ts";
import type { LoadResult } from "./load.ts";
import type { TtftResult } from "./ttft-probe.ts";

export type BenchCase = "non-streaming" | "streaming";
/**
 * `gateway` serves the model on the fake's OpenAI endpoint (same format, chunks forwarded);
 * `gateway-translated` serves the same request for the model on the fake's Anthropic endpoint,
 * translating the request to the Messages API and the answer back; `gateway-routed` sends
 * `model: "auto"` with three realistic prompts in turn, which the classifier sends to three
 * lanes; `gateway-fallback` names a route whose lane's first model fails at once (503) and
 * whose second answers; `gateway-budgeted` sends the direct-model request (through a route to the
 * same model) with a gateway key to a second gateway process that has budgets, a route rate limit
 * and keys required.
 */
export type BenchTarget = "direct" | "bare-proxy" | "gateway" | "gateway-translated" | "gateway-routed" | "gateway-fallback" | "gateway-budgeted";

export const BENCH_CASES: readonly BenchCase[] = ["non-streaming", "streaming"];
export const BENCH_TARGETS: readonly BenchTarget[] = ["direct", "bare-proxy", "gateway", "gateway-translated", "gateway-routed", "gateway-fallback", "gateway-budgeted"];
/** The targets a gateway serves: the main gateway process all but `gateway-budgeted`, which has a process (and ledger) of its own. */
export const GATEWAY_TARGETS: readonly BenchTarget[] = ["gateway", "gateway-translated", "gateway-routed", "gateway-fallback", "gateway-budgeted"];
/** The gateway paths compared with the direct-model `gateway` path (same process, same upstream format). */
export const ROUTING_TARGETS: readonly BenchTarget[] = ["gateway-routed", "gateway-fallback"];
/** Compared with the direct-model `gateway` path too: the same request and upstream, in a gateway with budgets, a rate limit and a key. */
export const BUDGETED_TARGETS: readonly BenchTarget[] = ["gateway-budgeted"];

/** What each target measures, printed under the table and carried in the JSON. */
export const TARGET_LABELS: Readonly<Record<BenchTarget, string>> = {
  direct: "the client straight to the fake upstream (no proxy)",
  "bare-proxy": "node:http + undici Pool piping bytes to the fake, no logic (the baseline)",
  gateway: "direct model: a configured model on the fake's OpenAI endpoint (same format)",
  "gateway-translated": "direct model on the fake's Anthropic endpoint: OpenAI request translated to /v1/messages and back",
  "gateway-routed": "model: auto: the classifier picks one of three lanes (cheap / work / hard) for three prompts sent in turn",
  "gateway-fallback": "a route to lane [fail-fast, secondary]: the first answers 503 at once, the second answers (no retry, breaker never opens)",
  "gateway-budgeted":
    "the direct-model request, via a route to the same model, with a gateway key, to a second gateway process with budgets (global and route, daily USD and tokens, UTC), " +
    "a route rate limit and the key's own budget and rate limit (keys required): every request is reserved, rate-limited and settled",
};

/**
 * What the gateway must reach against the bare proxy under the same load, and what translation
 * may cost: the translated path keeps at least this share of the same-format path's throughput.
 * Budget reservation and rate limiting (admission with budgets, a route rate limit and a key, then
 * settling, with the in-memory store) may cost at most `maxAdmissionP50Ms` at p50.
 */
export const BENCH_GOALS = { minThroughputRatio: 0.7, maxAddedP50Ms: 1, minTranslatedThroughputRatio: 0.8, maxAdmissionP50Ms: 0.1 } as const;

export interface BenchRow {
  case: BenchCase;
  target: BenchTarget;
  /** The full load, or one connection at a time (the per-request overhead, no queueing). */
  connections: number;
  result: LoadResult;
}

/** A target's warm-up before its first run under the full load: its throughput in each 1 s slice. */
export interface BenchWarmup {
  case: BenchCase;
  target: BenchTarget;
  ratesPerSecond: number[];
  /** Responses received and requests sent during the warm-up (the ledger holds a receipt for each answered one). */
  answered: number;
  sent: number;
}

export interface BenchVerdict {
  case: BenchCase;
  /** Gateway p50 minus bare-proxy p50 under the full load, ms. */
  addedP50Ms: number;
  addedP50Pass: boolean;
  /** The same at one connection, where no request waits behind another; null when not measured. */
  addedP50OneConnectionMs: number | null;
  addedP50OneConnectionPass: boolean | null;
  /** Gateway req/s divided by bare-proxy req/s. */
  throughputRatio: number;
  throughputPass: boolean;
  /** Gateway CPU time per request over the bare proxy's, under the full load; null when not measured. No goal: it explains the throughput. */
  cpuPerRequestRatio: number | null;
}

/** The translated path against the same-format path (both through the gateway), per case. */
export interface TranslationVerdict {
  case: BenchCase;
  /** gateway-translated req/s divided by gateway req/s under the full load. */
  throughputRatio: number;
  throughputPass: boolean;
  /** gateway-translated p50 minus gateway p50 under the full load, ms. */
  addedP50Ms: number;
  /** The same at one connection; null when not measured. */
  addedP50OneConnectionMs: number | null;
  /** Gateway CPU time per request, translated over same-format, under the full load; null when not measured. */
  cpuPerRequestRatio: number | null;
  /** Translated minus same-format gateway CPU time per request under the full load, µs; null when not measured. */
  addedCpuUsPerRequest: number | null;
}

/**
 * A routed or fallback path against the direct-model gateway path, per case: what `model: auto`
 * (classification, rule match, lane) or a fallback (one failed upstream call, then the next
 * target) adds. No goals.
 */
export interface RoutingVerdict {
  case: BenchCase;
  target: BenchTarget;
  /** Always `gateway`: the direct-model path through the same gateway. */
  baseline: BenchTarget;
  /** target req/s divided by gateway req/s under the full load. */
  throughputRatio: number;
  /** target minus gateway, under the full load, ms. */
  addedP50Ms: number;
  addedP99Ms: number;
  /** The same at one connection (the per-request overhead, no queueing); null when not measured. */
  addedP50OneConnectionMs: number | null;
  addedP99OneConnectionMs: number | null;
  /** Gateway CPU time per request, target over gateway, under the full load; null when not measured. */
  cpuPerRequestRatio: number | null;
  addedCpuUsPerRequest: number | null;
  /** The same for the gateway's main thread alone (the event loop, where admission runs), µs; null when not measured. */
  addedMainThreadCpuUsPerRequest: number | null;
}

/** Time to first token, streaming, one request at a time (the paths interleaved). */
export interface TtftReport {
  requestsPerPath: number;
  warmupPerPath: number;
  results: TtftResult[];
  /** gateway-translated minus gateway (same format), ms; null when either path has no samples. */
  translatedAddedP50Ms: number | null;
  translatedAddedP99Ms: number | null;
  /** gateway (same format) minus bare proxy, ms. */
  gatewayAddedP50Ms: number | null;
}

export interface SanityCheck {
  case: BenchCase;
  target: BenchTarget;
  ok: boolean;
  detail: string;
}

export interface ReceiptCheck {
  /** Requests the gateway answered (load runs with their warm-ups, the sanity checks and the TTFT probe). */
  requestsAnswered: number;
  /** Requests sent to it; the difference was cut off in flight when a run stopped (client aborts). */
  requestsSent: number;
  ledgerPath: string;
  ledgerTable: string | null;
  ledgerCount: number | null;
  ledgerByStatus: Record<string, number>;
  /** How many receipts `switchyard receipts --last 5 --json` printed, or why it failed. */
  cliLast: number | string;
  /** Status, model and cost of the newest receipt, as the CLI printed it. */
  cliNewest: string | null;
  /** Receipts per lane (`(none)` for requests that named a model), when the table has a lane column. */
  ledgerByLane: Record<string, number>;
  /**
   * The most answered requests whose receipts were not yet in the ledger, read right after each
   * loaded run: how far the background writer fell behind while it was measured (null: not read).
   */
  maxLedgerLag: number | null;
}

export interface BenchReport {
  settings: {
    node: string;
    cpus: number;
    /** 1-minute load average when the bench began: other work on the machine skews every figure. */
    loadAverageAtStart: number;
    /** The same when the load runs ended. */
    loadAverageAtEnd: number;
    connections: number;
    /** Measured seconds per target under the full load, all rounds together. */
    seconds: number;
    /**
     * Warm-up before each target's first run under the full load: `process` for the first target
     * a process serves in a case, `target` for the others (`warmups` has their throughput). The
     * later runs have none.
     */
    warmupSeconds: { process: number; target: number };
    /** Each target's measured time is split into this many runs, taking turns with the other targets. */
    rounds: number;
    /** Measured seconds per target at one connection, all rounds together. */
    oneConnectionSeconds: number;
  };
  /** What each target measures. */
  targets: Readonly<Record<BenchTarget, string>>;
  sanity: SanityCheck[];
  warmups: BenchWarmup[];
  rows: BenchRow[];
  verdicts: BenchVerdict[];
  translation: { verdicts: TranslationVerdict[]; ttft: TtftReport | null };
  /** gateway-routed and gateway-fallback against the direct-model gateway path. */
  routing: { verdicts: RoutingVerdict[] };
  /**
   * The spend controls' cost: gateway-budgeted against the direct-model gateway path (two processes,
   * same request and upstream), and admission alone timed in this process against its goal.
   */
  budgets: { verdicts: RoutingVerdict[]; admission: AdmissionReport | null };
  receipts: ReceiptCheck | null;
  /** The same check for the budgeted gateway's own ledger. */
  budgetedReceipts: ReceiptCheck | null;
  /** Loud problems: gateway errors or non-2xx, failed sanity checks, missing receipts. */
  problems: string[];
}
