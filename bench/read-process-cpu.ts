import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time a process has used so far, all its threads together (V8's GC helpers and libuv's pool
 * included), in milliseconds; null where /proc is not available. From schedstat, which counts
 * nanoseconds, where /proc/<pid>/stat counts 10 ms ticks.
 */
export function readProcessCpuMs(pid: number): number | null {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    return ns / 1e6;
  } catch {
    return null;
  }
}
