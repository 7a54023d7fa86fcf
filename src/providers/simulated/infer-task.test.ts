import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatRequest, Message } from "../../core/request.ts";
import { inferTask } from "./infer-task.ts";

function ask(content: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "sim-mini", messages: [{ role: "user", content }], stream: false, extra: {}, ...extra };
}

test("task kinds are read from the request", () => {
  const cases: Array<[ChatRequest, string]> = [
    [ask("What's the weather?", { tools: [{ name: "get_weather" }] }), "tool_use"],
    [ask("Hello", { responseFormat: { type: "json_object" } }), "extraction"],
    [ask("Extract every date from this letter"), "extraction"],
    [ask("Please summarize the meeting notes"), "summarization"],
    [ask("Classify this ticket as billing or technical"), "classification"],
    [ask("There is a bug in this function, can you fix it?"), "code"],
    [ask("```js\nconsole.log(1)\n```"), "code"],
    [ask("Prove that there are infinitely many primes"), "reasoning"],
    [ask("What is 17 * 23?"), "reasoning"],
    [ask("Tell me a joke about cats"), "chat"],
  ];
  for (const [request, kind] of cases) assert.equal(inferTask(request).kind, kind, JSON.stringify(request.messages));
});

test("tools offered with tool_choice none do not make it a tool task", () => {
  assert.equal(inferTask(ask("Say hi", { tools: [{ name: "x" }], toolChoice: "none" })).kind, "chat");
});

test("difficulty grows with length, constraints, steps and conversation depth", () => {
  assert.equal(inferTask(ask("Tell me a joke about cats")).difficulty, "low");
  const constrained = "Write a plan. It must be exactly five lines, must not use jargon, only plain words, and never exceed 80 characters.";
  assert.equal(inferTask(ask(constrained)).difficulty, "medium");
  const hard = `${constrained}\nFirst, list the invariants.\nThen handle the edge cases.\nFinally, prove it terminates. ${"Context. ".repeat(300)}`;
  assert.equal(inferTask(ask(hard)).difficulty, "high");
  const turns: Message[] = [];
  for (let i = 0; i < 16; i++) turns.push(i % 2 === 0 ? { role: "user", content: "and?" } : { role: "assistant", content: "ok" });
  assert.notEqual(inferTask({ ...ask(""), messages: turns }).difficulty, "low");
});
