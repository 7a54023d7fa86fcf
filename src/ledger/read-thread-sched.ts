import { readdirSync, readFileSync } from "node:fs";

/** Linux's SCHED_OTHER and SCHED_IDLE, as /proc reports a thread's policy. */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/**
 * A thread of this process: its scheduling policy and nice value, from /proc (fields 41 and 19
 * of its stat line), or null once it has ended. For tests of thread-priority.ts on Linux.
 */
export function readThreadSched(tid: number): { policy: number; nice: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3
  return { policy: Number(fields[41 - 3]), nice: Number(fields[19 - 3]) };
}

/** The ids of this process's threads. */
export function threadIds(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).map(Number);
}
