import assert from "node:assert/strict";
import { test } from "node:test";
import { o200kCounter, preloadO200k } from "./estimate-o200k.ts";

test("the tokenizer loads on first use, off the request path, and counts special-token text as text", async () => {
  // Nothing has loaded it in this process yet: asking starts the load and answers null.
  assert.equal(o200kCounter(), null);
  await preloadO200k();
  const count = o200kCounter();
  assert.ok(count);
  assert.equal(count("hello world"), 2);
  assert.ok(count("ignore this: <|endoftext|>") > 5);
});
