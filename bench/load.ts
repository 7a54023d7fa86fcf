import autocannon from "autocannon";

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** CPU ms the target has used so far, read when the measured run starts and ends. */
  readTargetCpuMs?: () => number | null;
}

export interface LoadResult {
  /** 2xx responses per second of the measured run (the warm-up is not counted). */
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
  /** Responses received, warm-up included. */
  answered: number;
  /** Requests sent, warm-up included; those still in flight when the run stopped may never have reached the target. */
  sent: number;
  durationS: number;
  /** The target process's CPU time per response in the measured run, ms; null when not measured. */
  cpuMsPerRequest: number | null;
}

/** The nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/**
 * Drives `url` with POSTs of `body` on a fixed number of connections for a bounded time.
 * Latencies are kept here as floats: autocannon's own histogram rounds to whole milliseconds,
 * too coarse for an overhead budget of one.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const instance = autocannon({
    url: options.url,
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: options.body,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    ...(options.warmupSeconds > 0 && { warmup: { connections: options.connections, duration: options.warmupSeconds } }),
  });
  let responses = 0;
  let cpuAtStart: number | null = null;
  instance.on("start", () => {
    cpuAtStart = options.readTargetCpuMs?.() ?? null;
  });
  instance.on("response", (_client, statusCode, _bytes, ms) => {
    responses++;
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
  });
  const result = await instance;
  const cpuAtEnd = options.readTargetCpuMs?.() ?? null;
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  return {
    requestsPerSecond: sorted.length / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.length === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length,
    ok: sorted.length,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    answered: [result, result.warmup].reduce((n, r) => n + Object.values(r?.statusCodeStats ?? {}).reduce((m, { count }) => m + count, 0), 0),
    sent: (result.requests.sent ?? 0) + (result.warmup?.requests.sent ?? 0),
    durationS: result.duration,
    cpuMsPerRequest: cpuAtStart !== null && cpuAtEnd !== null && responses > 0 ? (cpuAtEnd - cpuAtStart) / responses : null,
  };
}
