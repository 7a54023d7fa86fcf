import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { parseConfigText } from "../src/config/load-config.ts";
import { computeCostMicroUsd } from "../src/cost/compute-cost.ts";
import { admitRequest } from "../src/dispatch/admit-request.ts";
import { applyRouteSettings } from "../src/dispatch/apply-route-settings.ts";
import { createEstimator } from "../src/dispatch/create-estimator.ts";
import { ReceiptDraft } from "../src/dispatch/receipt-draft.ts";
import type { Runtime } from "../src/dispatch/runtime.ts";
import { settleReservation } from "../src/dispatch/settle-reservation.ts";
import { makeReceipt } from "../src/ledger/make-receipt.ts";
import type { Receipt } from "../src/ledger/receipt.ts";
import { createPriceBook } from "../src/main.ts";
import { resolveModel } from "../src/router/resolve-model.ts";
import { createDeploymentHealth } from "../src/state/deployment-health.ts";
import { generateKeyId, generateKeySecret, hashKeySecret, type KeyRecord } from "../src/state/key-store.ts";
import { MemoryBudgetStore } from "../src/state/memory-budget-store.ts";
import { MemoryRateLimiter } from "../src/state/rate-limiter.ts";
import { parseChatRequest } from "../src/wire/openai/parse-chat-request.ts";
import { BENCH_GOALS } from "./bench-report.ts";
import { chatBody, DEFAULT_MESSAGES } from "./bench-requests.ts";
import { ANSWER_USAGE } from "./fake-chat-responses.ts";
import { percentile } from "./load.ts";
import { readMachineBusyMs } from "./read-process-cpu.ts";
import { benchConfigText, BENCH_BUDGETED_ROUTE, BENCH_KEY_SPEC, BENCH_MODEL } from "./write-bench-config.ts";

/** One way through admission, timed per request. */
export interface AdmissionCase {
  name: "budgeted" | "no-budget";
  description: string;
  warmup: number;
  iterations: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
  /** Budget counters each request reserved against and settled (0 on the fast path). */
  budgetLines: number;
  /** Rate-limit scopes each request was counted in. */
  rateScopes: number;
  /** How the request's tokens were estimated (`length`, or `o200k` near a limit); null when nothing was estimated. */
  estimateMethod: string | null;
  /**
   * CPUs busy with anything but this process while the case's timed blocks ran (other work on
   * the machine, which slows a timed loop);
   * null without /proc, or when the case ran too briefly to tell (under 0.2 s).
   */
  otherBusyCores: number | null;
}

/** Admission alone, in this process, with the in-memory budget store and rate limiter. */
export interface AdmissionReport {
  /** The goal for the budgeted case's p50, µs. */
  goalP50Us: number;
  cases: AdmissionCase[];
  /** Budgeted p50 minus the no-budget fast path's, µs. */
  addedP50Us: number | null;
  /** The budgeted case's p50 is within the goal. */
  pass: boolean;
  /** Wall-clock time the micro-benchmark took, ms. */
  durationMs: number;
}

export const ADMISSION_WARMUP = 2_000;
export const ADMISSION_ITERATIONS = 20_000;
/** The timed iterations run in this many blocks, the two cases taking turns, so drift in other work weighs on both alike. */
const BLOCKS = 5;

/**
 * A Runtime as the gateway wires it (src/main.ts) for what admission touches: the bench config
 * parsed, prices resolved once, the estimator, the in-memory budget store and rate limiter and
 * the real clocks. No adapters: nothing goes upstream.
 */
function benchRuntime(budgeted: boolean): Runtime {
  const config = parseConfigText({ file: budgeted ? "switchyard.bench-budgeted.yaml" : "switchyard.bench.yaml", env: {}, text: benchConfigText({ upstreamPort: 9, budgeted }) }).config;
  const priceOf = createPriceBook(config);
  return {
    config,
    adapters: new Map(),
    priceOf,
    receipts: { write: () => undefined },
    monotonicMs: () => performance.now(),
    wallClockMs: () => Date.now(),
    isSimulated: () => false,
    health: createDeploymentHealth(config, () => performance.now()),
    random: Math.random,
    ...createEstimator(config, priceOf),
    budgets: new MemoryBudgetStore(),
    rateLimiter: new MemoryRateLimiter(),
  };
}

/** The bench's key as the authenticator holds it: a budget and a rate limit of its own, frozen. */
function benchKey(): KeyRecord {
  const secret = generateKeySecret();
  return Object.freeze({
    id: generateKeyId(),
    name: BENCH_KEY_SPEC.name,
    prefix: secret.slice(0, 10),
    hash: hashKeySecret(secret),
    createdAt: Date.now(),
    revokedAt: null,
    budget: Object.freeze({ ...BENCH_KEY_SPEC.budget }),
    rateLimit: Object.freeze({ ...BENCH_KEY_SPEC.rateLimit }),
    routes: null,
  });
}

interface CaseRunner {
  /** Runs `count` requests through admission; with `into`, times each into it from `offset`. */
  run(count: number, into?: { samples: Float64Array; offset: number }): Promise<void>;
  /** What the last request reserved. */
  last(): ReceiptDraft | null;
}

function caseRunner(budgeted: boolean): CaseRunner {
  const runtime = benchRuntime(budgeted);
  const key = budgeted ? benchKey() : null;
  // The request as the gateway has it by admission: the bench's body parsed by the OpenAI codec,
  // its model resolved (the route on the budgeted gateway, the model otherwise), route settings applied.
  const model = budgeted ? BENCH_BUDGETED_ROUTE : BENCH_MODEL;
  const parsed = parseChatRequest(JSON.parse(chatBody(model, DEFAULT_MESSAGES, false)));
  const plan = resolveModel(runtime.config, parsed.requestedModel, { taskType: null, complexity: null });
  const request = applyRouteSettings(runtime.config, plan, parsed.request, []);
  const target = plan.targets[0];
  if (!target) throw new Error(`${model} resolves to no target`);
  const usage = { inputTokens: ANSWER_USAGE.promptTokens, cachedInputTokens: ANSWER_USAGE.cachedPromptTokens, cacheWriteTokens: 0, outputTokens: ANSWER_USAGE.completionTokens, reasoningTokens: 0 };
  // What the receipt says once the fake's answer is in: its usage and cost, settled against the reservation.
  const receipt: Receipt = makeReceipt({
    keyId: key?.id ?? null,
    taskId: null,
    taskType: null,
    complexity: null,
    route: plan.route,
    lane: null,
    rollout: null,
    arm: null,
    requestedModel: model,
    model: target.modelId,
    provider: target.provider,
    providerType: "openai-compatible",
    upstreamModel: target.upstreamModel,
    ...usage,
    costMicroUsd: computeCostMicroUsd(usage, runtime.priceOf(target)),
    status: "ok",
    httpStatus: 200,
  });
  const meta = { requestId: "bench", endpoint: "/v1/chat/completions", taskId: null, taskType: null, complexity: null, idempotencyKey: null, stream: false, reasoningEffort: null };
  let last: ReceiptDraft | null = null;
  return {
    last: () => last,
    async run(count, into) {
      for (let i = 0; i < count; i++) {
        // The draft exists before admission in the gateway too (it is made when the request arrives).
        const draft = new ReceiptDraft(runtime, meta);
        draft.plan = plan;
        draft.request = request;
        draft.keyId = key?.id ?? null;
        const t0 = performance.now();
        // As serve-chat.ts does: a request that meets no budget, cap, limit or key gets no promise.
        const admitted = admitRequest({ draft, plan, request, key, priority: null, maxCostMicroUsd: null, stickyKey: null });
        if (admitted instanceof Promise) await admitted;
        if (draft.reservation) settleReservation(runtime, draft.reservation, receipt);
        const elapsed = performance.now() - t0;
        if (into) into.samples[into.offset + i] = elapsed;
        last = draft;
      }
    },
  };
}

const ownCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function summarise(name: AdmissionCase["name"], description: string, budgeted: boolean, runner: CaseRunner, samples: Float64Array, warmup: number, busy: { wallMs: number; machineMs: number | null; ownMs: number }): AdmissionCase {
  const reservation = runner.last()?.reservation ?? null;
  // A harness that admitted for free would pass for the wrong reason.
  if (budgeted && (reservation?.ticket == null || reservation.lines.length === 0 || reservation.rateScopes.length === 0)) {
    throw new Error(`the budgeted case reserved nothing: ${JSON.stringify(reservation)}`);
  }
  if (!budgeted && reservation !== null) throw new Error("the no-budget case made a reservation");
  samples.sort();
  const us = (ms: number): number => ms * 1000;
  return {
    name,
    description,
    warmup,
    iterations: samples.length,
    p50Us: us(percentile(samples, 50)),
    p90Us: us(percentile(samples, 90)),
    p99Us: us(percentile(samples, 99)),
    meanUs: us(samples.reduce((a, b) => a + b, 0) / samples.length),
    maxUs: us(samples[samples.length - 1] ?? Number.NaN),
    budgetLines: reservation?.lines.length ?? 0,
    rateScopes: reservation?.rateScopes.length ?? 0,
    estimateMethod: reservation?.estimate.method ?? null,
    // /proc/stat counts 10 ms ticks: too coarse for a case that ran a few ms in all.
    otherBusyCores: busy.machineMs === null || busy.wallMs < 200 ? null : Math.max(0, busy.machineMs - busy.ownMs) / busy.wallMs,
  };
}

/**
 * Budget reservation and rate limiting alone, without HTTP: per request, `admitRequest` (awaited)
 * and `settleReservation` with the receipt of the fake's answer, on the budgeted gateway's config
 * with its key; and the no-budget fast path (the plain gateway's config, no key) for comparison.
 * Each case runs `warmup` untimed iterations, then `iterations` timed one by one, in blocks that
 * take turns with the other case's.
 */
export async function runAdmissionBench(options: { warmup?: number; iterations?: number } = {}): Promise<AdmissionReport> {
  const warmup = options.warmup ?? ADMISSION_WARMUP;
  const iterations = options.iterations ?? ADMISSION_ITERATIONS;
  const started = performance.now();
  const cases = [
    {
      name: "budgeted" as const,
      description:
        "admitRequest (awaited) + settleReservation on the budgeted gateway's config with its key: estimate, 2 rate-limit scopes (route, key), " +
        "reserve and settle 5 budget counters (global and route daily USD and tokens, the key's daily USD)",
      budgeted: true,
    },
    {
      name: "no-budget" as const,
      description: "admitRequest on the plain gateway's config (no budgets, caps, rate limits or key): the fast path, a context-length check, no promise",
      budgeted: false,
    },
  ].map((c) => ({ ...c, runner: caseRunner(c.budgeted), samples: new Float64Array(iterations), busy: { wallMs: 0, machineMs: 0 as number | null, ownMs: 0 } }));
  for (const c of cases) await c.runner.run(warmup);
  for (let block = 0, done = 0; block < BLOCKS; block++) {
    const count = Math.round(((block + 1) * iterations) / BLOCKS) - done;
    for (const c of block % 2 === 0 ? cases : [...cases].reverse()) {
      const before = { wall: performance.now(), machine: readMachineBusyMs(), own: ownCpuMs() };
      await c.runner.run(count, { samples: c.samples, offset: done });
      const machine = readMachineBusyMs();
      c.busy.wallMs += performance.now() - before.wall;
      c.busy.machineMs = c.busy.machineMs === null || machine === null || before.machine === null ? null : c.busy.machineMs + machine - before.machine;
      c.busy.ownMs += ownCpuMs() - before.own;
    }
    done += count;
  }
  const [budgeted, noBudget] = cases.map((c) => summarise(c.name, c.description, c.budgeted, c.runner, c.samples, warmup, c.busy));
  if (!budgeted || !noBudget) throw new Error("unreachable: two cases");
  const goalP50Us = BENCH_GOALS.maxAdmissionP50Ms * 1000;
  return {
    goalP50Us,
    cases: [budgeted, noBudget],
    addedP50Us: budgeted.p50Us - noBudget.p50Us,
    pass: budgeted.p50Us <= goalP50Us,
    durationMs: performance.now() - started,
  };
}

/** `node bench/admission.ts [--json]`: the micro-benchmark alone. */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await runAdmissionBench();
  if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
  else {
    for (const c of report.cases) {
      console.log(
        `${c.name}: p50 ${c.p50Us.toFixed(1)} µs, p90 ${c.p90Us.toFixed(1)} µs, p99 ${c.p99Us.toFixed(1)} µs, mean ${c.meanUs.toFixed(1)} µs, max ${c.maxUs.toFixed(0)} µs ` +
          `(${c.iterations} timed after ${c.warmup} warm-up; other CPUs busy ${c.otherBusyCores === null ? "-" : c.otherBusyCores.toFixed(2)})`,
      );
    }
    console.log(`budgeted p50 ${report.pass ? "within" : "ABOVE"} the goal of ${report.goalP50Us} µs; ${report.durationMs.toFixed(0)} ms in all`);
  }
}
