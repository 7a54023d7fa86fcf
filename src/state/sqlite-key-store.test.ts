import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, describe, test } from "node:test";
import { runKeyStoreConformance } from "./key-store.conformance.ts";
import { keyStorePathFor, openSqliteKeyStore } from "./sqlite-key-store.ts";

const root = mkdtempSync(join(tmpdir(), "switchyard-keys-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(root, `db-${++n}`, "keys.db");

runKeyStoreConformance("sqlite (file)", (clock) => openSqliteKeyStore(freshPath(), { clock }));
runKeyStoreConformance("sqlite (:memory:)", (clock) => openSqliteKeyStore(":memory:", { clock }));

describe("openSqliteKeyStore", () => {
  test("keyStorePathFor puts keys.db beside the ledger", () => {
    assert.equal(keyStorePathFor(join(root, "data", "ledger.db")), join(root, "data", "keys.db"));
    assert.equal(keyStorePathFor(":memory:"), ":memory:");
  });

  test("uses WAL, records its schema version, keeps no secret and keeps keys across reopen", async () => {
    const path = freshPath();
    const first = openSqliteKeyStore(path);
    const { record, secret } = await first.create({ name: "k", routes: ["a"] });
    await first.close();
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      assert.equal((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "wal");
      assert.equal((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version, 1);
      const dump = JSON.stringify(db.prepare("SELECT * FROM keys").all());
      assert.equal(dump.includes(secret), false);
      assert.equal(dump.includes(secret.slice(10)), false);
    } finally {
      db.close();
    }
    const second = openSqliteKeyStore(path);
    assert.deepEqual(await second.list(), [record]);
    await second.close();
  });

  test("refuses a store written by a newer schema", () => {
    const path = freshPath();
    void openSqliteKeyStore(path).close();
    const db = new DatabaseSync(path);
    db.exec("PRAGMA user_version = 99");
    db.close();
    assert.throws(() => openSqliteKeyStore(path), /schema version 99 is newer/);
  });

  test("list sees what another connection (the CLI) wrote and revoked", async () => {
    const path = freshPath();
    const gateway = openSqliteKeyStore(path);
    const cli = openSqliteKeyStore(path);
    assert.deepEqual(await gateway.list(), []);
    const { record } = await cli.create({ name: "late" });
    assert.deepEqual(await gateway.list(), [record]);
    assert.deepEqual(await gateway.list(), [record]);
    await cli.revoke("late");
    assert.notEqual((await gateway.list())[0]?.revokedAt, null);
    await gateway.create({ name: "own" });
    assert.equal((await gateway.list()).length, 2);
    await Promise.all([gateway.close(), cli.close()]);
  });

  test("a duplicate name from another connection is a duplicate_name error", async () => {
    const path = freshPath();
    const a = openSqliteKeyStore(path);
    const b = openSqliteKeyStore(path);
    await a.create({ name: "same" });
    await assert.rejects(b.create({ name: "same" }), (err: unknown) => (err as { code?: string }).code === "duplicate_name");
    await Promise.all([a.close(), b.close()]);
  });
});
