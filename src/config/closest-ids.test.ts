import { test } from "node:test";
import assert from "node:assert/strict";
import { closestIds, editDistance } from "./closest-ids.ts";

const MODELS = ["gpt-5.5", "gpt-5.4", "gpt-5.4-mini", "gpt-4.1-mini", "claude-opus-4.7", "deepseek-v4-pro", "sim-pro"];

test("edit distance counts an adjacent swap as one edit", () => {
  assert.equal(editDistance("gtp", "gpt"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("same", "same"), 0);
});

test("a typo ranks the intended id first", () => {
  assert.deepEqual(closestIds("gpt-5.4-mni", MODELS)[0], "gpt-5.4-mini");
  assert.deepEqual(closestIds("gtp-5.5", MODELS)[0], "gpt-5.5");
  assert.deepEqual(closestIds("GPT-5.4", MODELS)[0], "gpt-5.4");
});

test("ranking: fewer edits first, then a longer common prefix, then alphabetical", () => {
  // gpt-5.3 is one edit from both gpt-5.4 and gpt-5.5: same distance and prefix, so alphabetical.
  assert.deepEqual(closestIds("gpt-5.3", MODELS), ["gpt-5.4", "gpt-5.5", "gpt-5.4-mini"]);
});

test("prefix, containment and family matches qualify beyond the edit budget", () => {
  assert.deepEqual(closestIds("gpt-5.4-mini-2026-01-15", MODELS, { limit: 1 }), ["gpt-5.4-mini"]);
  assert.ok(closestIds("claude-sonnet-4.6", MODELS).includes("claude-opus-4.7"));
  assert.deepEqual(closestIds("deepseek", MODELS), ["deepseek-v4-pro"]);
  assert.deepEqual(closestIds("gpt-6", MODELS, { limit: 2 }), ["gpt-5.4", "gpt-5.5"]);
});

test("unrelated ids are not suggested, and the target itself is never suggested", () => {
  assert.deepEqual(closestIds("llama-3-70b", MODELS), []);
  assert.deepEqual(closestIds("sim-pro", ["sim-pro"]), []);
  assert.deepEqual(closestIds("", MODELS), []);
});

test("limit caps the answer", () => {
  assert.equal(closestIds("gpt-5", MODELS, { limit: 2 }).length, 2);
});
