import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolveDataDir, resolveLedgerLocation } from "./resolve-data-dir.ts";

const cwd = "/srv/app";

describe("resolveDataDir", () => {
  test("defaults to ./.switchyard", () => {
    assert.deepEqual(resolveDataDir({ env: {}, cwd }), { dataDir: "/srv/app/.switchyard", ledgerPath: "/srv/app/.switchyard/ledger.db" });
    assert.equal(resolveDataDir({ env: { SWITCHYARD_DATA: "  " }, cwd }).dataDir, "/srv/app/.switchyard");
  });

  test("SWITCHYARD_DATA wins, relative to cwd when relative", () => {
    assert.deepEqual(resolveDataDir({ env: { SWITCHYARD_DATA: "/var/lib/switchyard" }, cwd }), {
      dataDir: "/var/lib/switchyard",
      ledgerPath: "/var/lib/switchyard/ledger.db",
    });
    assert.equal(resolveDataDir({ env: { SWITCHYARD_DATA: "data" }, cwd }).dataDir, "/srv/app/data");
  });

  test("storage.ledger overrides the ledger path, not the data folder", () => {
    const got = resolveDataDir({ env: { SWITCHYARD_DATA: "/d" }, cwd, storageLedger: "sqlite:./elsewhere/l.db" });
    assert.deepEqual(got, { dataDir: "/d", ledgerPath: "/srv/app/elsewhere/l.db" });
  });

  test("a Postgres ledger is refused until it exists", () => {
    assert.throws(() => resolveDataDir({ env: {}, cwd, storageLedger: "postgres://db/x" }), /postgres ledgers are not available/);
  });
});

describe("resolveLedgerLocation", () => {
  test("without storage.ledger: the SQLite file in the data folder", () => {
    assert.deepEqual(resolveLedgerLocation({ env: { SWITCHYARD_DATA: "/d" }, cwd }), { kind: "sqlite", path: "/d/ledger.db" });
  });

  test("the forms storage.ledger takes", () => {
    const env = { SWITCHYARD_DATA: "/d" };
    const at = (ledger: string) => resolveLedgerLocation({ env, cwd, storageLedger: ledger });
    assert.deepEqual(at("sqlite:./.switchyard/ledger.db"), { kind: "sqlite", path: "/srv/app/.switchyard/ledger.db" });
    assert.deepEqual(at("sqlite:/abs/l.db"), { kind: "sqlite", path: "/abs/l.db" });
    assert.deepEqual(at("sqlite:///abs/l.db"), { kind: "sqlite", path: "/abs/l.db" });
    assert.deepEqual(at("sqlite::memory:"), { kind: "sqlite", path: ":memory:" });
    assert.deepEqual(at("postgres://u:p@db/switchyard"), { kind: "postgres", url: "postgres://u:p@db/switchyard" });
    assert.deepEqual(at("postgresql://db/s"), { kind: "postgres", url: "postgresql://db/s" });
  });

  test("anything else is an error that says what to write", () => {
    const at = (ledger: string) => () => resolveLedgerLocation({ env: {}, cwd, storageLedger: ledger });
    assert.throws(at("./ledger.db"), /write sqlite:<path> or postgres/);
    assert.throws(at("mysql://x"), /not a ledger/);
    assert.throws(at("sqlite:"), /names no file/);
  });
});
