import type { LoadResult } from "./load.ts";
import type { TtftResult } from "./ttft-probe.ts";

export type BenchCase = "non-streaming" | "streaming";
/**
 * `gateway` serves the model on the fake's OpenAI endpoint (same format, chunks forwarded);
 * `gateway-translated` serves the same request for the model on the fake's Anthropic endpoint,
 * translating the request to the Messages API and the answer back.
 */
export type BenchTarget = "direct" | "bare-proxy" | "gateway" | "gateway-translated";

export const BENCH_CASES: readonly BenchCase[] = ["non-streaming", "streaming"];
export const BENCH_TARGETS: readonly BenchTarget[] = ["direct", "bare-proxy", "gateway", "gateway-translated"];
/** The targets the gateway process serves. */
export const GATEWAY_TARGETS: readonly BenchTarget[] = ["gateway", "gateway-translated"];

/**
 * What the gateway must reach against the bare proxy under the same load, and what translation
 * may cost: the translated path keeps at least this share of the same-format path's throughput.
 */
export const BENCH_GOALS = { minThroughputRatio: 0.7, maxAddedP50Ms: 1, minTranslatedThroughputRatio: 0.8 } as const;

export interface BenchRow {
  case: BenchCase;
  target: BenchTarget;
  /** The full load, or one connection at a time (the per-request overhead, no queueing). */
  connections: number;
  result: LoadResult;
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
    seconds: number;
    warmupSeconds: number;
    oneConnectionSeconds: number;
  };
  sanity: SanityCheck[];
  rows: BenchRow[];
  verdicts: BenchVerdict[];
  translation: { verdicts: TranslationVerdict[]; ttft: TtftReport | null };
  receipts: ReceiptCheck | null;
  /** Loud problems: gateway errors or non-2xx, failed sanity checks, missing receipts. */
  problems: string[];
}
