/**
 * `npm run eval:classifier`: scores the built-in classifier on the labelled set (train and
 * held-out thirds reported apart) and times it on a synthetic ~4k-token prompt.
 */
import { performance } from "node:perf_hooks";
import type { ChatRequest } from "../../core/request.ts";
import { classifyRequest } from "./classify-request.ts";
import { isHeldOut, loadLabelledRequests, type LabelledRequest } from "./labelled-requests.ts";
import { COMPLEXITIES, TASK_TYPES, type Classification, type TaskType } from "./types.ts";

interface Scored {
  example: LabelledRequest;
  result: Classification;
}

const examples = loadLabelledRequests();
const scored: Scored[] = examples.map((example) => ({ example, result: classifyRequest(example.request) }));
const train = scored.filter((s) => !isHeldOut(s.example));
const heldOut = scored.filter((s) => isHeldOut(s.example));

console.log(`labelled requests: ${scored.length} (train ${train.length}, held-out ${heldOut.length}; held-out = every third line)\n`);
console.log("split     task-type  complexity-exact  complexity-within-one");
for (const [name, set] of [["train", train], ["held-out", heldOut], ["all", scored]] as const) {
  console.log(`${name.padEnd(9)} ${pct(accuracy(set, (s) => s.result.taskType === s.example.taskType)).padStart(9)}  ${pct(accuracy(set, (s) => s.result.complexity === s.example.complexity)).padStart(16)}  ${pct(accuracy(set, withinOne)).padStart(21)}`);
}

console.log("\nconfusion matrix, all (rows: label, columns: predicted)");
const short: Record<TaskType, string> = { chat: "chat", summarization: "summ", extraction: "extr", classification: "clas", code: "code", reasoning: "reas", tool_use: "tool" };
console.log(`${"".padEnd(15)}${TASK_TYPES.map((t) => short[t].padStart(6)).join("")}`);
for (const label of TASK_TYPES) {
  const row = TASK_TYPES.map((p) => String(scored.filter((s) => s.example.taskType === label && s.result.taskType === p).length).padStart(6));
  console.log(`${label.padEnd(15)}${row.join("")}`);
}

console.log("\nper type (all)  precision  recall   held-out recall");
for (const t of TASK_TYPES) {
  const predicted = scored.filter((s) => s.result.taskType === t);
  const actual = scored.filter((s) => s.example.taskType === t);
  const heldActual = heldOut.filter((s) => s.example.taskType === t);
  const tp = predicted.filter((s) => s.example.taskType === t).length;
  const heldTp = heldActual.filter((s) => s.result.taskType === t).length;
  console.log(`${t.padEnd(15)} ${pct(tp / Math.max(1, predicted.length)).padStart(9)}  ${pct(tp / Math.max(1, actual.length)).padStart(6)}   ${pct(heldTp / Math.max(1, heldActual.length)).padStart(15)}`);
}

console.log("\ncomplexity confusion, all (rows: label, columns: predicted)");
console.log(`${"".padEnd(8)}${COMPLEXITIES.map((c) => c.padStart(8)).join("")}`);
for (const label of COMPLEXITIES) {
  console.log(`${label.padEnd(8)}${COMPLEXITIES.map((p) => String(scored.filter((s) => s.example.complexity === label && s.result.complexity === p).length).padStart(8)).join("")}`);
}

console.log("\nmisclassified (task type or complexity); [H] = held-out");
for (const s of scored) {
  const typeWrong = s.result.taskType !== s.example.taskType;
  const complexityWrong = s.result.complexity !== s.example.complexity;
  if (!typeWrong && !complexityWrong) continue;
  const what = [typeWrong ? `type ${s.example.taskType}→${s.result.taskType}` : "", complexityWrong ? `complexity ${s.example.complexity}→${s.result.complexity}` : ""].filter(Boolean).join(", ");
  console.log(`${isHeldOut(s.example) ? "[H]" : "   "} line ${String(s.example.line).padStart(3)} ${what}: ${JSON.stringify(preview(s.example.request))}`);
  console.log(`      ${s.result.reasons[typeWrong ? 0 : 1]}`);
}

const synthetic = syntheticPrompt(16_000);
const times: number[] = [];
for (let i = 0; i < 500; i++) classifyRequest(synthetic);
for (let i = 0; i < 5000; i++) {
  const start = performance.now();
  classifyRequest(synthetic);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
const q = (p: number): string => `${((times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0) * 1000).toFixed(1)} µs`;
const probe = classifyRequest(synthetic);
console.log(`\ntiming on a synthetic ~4k-token prompt (${probe.features.lastUserChars} chars, ${probe.features.scannedChars} read), 5000 runs after 500 warm-up: p50 ${q(0.5)}, p99 ${q(0.99)}, max ${q(1)}`);

function accuracy(set: readonly Scored[], ok: (s: Scored) => boolean): number {
  return set.filter(ok).length / Math.max(1, set.length);
}

function withinOne(s: Scored): boolean {
  return Math.abs(COMPLEXITIES.indexOf(s.result.complexity) - COMPLEXITIES.indexOf(s.example.complexity)) <= 1;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function preview(request: ChatRequest): string {
  const last = [...request.messages].reverse().find((m) => m.role === "user");
  const text = typeof last?.content === "string" ? last.content : "";
  return text.length > 90 ? `${text.slice(0, 90)}…` : text;
}

/** Prose, a code block and a stack trace, repeated to the given length: worst-case shape for the scan. */
function syntheticPrompt(chars: number): ChatRequest {
  const block = [
    "The quarterly report shows revenue grew 12% while costs rose 4%, and the team must decide whether to expand the pilot.",
    "```ts\nexport function total(items: Item[]): number {\n  return items.reduce((sum, i) => sum + i.price * i.qty, 0);\n}\n```",
    "Error: timeout after 30000ms\n    at callUpstream (src/dispatch/run.ts:88:11)\n    at async main (src/main.ts:12:3)",
    "1. First, list the assumptions.\n2. Then compare the options step by step.\n3. Do not exceed 300 words.",
  ].join("\n\n");
  let text = "";
  while (text.length < chars) text += `${block}\n\n`;
  return {
    model: "auto",
    stream: false,
    extra: {},
    messages: [
      { role: "system", content: "You are a careful analyst. Answer precisely." },
      { role: "user", content: `Summarize the following material and point out risks.\n\n${text.slice(0, chars)}` },
    ],
  };
}
