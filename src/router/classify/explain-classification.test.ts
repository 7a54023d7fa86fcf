import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatRequest, Message } from "../../core/request.ts";
import { classifyRequest } from "./classify-request.ts";
import { explainClassification } from "./explain-classification.ts";
import { TASK_TYPES, type Classification } from "./types.ts";

const user = (content: string): Message => ({ role: "user", content });
const req = (messages: Message[]): ChatRequest => ({ model: "auto", messages, stream: false, extra: {} });

test("the explanation carries the outcome, every score and the complexity score of the classification", () => {
  const c = classifyRequest(req([user("Prove that the square root of 2 is irrational.")]));
  const e = explainClassification(c);
  assert.equal(e.taskType, "reasoning");
  assert.equal(e.taskType, c.taskType);
  assert.equal(e.complexity, c.complexity);
  assert.deepEqual(Object.keys(e.scores), [...TASK_TYPES]);
  for (const t of TASK_TYPES) assert.equal(e.scores[t], c.scores[t]);
  assert.equal(e.complexityScore, c.complexityScore);
  assert.deepEqual(e.reasons, c.reasons);
  assert.match(e.reasons[0] ?? "", /^task_type reasoning /);
});

test("topFeatures: exactly the non-zero and true features, in the order Features declares them", () => {
  const c = classifyRequest(req([{ role: "system", content: "Be brief." }, user("Fix this bug:\n```js\nconst x = 1;\n```\nWhy?")]));
  const e = explainClassification(c);
  const expected = Object.entries(c.features).filter(([, v]) => v !== 0 && v !== false);
  assert.deepEqual(
    e.topFeatures.map((f) => [f.name, f.value]),
    expected,
  );
  assert.ok(e.topFeatures.some((f) => f.name === "codeFences"));
  assert.ok(e.topFeatures.every((f) => f.value !== 0 && f.value !== false));
  assert.ok(e.topFeatures.length < Object.keys(c.features).length);
});

test("numbers are rounded to 3 decimals, booleans kept, zeros and false left out", () => {
  const base = classifyRequest(req([user("hi")]));
  const features = { ...base.features };
  for (const key of Object.keys(features) as (keyof typeof features)[]) (features as Record<string, number | boolean>)[key] = typeof features[key] === "boolean" ? false : 0;
  const c: Classification = {
    ...base,
    scores: { chat: 1.23456, summarization: -0.0004, extraction: 0, classification: 2, code: 0.1 + 0.2, reasoning: 0, tool_use: -2 },
    complexityScore: 0.66666,
    features: { ...features, codeHits: 0.12345, hasTools: true, multipleChoice: false, lastUserChars: 4000 },
  };
  const e = explainClassification(c);
  assert.deepEqual(e.scores, { chat: 1.235, summarization: 0, extraction: 0, classification: 2, code: 0.3, reasoning: 0, tool_use: -2 });
  assert.equal(e.complexityScore, 0.667);
  assert.deepEqual(e.topFeatures, [
    { name: "hasTools", value: true },
    { name: "lastUserChars", value: 4000 },
    { name: "codeHits", value: 0.123 },
  ]);
});

test("pure and plain: the input is not changed, and the result survives a JSON round trip", () => {
  const c = classifyRequest(req([user("Summarize this: the meeting moved to Friday.")]));
  const before = JSON.stringify(c);
  const e = explainClassification(c);
  assert.equal(JSON.stringify(c), before);
  assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
  assert.deepEqual(explainClassification(c), e);
  e.reasons.push("changed");
  assert.notEqual(c.reasons.at(-1), "changed");
});
