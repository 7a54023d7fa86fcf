import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Worker } from "node:worker_threads";
import { ownThreadId } from "./thread-priority.ts";

/** A thread's scheduling policy and nice value, from /proc (fields 41 and 19 of its stat line). */
function schedOf(tid: number): { policy: number; nice: number } {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3
  return { policy: Number(fields[41 - 3]), nice: Number(fields[19 - 3]) };
}

const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/** Runs lowerThreadPriority in a new worker thread; resolves with what it said and the thread's id, the thread still alive. */
async function lowerInWorker(): Promise<{ result: string; tid: number; stop: () => Promise<number> }> {
  const url = new URL("./thread-priority.ts", import.meta.url).href;
  const worker = new Worker(
    `import { parentPort } from "node:worker_threads";
     const { lowerThreadPriority, ownThreadId } = await import(${JSON.stringify(url)});
     const result = lowerThreadPriority();
     parentPort.postMessage({ result, tid: ownThreadId() });
     parentPort.once("message", () => process.exit(0));`,
    { eval: true },
  );
  const { result, tid } = await new Promise<{ result: string; tid: number }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    result,
    tid,
    stop: () => {
      worker.postMessage("stop");
      return new Promise((resolve) => worker.once("exit", resolve));
    },
  };
}

describe("lowerThreadPriority", { skip: process.platform !== "linux" && "thread priorities are only changed on Linux" }, () => {
  test("ownThreadId names this thread: the main thread's id is the process id", () => {
    assert.equal(ownThreadId(), process.pid);
  });

  test("lowers the calling thread only, and says how", async () => {
    const before = schedOf(process.pid);
    const lowered = await lowerInWorker();
    try {
      assert.notEqual(lowered.tid, process.pid);
      const sched = schedOf(lowered.tid);
      if (lowered.result === "idle") assert.equal(sched.policy, SCHED_IDLE);
      else if (lowered.result === "nice") assert.deepEqual(sched, { policy: SCHED_OTHER, nice: 19 });
      else assert.fail(`on Linux the thread is lowered one way or the other, got ${lowered.result}`);
      // The process's other threads keep their priority.
      assert.deepEqual(schedOf(process.pid), before);
    } finally {
      assert.equal(await lowered.stop(), 0);
    }
  });
});
