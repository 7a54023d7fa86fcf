// autocannon ships no types; this declares only the part of its programmatic API the bench uses.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  export interface Options {
    url: string;
    method?: "GET" | "POST";
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Requests each connection sends in turn; unset fields come from the options above. */
    requests?: { method?: "GET" | "POST"; path?: string; headers?: Record<string, string>; body?: string | Buffer }[];
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
  }

  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
    /** Requests histogram only. */
    sent?: number;
    total?: number;
  }

  export interface Result {
    /** Seconds the run took. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    mismatches: number;
    resets: number;
    statusCodeStats: Record<string, { count: number }>;
    requests: Histogram;
    latency: Histogram;
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {
    on(event: "response", listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): this;
    on(event: "reqError", listener: (error: Error) => void): this;
    /** The run began. */
    on(event: "start", listener: () => void): this;
    stop(): void;
  }

  export default function autocannon(options: Options): Instance;
}
