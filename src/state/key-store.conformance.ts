import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { hashKeySecret, KEY_SECRET_PREFIX, KeyStoreError, type KeyStore } from "./key-store.ts";

/**
 * The behaviour every KeyStore implementation must have. Call it from the implementation's test
 * file; `makeStore` must return a fresh, empty store on every call, whose clock is `clock`.
 */
export function runKeyStoreConformance(name: string, makeStore: (clock: () => number) => KeyStore | Promise<KeyStore>): void {
  describe(`KeyStore conformance: ${name}`, () => {
    const opened: KeyStore[] = [];
    let now = 1_700_000_000_000;
    const open = async (): Promise<KeyStore> => {
      const store = await makeStore(() => now);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });
    const isError = (code: string) => (err: unknown) => err instanceof KeyStoreError && err.code === code;

    test("create returns the secret once and stores only its hash and a short prefix", async () => {
      const store = await open();
      const { record, secret } = await store.create({ name: "ci", budget: { daily_usd: 5, monthly_tokens: 1_000_000 }, rateLimit: { requests_per_minute: 60 }, routes: ["general_qna", "default"] });
      assert.match(secret, new RegExp(`^${KEY_SECRET_PREFIX}[0-9A-Za-z]{32,}$`));
      assert.match(record.id, /^key_[0-9A-Za-z]+$/);
      assert.equal(record.hash, hashKeySecret(secret));
      assert.match(record.hash, /^[0-9a-f]{64}$/);
      assert.ok(secret.startsWith(record.prefix.replace("…", "")));
      assert.ok(record.prefix.length <= 12, record.prefix);
      assert.equal(JSON.stringify(await store.list()).includes(secret.slice(KEY_SECRET_PREFIX.length + 4)), false);
      assert.deepEqual(record, {
        id: record.id, name: "ci", prefix: record.prefix, hash: record.hash, createdAt: now, revokedAt: null,
        budget: { daily_usd: 5, monthly_tokens: 1_000_000 }, rateLimit: { requests_per_minute: 60 }, routes: ["general_qna", "default"],
      });
    });

    test("every key is different", async () => {
      const store = await open();
      const a = await store.create({ name: "a" });
      const b = await store.create({ name: "b" });
      assert.notEqual(a.secret, b.secret);
      assert.notEqual(a.record.id, b.record.id);
    });

    test("defaults: no budget, no limits, all routes", async () => {
      const store = await open();
      const { record } = await store.create({ name: "plain" });
      assert.deepEqual([record.budget, record.rateLimit, record.routes], [{}, {}, null]);
      assert.deepEqual(await store.findByHash(record.hash), record);
    });

    test("findByHash finds the key, and nothing for an unknown hash", async () => {
      const store = await open();
      const { record, secret } = await store.create({ name: "x", routes: ["a"] });
      assert.deepEqual(await store.findByHash(hashKeySecret(secret)), record);
      assert.equal(await store.findByHash(hashKeySecret(`${secret}x`)), null);
    });

    test("list is oldest first, with every field as created", async () => {
      const store = await open();
      now = 2_000;
      const second = await store.create({ name: "second" });
      now = 1_000;
      const first = await store.create({ name: "first", budget: { daily_tokens: 10 } });
      assert.deepEqual(await store.list(), [first.record, second.record]);
      assert.deepEqual(await (await open()).list(), []);
    });

    test("keys created in the same millisecond are listed in the order they were created", async () => {
      const store = await open();
      now = 3_000;
      const names = ["k1", "k2", "k3", "k4", "k5", "k6"];
      for (const name of names) await store.create({ name });
      assert.deepEqual((await store.list()).map((r) => r.name), names);
    });

    test("a name is unique among keys that are not revoked", async () => {
      const store = await open();
      await store.create({ name: "dup" });
      await assert.rejects(store.create({ name: "dup" }), isError("duplicate_name"));
      assert.equal(await store.count(), 1);
      await store.revoke("dup");
      const again = await store.create({ name: "dup" });
      assert.equal(again.record.revokedAt, null);
      assert.equal(await store.count(), 2);
    });

    test("invalid specs are refused, saying what to fix", async () => {
      const store = await open();
      await assert.rejects(store.create({ name: "" }), isError("invalid_spec"));
      await assert.rejects(store.create({ name: "has space" }), isError("invalid_spec"));
      await assert.rejects(store.create({ name: "key_abc" }), isError("invalid_spec"));
      await assert.rejects(store.create({ name: "n", budget: { daily_usd: -1 } }), /daily_usd must be a positive number/);
      await assert.rejects(store.create({ name: "n", budget: { daily_tokens: 1.5 } }), /daily_tokens must be a positive whole number/);
      await assert.rejects(store.create({ name: "n", rateLimit: { requests_per_minute: 0 } }), isError("invalid_spec"));
      await assert.rejects(store.create({ name: "n", routes: [] }), isError("invalid_spec"));
      assert.equal(await store.count(), 0);
    });

    test("routes are trimmed and de-duplicated", async () => {
      const store = await open();
      const { record } = await store.create({ name: "r", routes: [" a", "b ", "a"] });
      assert.deepEqual(record.routes, ["a", "b"]);
    });

    test("revoke by id or by name; the record stays, marked revoked", async () => {
      const store = await open();
      const a = await store.create({ name: "a" });
      const b = await store.create({ name: "b" });
      now += 5_000;
      const byId = await store.revoke(a.record.id);
      assert.deepEqual(byId, { type: "revoked", record: { ...a.record, revokedAt: now } });
      const byName = await store.revoke("b");
      assert.equal(byName.type, "revoked");
      assert.equal((await store.findByHash(b.record.hash))?.revokedAt, now);
      assert.deepEqual((await store.list()).map((r) => r.revokedAt), [now, now]);
      assert.equal(await store.count(), 2);
    });

    test("revoking twice says so and keeps the first time", async () => {
      const store = await open();
      const { record } = await store.create({ name: "once" });
      const revokedAt = now;
      await store.revoke("once");
      now += 1_000;
      assert.deepEqual(await store.revoke("once"), { type: "already_revoked", record: { ...record, revokedAt } });
      assert.deepEqual(await store.revoke(record.id), { type: "already_revoked", record: { ...record, revokedAt } });
    });

    test("revoke by name prefers the key in use over revoked ones of that name", async () => {
      const store = await open();
      const old = await store.create({ name: "svc" });
      await store.revoke("svc");
      now += 1;
      const current = await store.create({ name: "svc" });
      const result = await store.revoke("svc");
      assert.equal(result.type, "revoked");
      assert.equal(result.type === "revoked" && result.record.id, current.record.id);
      assert.notEqual(old.record.id, current.record.id);
    });

    test("revoking an unknown key is not_found", async () => {
      const store = await open();
      assert.deepEqual(await store.revoke("ghost"), { type: "not_found" });
    });

    test("returned records are copies", async () => {
      const store = await open();
      const { record } = await store.create({ name: "c", routes: ["a"], budget: { daily_usd: 1 } });
      record.routes?.push("b");
      record.budget.daily_usd = 99;
      const [listed] = await store.list();
      assert.deepEqual(listed?.routes, ["a"]);
      listed?.routes?.push("c");
      assert.deepEqual((await store.findByHash(record.hash))?.routes, ["a"]);
      assert.deepEqual((await store.list())[0]?.budget, { daily_usd: 1 });
    });

    test("calls after close fail clearly; close is idempotent", async () => {
      const store = await open();
      await store.close();
      await store.close();
      await assert.rejects(store.list(), /closed/);
      await assert.rejects(store.create({ name: "late" }), /closed/);
    });
  });
}
