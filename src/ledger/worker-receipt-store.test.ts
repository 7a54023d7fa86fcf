import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { makeReceipt } from "./make-receipt.ts";
import { runReceiptStoreConformance } from "./receipt-store.conformance.ts";
import { openSqliteReceiptStore } from "./sqlite-receipt-store.ts";
import { openWorkerReceiptStore } from "./worker-receipt-store.ts";

const root = mkdtempSync(join(tmpdir(), "switchyard-ledger-worker-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(root, `db-${++n}`, "ledger.db");

runReceiptStoreConformance("sqlite behind a worker thread", () => openWorkerReceiptStore(freshPath()));

describe("openWorkerReceiptStore", () => {
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
