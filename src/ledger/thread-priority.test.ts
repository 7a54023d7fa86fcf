import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Worker } from "node:worker_threads";
import { readThreadSched, SCHED_IDLE, SCHED_OTHER } from "./read-thread-sched.ts";
import { CAN_LOWER_THREAD_PRIORITY, ownThreadId } from "./thread-priority.ts";

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

describe("lowerThreadPriority", { skip: !CAN_LOWER_THREAD_PRIORITY && "thread priorities are only changed on Linux" }, () => {
  test("ownThreadId names this thread: the main thread's id is the process id", () => {
    assert.equal(ownThreadId(), process.pid);
  });

  test("lowers the calling thread only, and says how", async () => {
    const before = readThreadSched(process.pid);
    const lowered = await lowerInWorker();
    try {
      assert.notEqual(lowered.tid, process.pid);
      const sched = readThreadSched(lowered.tid);
      if (lowered.result === "idle") assert.equal(sched?.policy, SCHED_IDLE);
      else if (lowered.result === "nice") assert.deepEqual(sched, { policy: SCHED_OTHER, nice: 19 });
      else assert.fail(`on Linux the thread is lowered one way or the other, got ${lowered.result}`);
      // The process's other threads keep their priority.
      assert.deepEqual(readThreadSched(process.pid), before);
    } finally {
      assert.equal(await lowered.stop(), 0);
    }
  });
});
