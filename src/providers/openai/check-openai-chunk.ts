import { openAIUsageSchema, type OpenAIChunk } from "./openai-schemas.ts";

/*
 * The shape check of a stream chunk, written by hand: it runs for every chunk of every stream,
 * where a zod parse costs more than all the rest of the step. It checks exactly what
 * `openAIChunkSchema` checks (the schema stays the reference, and the tests hold both to it).
 */

type Checked = { ok: true; chunk: OpenAIChunk } | { ok: false; issue: string };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const optString = (v: unknown): boolean => v === undefined || v === null || typeof v === "string";
const optNumber = (v: unknown): boolean => v === undefined || v === null || typeof v === "number";

export function checkOpenAIChunk(json: unknown): Checked {
  if (!isObj(json)) return { ok: false, issue: "expected an object" };
  if (!optString(json["id"])) return { ok: false, issue: "id: expected a string" };
  if (!optNumber(json["created"])) return { ok: false, issue: "created: expected a number" };
  if (!optString(json["model"])) return { ok: false, issue: "model: expected a string" };
  const choices = json["choices"];
  if (choices !== undefined && choices !== null) {
    if (!Array.isArray(choices)) return { ok: false, issue: "choices: expected an array" };
    for (const [i, choice] of choices.entries()) {
      const issue = checkChoice(choice);
      if (issue !== null) return { ok: false, issue: `choices.${i}${issue}` };
    }
  }
  const usage = json["usage"];
  if (usage !== undefined && usage !== null && !openAIUsageSchema.safeParse(usage).success) {
    return { ok: false, issue: "usage: unexpected shape" };
  }
  return { ok: true, chunk: json as OpenAIChunk };
}

function checkChoice(choice: unknown): string | null {
  if (!isObj(choice)) return ": expected an object";
  if (!optNumber(choice["index"])) return ".index: expected a number";
  if (!optString(choice["finish_reason"])) return ".finish_reason: expected a string";
  const delta = choice["delta"];
  if (delta === undefined || delta === null) return null;
  if (!isObj(delta)) return ".delta: expected an object";
  for (const key of ["content", "reasoning_content", "reasoning", "refusal"]) {
    if (!optString(delta[key])) return `.delta.${key}: expected a string`;
  }
  const calls = delta["tool_calls"];
  if (calls === undefined || calls === null) return null;
  if (!Array.isArray(calls)) return ".delta.tool_calls: expected an array";
  for (const [i, call] of calls.entries()) {
    if (!isObj(call)) return `.delta.tool_calls.${i}: expected an object`;
    if (!optNumber(call["index"]) || !optString(call["id"])) return `.delta.tool_calls.${i}: unexpected index or id`;
    const fn = call["function"];
    if (fn === undefined || fn === null) continue;
    if (!isObj(fn) || !optString(fn["name"]) || !optString(fn["arguments"])) return `.delta.tool_calls.${i}.function: unexpected shape`;
  }
  return null;
}
