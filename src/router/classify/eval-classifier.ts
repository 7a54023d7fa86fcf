/**
 * `npm run eval:classifier`: scores the built-in classifier on the labelled set (train and
 * held-out thirds reported apart) and times it (p50/p99) on a realistic ~4k-token prompt and on
 * the largest labelled request.
 */
import { availableParallelism, loadavg } from "node:os";
import type { ChatRequest } from "../../core/request.ts";
import { fourKTokenRequest, timeClassification } from "./classifier-timing.ts";
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

// Timing: a realistic 4k-token prompt (the requirement) and the largest labelled request, each
// timed call by call after a warm-up. Other processes on the machine inflate the tail, so the
// load average is printed with the figures.
const fourK = fourKTokenRequest();
const largest = examples.reduce((a, b) => (JSON.stringify(b.request).length > JSON.stringify(a.request).length ? b : a));
const RUNS = 10_000;
const WARMUP = 2_000;
console.log(`\ntiming: ${WARMUP} warm-up calls, then ${RUNS} calls timed one by one (load average ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores)`);
for (const [name, request] of [["4k-token prompt", fourK], [`largest labelled (line ${largest.line})`, largest.request]] as const) {
  const t = timeClassification(classifyRequest, request, RUNS, WARMUP);
  const f = classifyRequest(request).features;
  const size = `${f.totalChars} chars: system ${f.systemChars}, last user ${f.lastUserChars}; ${f.scannedChars} read`;
  console.log(`${name.padEnd(26)} p50 ${`${t.p50} µs`.padStart(9)}  p99 ${`${t.p99} µs`.padStart(9)}  max ${`${t.max} µs`.padStart(10)}   (${size})`);
  if (request === fourK) console.log(`${"".padEnd(26)} requirement p99 < 200 µs: ${t.p99 < 200 ? "met" : "NOT met"}`);
}

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
