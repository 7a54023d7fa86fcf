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

/**
 * CPU time of a process's main thread (its event loop, for Node) so far, in milliseconds; null
 * where /proc is not available. The event loop is what a Node server runs out of first.
 */
export function readMainThreadCpuMs(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}

/** USER_HZ: the unit of /proc/stat's counters (100 on every Linux the bench runs on). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time the whole machine has been busy so far, all CPUs together, in milliseconds (from
 * /proc/stat: user, nice, system, irq, softirq and steal; not idle or iowait); null where
 * /proc is not available. 10 ms resolution per CPU, fine over runs of seconds.
 */
export function readMachineBusyMs(): number | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const [label, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/);
    if (label !== "cpu") return null;
    const ticks = [user, nice, system, irq, softirq, steal].reduce((n, v) => n + (Number(v) || 0), 0);
    return (ticks / TICKS_PER_SECOND) * 1000;
  } catch {
    return null;
  }
}
