import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Feedback } from "../ledger/feedback.ts";
import { makeReceipt } from "../ledger/make-receipt.ts";
import { createMemoryKeyStore } from "../state/memory-key-store.ts";
import { createAuthenticator, type Authenticator } from "./authenticate.ts";
import { createFeedbackHandler, parseFeedback } from "./handle-feedback.ts";

describe("POST /v1/feedback", () => {
  const written: Feedback[] = [];
  let server: Server;
  let url: string;
  let auth: Authenticator;
  let secret: string;
  let keyId: string;
  const receipts = new Map([
    ["req-with-task", makeReceipt({ requestId: "req-with-task", taskId: "task-9" })],
    ["req-alone", makeReceipt({ requestId: "req-alone", taskId: null })],
  ]);

  before(async () => {
    const keys = createMemoryKeyStore();
    const created = await keys.create({ name: "team" });
    secret = created.secret;
    keyId = created.record.id;
    auth = await createAuthenticator({ store: keys, required: "auto", refreshIntervalMs: 0 });
    const handler = createFeedbackHandler({
      sink: { writeFeedback: (f) => written.push(f) },
      receipt: async (id) => receipts.get(id) ?? null,
      maxBodyBytes: 10_000,
      auth,
      wallClockMs: () => Date.UTC(2026, 10, 24, 12, 0, 0, 250),
    });
    server = createServer((req, res) => void handler(req, res, {}));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    auth.close();
    server.close();
  });

  const post = async (body: unknown, withKey = true): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(url, { method: "POST", headers: withKey ? { authorization: `Bearer ${secret}` } : {}, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  test("a request's feedback applies to its task; the reporting key and every field are kept", async () => {
    written.length = 0;
    const res = await post({ request_id: "req-with-task", outcome: "abandoned", human_takeover: true, human_edit_minutes: 7.5, note: "gave up" });
    assert.equal(res.status, 200);
    const [f] = written;
    assert.ok(f);
    assert.deepEqual(res.json, { object: "feedback", id: f.id, task_id: "task-9", request_id: "req-with-task", outcome: "abandoned", recorded_at: "2026-11-24T12:00:00.250Z" });
    assert.deepEqual({ ...f, id: "x" }, {
      id: "x", recordedAt: Date.UTC(2026, 10, 24, 12, 0, 0, 250), taskId: "task-9", requestId: "req-with-task", outcome: "abandoned",
      humanTakeover: true, humanEditMinutes: 7.5, note: "gave up", keyId,
    });
  });

  test("a request sent without a task id is its own task; null optional fields are absent ones", async () => {
    written.length = 0;
    const res = await post({ request_id: "req-alone", outcome: "completed", note: null, human_takeover: null });
    assert.equal(res.status, 200);
    assert.deepEqual([written[0]?.taskId, written[0]?.requestId, written[0]?.note, written[0]?.humanTakeover], [null, "req-alone", null, null]);
  });

  test("nothing is written for a refused report", async () => {
    written.length = 0;
    assert.equal((await post({ task_id: "t", outcome: "completed" }, false)).status, 401);
    assert.equal((await post({ request_id: "unknown", outcome: "completed" })).status, 404);
    assert.equal((await post({ task_id: "t", outcome: "meh" })).status, 400);
    assert.deepEqual(written, []);
  });
});

describe("parseFeedback", () => {
  const parse = (body: unknown) => parseFeedback(Buffer.from(JSON.stringify(body)));

  test("takes exactly one of task_id and request_id", () => {
    assert.deepEqual(parse({ task_id: "t", outcome: "failed" }), { task_id: "t", outcome: "failed" });
    assert.throws(() => parse({ task_id: null, request_id: null, outcome: "failed" }), { param: "task_id" });
    assert.throws(() => parse({ task_id: "t", request_id: "r", outcome: "failed" }), { param: "request_id" });
  });

  test("a body that is not an object says what to send", () => {
    assert.throws(() => parseFeedback(Buffer.from("[1]")), /must be a JSON object/);
    assert.throws(() => parseFeedback(Buffer.from("")), /must be a JSON object/);
  });

  test("numbers, lengths and types", () => {
    assert.deepEqual(parse({ task_id: "t", outcome: "completed", human_edit_minutes: 0 }).human_edit_minutes, 0);
    assert.throws(() => parse({ task_id: "t", outcome: "completed", human_edit_minutes: "5" }), { param: "human_edit_minutes" });
    assert.throws(() => parse({ task_id: "x".repeat(1025), outcome: "completed" }), { param: "task_id" });
    assert.equal(parse({ task_id: "t", outcome: "completed", note: "x".repeat(2000) }).note?.length, 2000);
  });
});
