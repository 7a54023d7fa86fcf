import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { makeReceipt } from "./make-receipt.ts";
import { readThreadSched, SCHED_IDLE, threadIds } from "./read-thread-sched.ts";
import { runReceiptStoreConformance } from "./receipt-store.conformance.ts";
import { openSqliteReceiptStore } from "./sqlite-receipt-store.ts";
import { CAN_LOWER_THREAD_PRIORITY } from "./thread-priority.ts";
import { openWorkerReceiptStore } from "./worker-receipt-store.ts";

const root = mkdtempSync(join(tmpdir(), "switchyard-ledger-worker-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(root, `db-${++n}`, "ledger.db");

runReceiptStoreConformance("sqlite behind a worker thread", () => openWorkerReceiptStore(freshPath()));

/** This process's threads that run below normal priority (SCHED_IDLE or a positive nice value). */
function loweredThreads(): number {
  return threadIds().filter((tid) => {
    const sched = readThreadSched(tid);
    return sched !== null && (sched.policy === SCHED_IDLE || sched.nice > 0);
  }).length;
}

describe("openWorkerReceiptStore", () => {
  test("writes receipts from a thread below normal priority, urgent ones and reads from one at normal priority", { skip: !CAN_LOWER_THREAD_PRIORITY && "thread priorities are only changed on Linux" }, async () => {
    const before = loweredThreads();
    const store = await openWorkerReceiptStore(freshPath());
    try {
      assert.match(store.backgroundPriority, /^(idle|nice)$/);
      assert.equal(loweredThreads(), before + 1, "one ledger thread lowered itself, the other did not");
      await store.insertMany([makeReceipt({ requestId: "background" })]);
      await store.insertMany([makeReceipt({ requestId: "urgent" })], { urgent: true });
      assert.equal((await store.get("background"))?.requestId, "background");
      assert.equal((await store.get("urgent"))?.requestId, "urgent");
      assert.deepEqual((await store.list({ limit: 10 })).map((r) => r.requestId).sort(), ["background", "urgent"]);
    } finally {
      await store.close();
    }
    assert.equal(loweredThreads(), before, "both threads ended");
  });

  test("a background write unanswered for starvedAfterMs is written at normal priority, and so are the next ones", { skip: !CAN_LOWER_THREAD_PRIORITY && "thread priorities are only changed on Linux" }, async () => {
    const logs: string[] = [];
    // 0 ms: the timer fires before any background thread could have written 500 receipts.
    const store = await openWorkerReceiptStore(freshPath(), { starvedAfterMs: 0, starvedCooldownMs: 60_000, log: (l) => logs.push(l) });
    try {
      const batch = (from: number) => Array.from({ length: 500 }, (_, i) => makeReceipt({ requestId: `r${from + i}`, createdAt: 1_000 + from + i }));
      await store.insertMany(batch(0));
      assert.equal(store.starvedWrites, 1);
      assert.match(logs.join("\n"), /background thread had not written a batch after 0 ms \(no idle CPU\); receipts are written at normal priority for the next 60 s/);
      // Within the cooldown, writes skip the background thread: none is timed, none is starved.
      await store.insertMany(batch(500));
      assert.equal(store.starvedWrites, 1);
      assert.equal(logs.length, 1);
      // Every receipt is there once, whichever thread wrote it last.
      const listed = await store.list({ limit: 2_000 });
      assert.equal(listed.length, 1_000);
      assert.equal(new Set(listed.map((r) => r.requestId)).size, 1_000);
    } finally {
      await store.close();
    }
  });

  test("with background: false, one thread at normal priority does everything", async () => {
    const before = CAN_LOWER_THREAD_PRIORITY ? loweredThreads() : 0;
    const store = await openWorkerReceiptStore(freshPath(), { background: false });
    try {
      assert.equal(store.backgroundPriority, "normal");
      if (CAN_LOWER_THREAD_PRIORITY) assert.equal(loweredThreads(), before);
      await store.insertMany([makeReceipt()]);
      assert.deepEqual(await store.get(makeReceipt().requestId), makeReceipt());
    } finally {
      await store.close();
    }
  });

  test("writes the same file the direct store reads", async () => {
    const path = freshPath();
    const store = await openWorkerReceiptStore(path);
    await store.insertMany([makeReceipt()]);
    await store.close();
    const direct = openSqliteReceiptStore(path);
    assert.deepEqual(await direct.get(makeReceipt().requestId), makeReceipt());
    await direct.close();
  });

  test("a batch the ledger rejects rejects as a whole", async () => {
    const store = await openWorkerReceiptStore(freshPath());
    const bad = makeReceipt({ requestId: "bad", status: null as unknown as "ok" }); // violates NOT NULL
    await assert.rejects(store.insertMany([makeReceipt({ requestId: "good" }), bad]), /NOT NULL/);
    assert.equal(await store.get("good"), null);
    await store.close();
  });

  test("rejects with the reason when the ledger cannot be opened", async () => {
    const notADir = join(root, "file");
    writeFileSync(notADir, "x");
    await assert.rejects(openWorkerReceiptStore(join(notADir, "ledger.db")), /EEXIST|ENOTDIR|not a directory|file already exists/i);
  });

  test("calls after close are refused", async () => {
    const store = await openWorkerReceiptStore(freshPath());
    await store.close();
    await store.close();
    await assert.rejects(store.get("x"), /closed/);
  });
});
