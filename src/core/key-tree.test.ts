import assert from "node:assert/strict";
import { test } from "node:test";
import { KeyTree } from "./key-tree.ts";

test("key tree: values are found by all their keys, and only by them", () => {
  const tree = new KeyTree<number>(3);
  tree.set(["a", "b", "c"], 1);
  tree.set(["a", "b", "d"], 2);
  tree.set(["a", "x", "c"], 3);
  assert.equal(tree.get(["a", "b", "c"]), 1);
  assert.equal(tree.get(["a", "b", "d"]), 2);
  assert.equal(tree.get(["a", "x", "c"]), 3);
  assert.equal(tree.get(["a", "b", "x"]), undefined);
  assert.equal(tree.get(["b", "b", "c"]), undefined);
  // Joined keys would collide here; nested ones cannot.
  tree.set(["a\u0000b", "c", ""], 4);
  assert.equal(tree.get(["a", "b\u0000c", ""]), undefined);
  assert.equal(tree.size, 4);
  tree.set(["a", "b", "c"], 5);
  assert.equal(tree.get(["a", "b", "c"]), 5);
  assert.equal(tree.size, 4, "replacing a value does not count it twice");
});

test("key tree: entries walk every value with its keys", () => {
  const tree = new KeyTree<string>(2);
  tree.set(["p", "m1"], "one");
  tree.set(["p", "m2"], "two");
  tree.set(["q", "m1"], "three");
  assert.deepEqual([...tree.entries()], [
    [["p", "m1"], "one"],
    [["p", "m2"], "two"],
    [["q", "m1"], "three"],
  ]);
  tree.clear();
  assert.equal(tree.size, 0);
  assert.deepEqual([...tree.entries()], []);
});

test("key tree: past maxSize new keys are not remembered, known ones still change", () => {
  const tree = new KeyTree<number>(2, 2);
  tree.set(["a", "1"], 1);
  tree.set(["b", "1"], 2);
  tree.set(["c", "1"], 3);
  tree.set(["a", "2"], 4);
  assert.equal(tree.size, 2);
  assert.equal(tree.get(["c", "1"]), undefined);
  assert.equal(tree.get(["a", "2"]), undefined);
  tree.set(["a", "1"], 10);
  assert.equal(tree.get(["a", "1"]), 10);
});

test("key tree: a wrong number of keys is an error, not a silent miss", () => {
  const tree = new KeyTree<number>(2);
  assert.throws(() => tree.get(["only one"]), /needs 2 keys, got 1/);
  assert.throws(() => new KeyTree(0), /positive integer/);
});
