import autocannon from "autocannon";
import { readMachineBusyMs } from "./read-process-cpu.ts";

export interface LoadOptions {
  url: string;
  /** One body, or several that each connection sends in turn (autocannon's `requests`). */
  body: string | readonly string[];
  connections: number;
  seconds: number;
  /** Request headers besides content-type; default `authorization: Bearer bench` (a placeholder, not a gateway key). */
  headers?: Readonly<Record<string, string>>;
  /** CPU ms the target has used so far, read when the measured run starts and ends. */
  readTargetCpuMs?: () => number | null;
  /** The same for the target's main thread alone. */
  readTargetMainThreadCpuMs?: () => number | null;
  /** The same for the upstream behind the target (none when the target is the upstream). */
  readUpstreamCpuMs?: () => number | null;
}

export interface LoadResult {
  /** 2xx responses per second of the measured runs. */
  requestsPerSecond: number;
  /** Latency of 2xx responses, to the last body byte, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  ok: number;
  /** Connection errors, including timeouts. */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Responses received. */
  answered: number;
  /** Requests sent; those still in flight when the run stopped may never have reached the target. */
  sent: number;
  /** Measured seconds, all rounds together. */
  durationS: number;
  /** Measured runs merged into this result, taking turns with the other targets. */
  rounds: number;
  /** The target process's CPU time per response in the measured run, ms; null when not measured. */
  cpuMsPerRequest: number | null;
  /** The part of it on the target's main thread (for Node, the event loop), ms; null when not measured. */
  mainThreadCpuMsPerRequest: number | null;
  /** The upstream's (the fake's) CPU time per response, ms; null for the direct target or when not measured. */
  upstreamCpuMsPerRequest: number | null;
  /** The load generator's (this process's) CPU time per response, ms. */
  generatorCpuMsPerRequest: number;
  /** CPUs busy on the whole machine during the measured run (2.0 = both of two cores); null without /proc. */
  machineBusyCores: number | null;
  /**
   * CPUs busy with anything but the load generator, the upstream and the target: other work on
   * the machine, which takes CPU from the run. null without /proc.
   */
  otherBusyCores: number | null;
  /** Mean size of the request bodies sent, bytes (they take turns, so each is sent about as often). */
  requestBytes: number;
}

/** One measured run, kept raw so that rounds can be merged. */
export interface LoadSample {
  latencies: number[];
  durationS: number;
  /** Responses of the measured run, any status. */
  responses: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  answered: number;
  sent: number;
  /** Wall-clock ms of the measured run, as timed here (for the machine's busy cores). */
  wallMs: number;
  targetCpuMs: number | null;
  targetMainThreadCpuMs: number | null;
  upstreamCpuMs: number | null;
  generatorCpuMs: number;
  machineBusyMs: number | null;
  requestBytes: number;
}

/** The nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

const processCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const delta = (start: number | null, end: number | null): number | null => (start !== null && end !== null ? end - start : null);

/**
 * Drives `url` with POSTs of `body` on a fixed number of connections for a bounded time, and
 * reads the CPU time the target, the upstream, this process (the load generator) and the whole
 * machine used while it measured. Latencies are kept here as floats: autocannon's own histogram
 * rounds to whole milliseconds, too coarse for an overhead budget of one.
 */
export async function runLoadOnce(options: LoadOptions): Promise<LoadSample> {
  const latencies: number[] = [];
  const bodies = typeof options.body === "string" ? [options.body] : options.body;
  const instance = autocannon({
    url: options.url,
    method: "POST",
    headers: { "content-type": "application/json", ...(options.headers ?? { authorization: "Bearer bench" }) },
    ...(bodies.length === 1 ? { body: bodies[0] } : { requests: bodies.map((body) => ({ body })) }),
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
  });
  let responses = 0;
  const read = () => ({
    wall: performance.now(),
    target: options.readTargetCpuMs?.() ?? null,
    targetMain: options.readTargetMainThreadCpuMs?.() ?? null,
    upstream: options.readUpstreamCpuMs?.() ?? null,
    generator: processCpuMs(),
    machine: readMachineBusyMs(),
  });
  let start: ReturnType<typeof read> = { wall: 0, target: null, targetMain: null, upstream: null, generator: 0, machine: null };
  instance.on("start", () => {
    start = read();
  });
  instance.on("response", (_client, statusCode, _bytes, ms) => {
    responses++;
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
  });
  const result = await instance;
  const end = read();
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  return {
    latencies,
    durationS: result.duration,
    responses,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    answered: Object.values(result.statusCodeStats).reduce((n, { count }) => n + count, 0),
    sent: result.requests.sent ?? 0,
    wallMs: end.wall - start.wall,
    targetCpuMs: delta(start.target, end.target),
    targetMainThreadCpuMs: delta(start.targetMain, end.targetMain),
    upstreamCpuMs: delta(start.upstream, end.upstream),
    generatorCpuMs: end.generator - start.generator,
    machineBusyMs: delta(start.machine, end.machine),
    requestBytes: bodies.length === 0 ? 0 : bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / bodies.length,
  };
}

/** Several measured runs of one target as one result: latencies pooled, counts and CPU summed. */
export function mergeLoadSamples(samples: readonly LoadSample[]): LoadResult {
  const sum = (f: (s: LoadSample) => number): number => samples.reduce((n, s) => n + f(s), 0);
  const sumOrNull = (f: (s: LoadSample) => number | null): number | null => (samples.every((s) => f(s) !== null) ? sum((s) => f(s) ?? 0) : null);
  const sorted = Float64Array.from(samples.flatMap((s) => s.latencies)).sort();
  const durationS = sum((s) => s.durationS);
  const responses = sum((s) => s.responses);
  const wallS = sum((s) => s.wallMs) / 1000;
  const perResponse = (ms: number | null): number | null => (ms !== null && responses > 0 ? ms / responses : null);
  const statusCodes: Record<string, number> = {};
  for (const s of samples) for (const [code, n] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const targetCpuMs = sumOrNull((s) => s.targetCpuMs);
  const targetMainThreadCpuMs = sumOrNull((s) => s.targetMainThreadCpuMs);
  const upstreamCpuMs = sumOrNull((s) => s.upstreamCpuMs);
  const generatorCpuMs = sum((s) => s.generatorCpuMs);
  const machineBusyMs = sumOrNull((s) => s.machineBusyMs);
  const cores = (ms: number | null): number | null => (ms !== null && wallS > 0 ? ms / 1000 / wallS : null);
  const ownMs = (targetCpuMs ?? 0) + (upstreamCpuMs ?? 0) + generatorCpuMs;
  return {
    requestsPerSecond: durationS > 0 ? sorted.length / durationS : 0,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length,
    ok: sorted.length,
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    non2xx: sum((s) => s.non2xx),
    statusCodes,
    answered: sum((s) => s.answered),
    sent: sum((s) => s.sent),
    durationS,
    rounds: samples.length,
    cpuMsPerRequest: perResponse(targetCpuMs),
    mainThreadCpuMsPerRequest: perResponse(targetMainThreadCpuMs),
    upstreamCpuMsPerRequest: perResponse(upstreamCpuMs),
    generatorCpuMsPerRequest: perResponse(generatorCpuMs) ?? 0,
    machineBusyCores: cores(machineBusyMs),
    otherBusyCores: machineBusyMs === null ? null : cores(Math.max(0, machineBusyMs - ownMs)),
    requestBytes: samples[0]?.requestBytes ?? 0,
  };
}

/** One measured run as a result. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  return mergeLoadSamples([await runLoadOnce(options)]);
}
