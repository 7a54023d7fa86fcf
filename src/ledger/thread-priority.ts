import { execFileSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/** How the calling thread ended up scheduled: Linux's SCHED_IDLE, nice 19, or as it was. */
export type BackgroundPriority = "idle" | "nice" | "normal";

/** Where `lowerThreadPriority` can do anything at all: elsewhere a thread keeps its priority. */
export const CAN_LOWER_THREAD_PRIORITY = process.platform === "linux";

/**
 * Moves the calling thread (not its process) to the lowest CPU priority a thread may take by
 * itself, so that it runs on the CPU time request handling leaves over. On Linux that is
 * SCHED_IDLE, set through util-linux `chrt` (Node has no call for it): such a thread neither
 * preempts nor displaces a normal one, and a CPU that runs only it counts as free when the
 * scheduler places a waking task. Without `chrt`, nice 19; elsewhere, nothing.
 *
 * One-way: an unprivileged thread may lower its priority but not raise it again, so a thread that
 * must sometimes run at full priority is a second thread, not this one raised.
 */
export function lowerThreadPriority(): BackgroundPriority {
  const tid = ownThreadId();
  if (tid === null) return "normal";
  try {
    execFileSync("chrt", ["--idle", "--pid", "0", String(tid)], { stdio: "ignore", timeout: 5_000 });
    return "idle";
  } catch {
    // no chrt here, or the policy was refused: nice is the next best thing
  }
  try {
    setPriority(tid, 19);
    return "nice";
  } catch {
    return "normal";
  }
}

/** The kernel's id of the calling thread (Linux: `/proc/thread-self` → `<pid>/task/<tid>`), or null. */
export function ownThreadId(): number | null {
  if (!CAN_LOWER_THREAD_PRIORITY) return null;
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1));
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}
