import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "./random.ts";

test("seededRandom: the same seed replays the same sequence", () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const first = Array.from({ length: 5 }, a);
  assert.deepEqual(Array.from({ length: 5 }, b), first);
  assert.notDeepEqual(Array.from({ length: 5 }, seededRandom(43)), first);
});

test("seededRandom: values lie in [0, 1) and spread evenly", () => {
  const random = seededRandom(7);
  const n = 10_000;
  const deciles = Array.from({ length: 10 }, () => 0);
  for (let i = 0; i < n; i++) {
    const x = random();
    assert.ok(x >= 0 && x < 1, `${x} out of range`);
    deciles[Math.floor(x * 10)]! += 1;
  }
  for (const count of deciles) assert.ok(Math.abs(count - n / 10) < n / 50, `decile count ${count}`);
});
