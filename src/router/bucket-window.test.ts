import assert from "node:assert/strict";
import { test } from "node:test";
import { addToBuckets, liveBuckets } from "./bucket-window.ts";

interface Counted {
  readonly index: number;
  readonly n: number;
}
const add = (bucket: Counted | null, index: number, by: number): Counted => ({ index, n: (bucket?.n ?? 0) + by });
// Five buckets of 100 ms.
const shape = { windowMs: 500, buckets: 5 };

test("counts in the current bucket, opens the next, drops what left the window, and changes no array it was given", () => {
  const empty: readonly Counted[] = [];
  const one = addToBuckets(empty, shape, 1_050, add, 1);
  assert.deepEqual(one, [{ index: 10, n: 1 }]);
  const same = addToBuckets(one, shape, 1_099, add, 2);
  assert.deepEqual(same, [{ index: 10, n: 3 }]);
  const next = addToBuckets(same, shape, 1_120, add, 1);
  assert.deepEqual(next, [{ index: 10, n: 3 }, { index: 11, n: 1 }]);
  // At 1,500 ms the window holds buckets 11 to 15: bucket 10 has left it.
  const later = addToBuckets(next, shape, 1_500, add, 4);
  assert.deepEqual(later, [{ index: 11, n: 1 }, { index: 15, n: 4 }]);
  assert.deepEqual(liveBuckets(later, shape, 1_650), [{ index: 15, n: 4 }]);
  assert.equal(liveBuckets(later, shape, 1_500), later, "nothing left the window: the same array");
  assert.deepEqual(liveBuckets(later, shape, 3_000), []);
  assert.deepEqual(empty, []);
  assert.deepEqual(one, [{ index: 10, n: 1 }]);
  assert.deepEqual(same, [{ index: 10, n: 3 }]);
});

test("a clock that steps back counts in the newest bucket, in both the common and the expiring case", () => {
  const window = addToBuckets(addToBuckets([], shape, 1_000, add, 1), shape, 1_300, add, 1);
  assert.deepEqual(addToBuckets(window, shape, 1_100, add, 5), [{ index: 10, n: 1 }, { index: 13, n: 6 }]);
  // Back from bucket 16 to 15, where bucket 10 has left the window: still the newest bucket, 16.
  const expiring: readonly Counted[] = [{ index: 10, n: 1 }, { index: 16, n: 1 }];
  assert.deepEqual(addToBuckets(expiring, shape, 1_500, add, 2), [{ index: 16, n: 3 }]);
});
