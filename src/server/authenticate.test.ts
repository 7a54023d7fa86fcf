import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, test } from "node:test";
import { GatewayError } from "../core/errors.ts";
import type { Plan } from "../router/plan.ts";
import type { KeyRecord, KeyStore } from "../state/key-store.ts";
import { createMemoryKeyStore } from "../state/memory-key-store.ts";
import { openSqliteKeyStore } from "../state/sqlite-key-store.ts";
import { Authenticator, createAuthenticator, presentedKey, type AuthenticatorOptions } from "./authenticate.ts";

/** authenticate answers at once where it can; a call wrapped in a promise fails as a rejection. */
const call = async (auth: Authenticator, headers: IncomingHttpHeaders): Promise<KeyRecord | null> => auth.authenticate(headers);

const root = mkdtempSync(join(tmpdir(), "switchyard-auth-"));
after(() => rmSync(root, { recursive: true, force: true }));

const opened: Authenticator[] = [];
after(() => opened.forEach((a) => a.close()));
async function gate(options: Partial<AuthenticatorOptions> & { store: KeyStore }): Promise<Authenticator> {
  const a = await createAuthenticator({ required: "auto", onError: () => {}, ...options });
  opened.push(a);
  return a;
}

/** A store that counts its reads. */
function counting(store: KeyStore): KeyStore & { reads: number } {
  const counted = Object.assign(Object.create(store) as KeyStore, { reads: 0 });
  counted.list = async () => {
    counted.reads++;
    return store.list();
  };
  return counted;
}

const bearer = (key: string): IncomingHttpHeaders => ({ authorization: `Bearer ${key}` });
const rejectsWith = (status: number, code: string, message?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof GatewayError, String(err));
  assert.equal(err.status, status);
  assert.equal(err.code, code);
  if (message) assert.match(err.message, message);
  return true;
};

const plan = (over: Partial<Plan> = {}): Plan => ({
  route: null, lane: null, alias: null, resolvedBy: "model", targets: [{ modelId: "gpt-5.4", provider: "openai", upstreamModel: "gpt-5.4" }], ...over,
});

describe("presentedKey", () => {
  test("reads a bearer token, else x-api-key, and only gateway keys", () => {
    assert.equal(presentedKey({ authorization: "Bearer sk-sy-abc" }), "sk-sy-abc");
    assert.equal(presentedKey({ authorization: "  bearer   sk-sy-abc " }), "sk-sy-abc");
    assert.equal(presentedKey({ "x-api-key": "sk-sy-xyz" }), "sk-sy-xyz");
    assert.equal(presentedKey({ authorization: "Bearer sk-placeholder", "x-api-key": "sk-sy-xyz" }), "sk-sy-xyz");
    assert.equal(presentedKey({ authorization: "Bearer sk-proj-123" }), null);
    assert.equal(presentedKey({ authorization: "Basic sk-sy-abc" }), null);
    assert.equal(presentedKey({}), null);
  });
});

describe("Authenticator", () => {
  test("auto with no keys: everyone passes and the store is not read again", async () => {
    const store = counting(createMemoryKeyStore());
    const a = await gate({ store });
    assert.equal(a.required(), false);
    assert.equal(await call(a, {}), null);
    assert.equal(await call(a, bearer("sk-sy-notakey")), null);
    assert.equal(await call(a, bearer("sk-placeholder")), null);
    assert.equal(store.reads, 1);
  });

  test("auto with a key: the key passes by bearer or x-api-key, anything else is 401", async () => {
    const store = createMemoryKeyStore();
    const { record, secret } = await store.create({ name: "app" });
    const a = await gate({ store });
    assert.equal(a.required(), true);
    assert.deepEqual(await call(a, bearer(secret)), record);
    assert.deepEqual(await call(a, { "x-api-key": secret }), record);
    await assert.rejects(call(a, {}), rejectsWith(401, "missing_api_key", /authorization: Bearer sk-sy-…/));
    await assert.rejects(call(a, bearer("sk-proj-secretprovider")), (err: unknown) => {
      rejectsWith(401, "invalid_api_key", /not a gateway key/)(err);
      assert.doesNotMatch((err as Error).message, /proj/);
      return true;
    });
  });

  test("an unknown key is 401 and its message shows no more than 8 characters of it", async () => {
    const store = createMemoryKeyStore();
    await store.create({ name: "app" });
    const a = await gate({ store, missRefreshMs: 20 });
    const wrong = "sk-sy-WrongWrongWrongWrongWrongWrongWrong";
    await assert.rejects(call(a, bearer(wrong)), (err: unknown) => {
      rejectsWith(401, "invalid_api_key", /sk-sy-Wr…/)(err);
      assert.doesNotMatch((err as Error).message, /sk-sy-Wro/);
      return true;
    });
    assert.equal((await call(a, bearer(wrong)).catch((e: unknown) => e)) instanceof GatewayError, true);
  });

  test("required: true refuses a request without a key even when no key exists", async () => {
    const a = await gate({ store: createMemoryKeyStore(), required: true, missRefreshMs: 10 });
    await assert.rejects(call(a, {}), rejectsWith(401, "missing_api_key"));
    await assert.rejects(call(a, bearer("sk-sy-nope")), rejectsWith(401, "invalid_api_key"));
  });

  test("required: false lets requests without a key through, but still reads and checks a gateway key", async () => {
    const store = createMemoryKeyStore();
    const { record, secret } = await store.create({ name: "app" });
    const a = await gate({ store, required: false, missRefreshMs: 10 });
    assert.equal(a.required(), false);
    assert.equal(await call(a, {}), null);
    assert.equal(await call(a, bearer("sk-placeholder")), null);
    assert.deepEqual(await call(a, bearer(secret)), record);
    await assert.rejects(call(a, bearer("sk-sy-unknown")), rejectsWith(401, "invalid_api_key"));
  });

  test("a revoked key is 401, and a revocation is picked up by the periodic re-read", async () => {
    const store = createMemoryKeyStore();
    const { secret } = await store.create({ name: "app" });
    await store.create({ name: "other" });
    const a = await gate({ store, refreshIntervalMs: 25 });
    assert.ok(await call(a, bearer(secret)));
    await store.revoke("app");
    await sleep(120);
    await assert.rejects(call(a, bearer(secret)), rejectsWith(401, "revoked_api_key", /'app'.*revoked at/));
    assert.equal(a.required(), true);
  });

  test("revoking every key keeps keys required under auto", async () => {
    const store = createMemoryKeyStore();
    await store.create({ name: "only" });
    await store.revoke("only");
    const a = await gate({ store });
    await assert.rejects(call(a, {}), rejectsWith(401, "missing_api_key"));
  });

  test("a key created (in SQLite, by another connection) after start is accepted within a second", async () => {
    const path = join(root, "late", "keys.db");
    const gatewayStore = openSqliteKeyStore(path);
    const cli = openSqliteKeyStore(path);
    await cli.create({ name: "first" });
    const a = await gate({ store: gatewayStore, refreshIntervalMs: 0 });
    const { record, secret } = await cli.create({ name: "late" });
    const started = performance.now();
    assert.deepEqual(await call(a, bearer(secret)), record);
    assert.ok(performance.now() - started < 1_100);
    await Promise.all([gatewayStore.close(), cli.close()]);
  });

  test("unknown keys read the store at most once per missRefreshMs", async () => {
    const base = createMemoryKeyStore();
    await base.create({ name: "app" });
    const store = counting(base);
    const a = await gate({ store, refreshIntervalMs: 0, missRefreshMs: 200 });
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => call(a, bearer(`sk-sy-bad${i}`))));
    assert.ok(results.every((r) => r.status === "rejected"));
    assert.equal(store.reads, 2);
    assert.ok(performance.now() - started >= 150);
    await Promise.allSettled([call(a, bearer("sk-sy-again"))]);
    assert.equal(store.reads, 3);
  });

  test("the first key is seen by the periodic re-read when none existed at start", async () => {
    const store = createMemoryKeyStore();
    const a = await gate({ store, refreshIntervalMs: 25 });
    assert.equal(a.required(), false);
    const { record, secret } = await store.create({ name: "first" });
    await sleep(100);
    assert.equal(a.required(), true);
    assert.deepEqual(await call(a, bearer(secret)), record);
  });

  test("a store that fails to read keeps the keys known before", async () => {
    const base = createMemoryKeyStore();
    const { secret } = await base.create({ name: "app" });
    const store = counting(base);
    const errors: unknown[] = [];
    const a = await gate({ store, onError: (e) => errors.push(e), refreshIntervalMs: 0 });
    store.list = async () => {
      throw new Error("disk gone");
    };
    await a.refresh();
    assert.equal(errors.length, 1);
    assert.ok(await call(a, bearer(secret)));
  });

  test("records handed out cannot be changed", async () => {
    const store = createMemoryKeyStore();
    const { secret } = await store.create({ name: "app", routes: ["a"] });
    const a = await gate({ store });
    const record = await call(a, bearer(secret));
    assert.throws(() => record?.routes?.push("b"));
  });
});

describe("allowed", () => {
  const store = createMemoryKeyStore();
  const make = async (routes: string[] | null) => (await store.create({ name: `k${Math.random().toString(36).slice(2)}`, routes })).record;

  test("a key without routes, or no key, may use everything", async () => {
    const a = new Authenticator({ store, required: "auto", refreshIntervalMs: 0 });
    assert.equal(a.allowed(null, "anything", plan()), null);
    assert.equal(a.allowed(await make(null), "anything", plan()), null);
  });

  test("a key may use a name it lists: the model field, or the route, lane or alias it resolved to", async () => {
    const a = new Authenticator({ store, required: "auto", refreshIntervalMs: 0 });
    const key = await make(["general_qna", "cheap", "default"]);
    assert.equal(a.allowed(key, "general_qna", plan({ route: "general_qna", resolvedBy: "route" })), null);
    assert.equal(a.allowed(key, "auto", plan({ lane: "cheap", resolvedBy: "auto" })), null);
    assert.equal(a.allowed(key, "default", plan({ alias: "default", resolvedBy: "alias" })), null);
  });

  test("a key that lists models may use any name whose every model it lists", async () => {
    const a = new Authenticator({ store, required: "auto", refreshIntervalMs: 0 });
    const key = await make(["gpt-5.4"]);
    assert.equal(a.allowed(key, "gpt-5.4", plan()), null);
    assert.equal(a.allowed(key, "default", plan({ alias: "default", resolvedBy: "alias" })), null);
    const twoModels = plan({ lane: "work", targets: [...plan().targets, { modelId: "claude-sonnet-4.6", provider: "anthropic", upstreamModel: "claude-sonnet-4-6" }] });
    const denied = a.allowed(key, "work", twoModels);
    assert.ok(denied);
  });

  test("anything else is a 403 naming what the key may use", async () => {
    const a = new Authenticator({ store, required: "auto", refreshIntervalMs: 0 });
    const key = await make(["general_qna", "extraction"]);
    const denied = a.allowed(key, "auto", plan({ route: "agentic_coding", resolvedBy: "auto" }));
    assert.ok(denied instanceof GatewayError);
    assert.equal(denied.status, 403);
    assert.equal(denied.kind, "forbidden");
    assert.deepEqual(denied.toOpenAI().error, {
      message: `The gateway key '${key.name}' may use only 'general_qna', 'extraction'; 'auto' (resolved to 'agentic_coding') is not one of them.`,
      type: "permission_error",
      code: "model_not_allowed",
      param: "model",
    });
  });
});
