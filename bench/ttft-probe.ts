import { performance } from "node:perf_hooks";
import { Client } from "undici";
import type { BenchTarget } from "./bench-report.ts";
import { percentile } from "./load.ts";

export interface TtftPath {
  target: BenchTarget;
  /** A chat completions URL. */
  url: string;
  /** A streaming request body. */
  body: string;
}

export interface TtftResult {
  target: BenchTarget;
  /** Measured requests that delivered content and ended with [DONE] (the warm-up is not counted). */
  samples: number;
  failures: number;
  firstFailure: string | null;
  /** Requests sent, warm-up included (each waited for its answer, so none was cut off). */
  sent: number;
  /** Requests that got a response with a status, warm-up included. */
  answered: number;
  /** From sending the request to the arrival of the first `data:` chunk that carries content, ms. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** From sending the request to the last body byte, ms. */
  totalP50Ms: number;
  /** Bytes of one response body, as the client received it. */
  responseBytes: number;
}

interface Sample {
  ttftMs: number;
  totalMs: number;
  bytes: number;
}

/** True when an SSE event is a chat.completion.chunk whose first choice carries text. */
function carriesContent(event: string): boolean {
  if (!event.startsWith("data: ") || event === "data: [DONE]") return false;
  try {
    const chunk = JSON.parse(event.slice("data: ".length)) as { choices?: { delta?: { content?: string | null } }[] };
    return (chunk.choices?.[0]?.delta?.content ?? "").length > 0;
  } catch {
    return false;
  }
}

async function timeOne(client: Client, path: TtftPath, requestPath: string): Promise<{ sample: Sample } | { failure: string; answered: boolean }> {
  const t0 = performance.now();
  let answered = false;
  try {
    const res = await client.request({
      path: requestPath,
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench" },
      body: path.body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    answered = true;
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      return { failure: `HTTP ${res.statusCode}: ${text.slice(0, 200)}`, answered };
    }
    const decoder = new TextDecoder();
    let text = "";
    let scanned = 0;
    let ttftMs: number | null = null;
    for await (const piece of res.body as AsyncIterable<Uint8Array>) {
      // The arrival time first: parsing below must not count.
      const now = performance.now();
      text += decoder.decode(piece, { stream: true });
      if (ttftMs !== null) continue;
      for (let end = text.indexOf("\n\n", scanned); end >= 0; end = text.indexOf("\n\n", scanned)) {
        const event = text.slice(scanned, end);
        scanned = end + 2;
        if (carriesContent(event)) {
          ttftMs = now - t0;
          break;
        }
      }
    }
    const totalMs = performance.now() - t0;
    if (ttftMs === null) return { failure: `no chunk with content in ${text.length} bytes`, answered };
    if (!text.endsWith("data: [DONE]\n\n")) return { failure: `stream does not end with data: [DONE]; ends: ${text.slice(-120)}`, answered };
    return { sample: { ttftMs, totalMs, bytes: Buffer.byteLength(text) } };
  } catch (err) {
    return { failure: `request failed: ${err instanceof Error ? err.message : String(err)}`, answered };
  }
}

/**
 * Time to first token, which autocannon does not measure: `requests` streaming requests per path
 * after `warmup` more, one at a time on one keep-alive connection per path. The paths take turns
 * request by request (the first of each round rotating), so that whatever else the machine does
 * weighs on all of them alike.
 */
export async function probeTtft(options: { paths: readonly TtftPath[]; requests: number; warmup: number }): Promise<TtftResult[]> {
  const { paths } = options;
  const clients = paths.map((p) => new Client(new URL(p.url).origin, { keepAliveTimeout: 30_000, pipelining: 1 }));
  const requestPaths = paths.map((p) => {
    const u = new URL(p.url);
    return `${u.pathname}${u.search}`;
  });
  const samples: Sample[][] = paths.map(() => []);
  const failures = paths.map(() => 0);
  const firstFailure: (string | null)[] = paths.map(() => null);
  const sent = paths.map(() => 0);
  const answered = paths.map(() => 0);
  try {
    for (let round = 0; round < options.warmup + options.requests; round++) {
      for (let k = 0; k < paths.length; k++) {
        const i = (round + k) % paths.length;
        const path = paths[i];
        const client = clients[i];
        // A path that keeps failing is given up rather than timed out 200 times.
        if (path === undefined || client === undefined || (failures[i] ?? 0) >= 20) continue;
        sent[i] = (sent[i] ?? 0) + 1;
        const outcome = await timeOne(client, path, requestPaths[i] ?? "/");
        if ("sample" in outcome) {
          answered[i] = (answered[i] ?? 0) + 1;
          if (round >= options.warmup) samples[i]?.push(outcome.sample);
        } else {
          if (outcome.answered) answered[i] = (answered[i] ?? 0) + 1;
          failures[i] = (failures[i] ?? 0) + 1;
          firstFailure[i] ??= outcome.failure;
        }
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  }
  return paths.map((path, i): TtftResult => {
    const mine = samples[i] ?? [];
    const ttft = Float64Array.from(mine.map((s) => s.ttftMs)).sort();
    const total = Float64Array.from(mine.map((s) => s.totalMs)).sort();
    return {
      target: path.target,
      samples: mine.length,
      failures: failures[i] ?? 0,
      firstFailure: firstFailure[i] ?? null,
      sent: sent[i] ?? 0,
      answered: answered[i] ?? 0,
      p50Ms: percentile(ttft, 50),
      p99Ms: percentile(ttft, 99),
      meanMs: mine.length === 0 ? Number.NaN : ttft.reduce((a, b) => a + b, 0) / mine.length,
      totalP50Ms: percentile(total, 50),
      responseBytes: mine.at(-1)?.bytes ?? 0,
    };
  });
}
