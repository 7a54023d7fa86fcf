import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GatewayError } from "../../core/errors.ts";
import { startUpstreamCall } from "./upstream-call.ts";

const timeout = (): GatewayError => new GatewayError("timeout", "too slow");
const start = () => startUpstreamCall({ provider: "p", origin: "http://127.0.0.1:1", clientSignal: new AbortController().signal });

test("re-arming moves the deadline: a call re-armed in time is not aborted, and is once it stops", async () => {
  const call = start();
  const began = performance.now();
  for (let i = 0; i < 6; i++) {
    call.arm(60, timeout);
    await sleep(25);
  }
  assert.equal(call.aborted, false, "aborted although re-armed every 25 ms with a 60 ms limit");
  const lastArm = performance.now();
  call.arm(60, timeout);
  await new Promise((resolve) => call.onAbort(resolve));
  const waited = performance.now() - lastArm;
  assert.ok(waited >= 55 && waited < 200, `aborted ${waited.toFixed(1)} ms after the last arm (limit 60)`);
  assert.ok(performance.now() - began >= 200);
  assert.equal(call.errorFrom(new Error("aborted")).kind, "timeout");
  call.dispose();
});

test("a shorter limit after a longer one fires at the shorter; disarm and dispose stop it", async () => {
  const call = start();
  call.arm(5_000, timeout);
  const armed = performance.now();
  call.arm(30, timeout);
  await new Promise((resolve) => call.onAbort(resolve));
  assert.ok(performance.now() - armed < 1_000, "the 30 ms limit waited for the 5 s timer");

  const quiet = start();
  quiet.arm(20, timeout);
  quiet.disarm();
  const disposed = start();
  disposed.arm(20, timeout);
  disposed.dispose();
  await sleep(60);
  assert.equal(quiet.aborted, false);
  assert.equal(disposed.aborted, false);
  quiet.arm(20, timeout);
  await sleep(60);
  assert.equal(quiet.aborted, true, "re-armed after a disarm, the limit applies again");
  quiet.dispose();
  call.dispose();
});

test("the client going away aborts the call once, with client_closed, and tells every listener", async () => {
  const client = new AbortController();
  const call = startUpstreamCall({ provider: "p", origin: "http://127.0.0.1:1", clientSignal: client.signal });
  const heard: [string, unknown][] = [];
  const first = (reason: unknown): void => void heard.push(["first", reason]);
  const gone = (reason: unknown): void => void heard.push(["gone", reason]);
  call.onAbort(first);
  call.onAbort(gone);
  call.offAbort(gone);
  call.onAbort((reason) => heard.push(["second", reason]));
  client.abort();
  client.abort();
  assert.equal(call.aborted, true);
  assert.deepEqual(heard.map(([name]) => name), ["first", "second"]);
  assert.ok(heard[0]?.[1] instanceof GatewayError);
  assert.equal(heard[0][1].kind, "client_closed");
  assert.equal(heard[1]?.[1], heard[0][1]);
  assert.equal(call.errorFrom(new Error("socket hang up")), call.reason);
  call.dispose();

  const already = new AbortController();
  already.abort();
  const late = startUpstreamCall({ provider: "p", origin: "http://127.0.0.1:1", clientSignal: already.signal });
  assert.equal(late.aborted, true);
  assert.equal(late.errorFrom(new Error("x")).kind, "client_closed");
  late.dispose();
});

test("after dispose the client's signal no longer reaches the call", () => {
  const client = new AbortController();
  const call = startUpstreamCall({ provider: "p", origin: "http://127.0.0.1:1", clientSignal: client.signal });
  call.dispose();
  client.abort();
  assert.equal(call.aborted, false);
  assert.equal(call.errorFrom(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })).kind, "network");
});

test("a long limit is watched by the shared timer: it fires, a little late at most, and disarm or dispose stop it", async () => {
  const call = start();
  const armed = performance.now();
  call.arm(5_000, timeout);
  const quiet = start();
  quiet.arm(5_000, timeout);
  quiet.disarm();
  const disposed = start();
  disposed.arm(5_000, timeout);
  disposed.dispose();
  await new Promise((resolve) => call.onAbort(resolve));
  const waited = performance.now() - armed;
  assert.ok(waited >= 4_990 && waited < 5_400, `a 5 s limit fired after ${waited.toFixed(0)} ms`);
  assert.equal(call.errorFrom(new Error("aborted")).kind, "timeout");
  assert.equal(quiet.aborted, false);
  assert.equal(disposed.aborted, false);
  call.dispose();
  quiet.dispose();
});

test("a call moves between its own timer and the shared one as its limit changes", async () => {
  const call = start();
  call.arm(30, timeout);
  call.arm(10_000, timeout);
  await sleep(80);
  assert.equal(call.aborted, false, "the 30 ms timer fired although the limit had moved to 10 s");
  call.arm(30, timeout);
  await new Promise((resolve) => call.onAbort(resolve));
  assert.equal(call.aborted, true);
  call.dispose();
});
