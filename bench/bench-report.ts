import type { LoadResult } from "./load.ts";

export type BenchCase = "non-streaming" | "streaming";
export type BenchTarget = "direct" | "bare-proxy" | "gateway";

export const BENCH_CASES: readonly BenchCase[] = ["non-streaming", "streaming"];
export const BENCH_TARGETS: readonly BenchTarget[] = ["direct", "bare-proxy", "gateway"];

/** What the gateway must reach against the bare proxy under the same load. */
export const BENCH_GOALS = { minThroughputRatio: 0.7, maxAddedP50Ms: 1 } as const;

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

export interface SanityCheck {
  case: BenchCase;
  target: BenchTarget;
  ok: boolean;
  detail: string;
}

export interface ReceiptCheck {
  /** Requests the gateway answered (load runs with their warm-ups, plus the sanity checks). */
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
    connections: number;
    seconds: number;
    warmupSeconds: number;
    oneConnectionSeconds: number;
  };
  sanity: SanityCheck[];
  rows: BenchRow[];
  verdicts: BenchVerdict[];
  receipts: ReceiptCheck | null;
  /** Loud problems: gateway errors or non-2xx, failed sanity checks, missing receipts. */
  problems: string[];
}
