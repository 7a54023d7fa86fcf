import assert from "node:assert/strict";
import { test } from "node:test";
import { newRequestId } from "./request-id.ts";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("request ids are UUIDv7: the version, the variant and the time are where RFC 9562 puts them", () => {
  const at = Date.UTC(2026, 10, 24, 9, 0, 0, 123);
  const id = newRequestId(at);
  assert.match(id, UUID_V7);
  assert.equal(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16), at);
});

test("ids sort by time, also within one millisecond, and do not repeat", () => {
  const ids: string[] = [];
  const start = Date.UTC(2026, 10, 24, 9);
  for (let i = 0; i < 5000; i += 1) ids.push(newRequestId(start + Math.floor(i / 100)));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, UUID_V7);
});

test("past 4096 ids in one millisecond the ids borrow the next one and still sort", () => {
  const at = Date.UTC(2026, 10, 24, 10);
  const ids = Array.from({ length: 4200 }, () => newRequestId(at));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  const msOf = (id: string): number => Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16);
  assert.equal(msOf(ids[0] ?? ""), at);
  assert.equal(msOf(ids.at(-1) ?? ""), at + 1);
  // A clock that steps back does not take the ids back with it.
  const later = newRequestId(at - 5000);
  assert.ok(later > (ids.at(-1) ?? ""), `${later} sorts after ${ids.at(-1)}`);
});
