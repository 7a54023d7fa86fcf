import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatRequest, Message, ToolDefinition } from "../../core/request.ts";
import { classifyRequest } from "./classify-request.ts";
import { extractFeatures, SCAN_LIMITS } from "./extract-features.ts";
import { loadLabelledRequests } from "./labelled-requests.ts";
import { TASK_TYPES, type Complexity, type TaskType } from "./types.ts";

const user = (content: string): Message => ({ role: "user", content });
const req = (messages: Message[], more: Partial<ChatRequest> = {}): ChatRequest => ({ model: "auto", messages, stream: false, extra: {}, ...more });
const weatherTool: ToolDefinition = { name: "get_weather", description: "Current weather", parameters: { type: "object", properties: { city: { type: "string" } } } };

const CASES: Array<{ name: string; request: ChatRequest; type: TaskType; complexity?: Complexity }> = [
  { name: "greeting", request: req([user("hey, how are you today?")]), type: "chat", complexity: "low" },
  { name: "creative", request: req([user("Write a haiku about the sea.")]), type: "chat", complexity: "low" },
  { name: "summary ask", request: req([user("Summarize this in one sentence: the meeting moved to Friday and lunch is provided.")]), type: "summarization", complexity: "low" },
  {
    name: "summary of pasted code",
    request: req([user("Summarize what this snippet does, in two sentences:\n\n```js\nconst x = items.filter((i) => i.ok).map((i) => i.id);\n```")]),
    type: "summarization",
  },
  { name: "extraction without schema", request: req([user("Extract all the email addresses from: a@x.com, b@y.org")]), type: "extraction", complexity: "low" },
  {
    name: "extraction by json_schema",
    request: req([user("Jordan Lee, jordan@example.org, 555-0142")], {
      responseFormat: { type: "json_schema", name: "contact", schema: { type: "object", properties: { name: { type: "string" }, email: { type: "string" } } } },
    }),
    type: "extraction",
  },
  { name: "sentiment", request: req([user("Classify the sentiment of this review: 'great value, slow delivery'")]), type: "classification", complexity: "low" },
  {
    name: "enum schema is a label",
    request: req([user("I was charged twice this month")], {
      responseFormat: { type: "json_schema", name: "route", schema: { type: "object", properties: { department: { type: "string", enum: ["billing", "tech"] } } } },
    }),
    type: "classification",
  },
  { name: "code ask", request: req([user("Write a python function that reverses a linked list.")]), type: "code" },
  {
    name: "stack trace",
    request: req([user("Why?\n\nTypeError: x is undefined\n    at run (src/a.js:3:9)\n    at main (src/b.js:10:2)")]),
    type: "code",
  },
  { name: "proof", request: req([user("Prove that there are infinitely many primes.")]), type: "reasoning", complexity: "high" },
  { name: "word problem", request: req([user("If a shirt costs $25 after a 20% discount, what was the original price?")]), type: "reasoning" },
  { name: "tools offered", request: req([user("What's the weather in Oslo?")], { tools: [weatherTool] }), type: "tool_use", complexity: "low" },
  {
    name: "agent loop",
    request: req(
      [
        user("Weather in Oslo?"),
        { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "get_weather", arguments: '{"city":"Oslo"}' }] },
        { role: "tool", toolCallId: "c1", content: '{"temp_c": 4}' },
      ],
      { tools: [weatherTool] },
    ),
    type: "tool_use",
  },
  { name: "tool_choice none", request: req([user("Write a bash one-liner to count files.")], { tools: [weatherTool], toolChoice: "none" }), type: "code" },
  {
    name: "many constraints",
    request: req([
      user(
        "Implement a rate limiter in TypeScript for a distributed API. It must handle bursts, must not exceed 100 req/s per key, must be thread-safe, do not use a single lock, and explain the race conditions and edge cases step by step.",
      ),
    ]),
    type: "code",
    complexity: "high",
  },
];

for (const c of CASES) {
  test(`classifies: ${c.name}`, () => {
    const result = classifyRequest(c.request);
    assert.equal(result.taskType, c.type, result.reasons.join("\n"));
    if (c.complexity) assert.equal(result.complexity, c.complexity, result.reasons.join("\n"));
  });
}

test("every task type and complexity appears in the table", () => {
  assert.deepEqual(new Set(CASES.map((c) => c.type)), new Set(TASK_TYPES));
  assert.deepEqual(new Set(CASES.flatMap((c) => (c.complexity ? [c.complexity] : []))), new Set(["low", "high"]));
  const medium = classifyRequest(req([user("Explain the trade-offs between REST and GraphQL for a mobile app backend, and which one you would pick.")]));
  assert.equal(medium.complexity, "medium", medium.reasons.join("\n"));
});

test("the explanation names the type, the score, the runner-up and the features behind them", () => {
  const result = classifyRequest(req([user("Prove that the square root of 2 is irrational.")]));
  assert.equal(result.taskType, "reasoning");
  assert.match(result.reasons[0] ?? "", /^task_type reasoning \(score [\d.]+; runner-up \w+ [-\d.]+\): .*reasoningHits=/);
  assert.match(result.reasons[1] ?? "", /^complexity high \(score [\d.]+; medium ≥ [\d.]+, high ≥ [\d.]+\): reasoning prior/);
  assert.equal(result.scores.reasoning, Math.max(...Object.values(result.scores)));
  assert.deepEqual(Object.keys(result.scores).sort(), [...TASK_TYPES].sort());
  assert.ok(result.features.reasoningHits > 0);
});

test("deterministic: the same request gives a deep-equal result, and input is not mutated", () => {
  const request = req([{ role: "system", content: "Be brief." }, user("Classify this ticket: 'app crashes on login'")]);
  const before = JSON.stringify(request);
  assert.deepEqual(classifyRequest(request), classifyRequest(request));
  assert.equal(JSON.stringify(request), before);
});

test("bounded scan: a 1 MB message is read only up to the scan limits", () => {
  const filler = "lorem ipsum dolor sit amet, the quick brown fox jumps over the lazy dog. ".repeat(14_000);
  const big = `Summarize this document.\n\n${filler}\n\nKeep it short.`;
  assert.ok(big.length > 1_000_000);
  const result = classifyRequest(req([{ role: "system", content: "x".repeat(50_000) }, user(big)]));
  const bound = SCAN_LIMITS.lastUserHead + SCAN_LIMITS.lastUserTail + SCAN_LIMITS.systemHead;
  assert.ok(result.features.scannedChars <= bound, `read ${result.features.scannedChars} > ${bound}`);
  assert.equal(result.features.lastUserChars, big.length);
  assert.equal(result.taskType, "summarization");
  assert.match(result.reasons.at(-1) ?? "", /bounded scan/);
});

test("bounded scan: text beyond the window changes nothing but the lengths", () => {
  const head = "Summarize this report for the board. ".padEnd(SCAN_LIMITS.lastUserHead, ".");
  const tail = "".padEnd(SCAN_LIMITS.lastUserTail, ".");
  const small = extractFeatures(req([user(`${head}${"prove the theorem; def f(): return 1\n".repeat(10)}${tail}`)]));
  const large = extractFeatures(req([user(`${head}${"prove the theorem; def f(): return 1\n".repeat(50_000)}${tail}`)]));
  const { lastUserChars: _a, totalChars: _b, ...smallRest } = small;
  const { lastUserChars: _c, totalChars: _d, ...largeRest } = large;
  assert.deepEqual(largeRest, smallRest);
});

test("history is read for a bounded number of turns", () => {
  const turns: Message[] = [];
  for (let i = 0; i < 500; i++) turns.push(user(`turn ${i} `.repeat(200)), { role: "assistant", content: "ok ".repeat(300) });
  turns.push(user("and now?"));
  const f = extractFeatures(req(turns));
  const bound = SCAN_LIMITS.historyMessages * (SCAN_LIMITS.historyHead + SCAN_LIMITS.historyTail) + 20;
  assert.ok(f.scannedChars <= bound, `read ${f.scannedChars} > ${bound}`);
  assert.equal(f.messageCount, 1001);
});

test("the labelled set loads, is large enough and covers every type and complexity", () => {
  const examples = loadLabelledRequests();
  assert.ok(examples.length >= 150);
  for (const t of TASK_TYPES) assert.ok(examples.filter((e) => e.taskType === t).length >= 15, t);
  for (const c of ["low", "medium", "high"] as const) assert.ok(examples.some((e) => e.complexity === c), c);
});
