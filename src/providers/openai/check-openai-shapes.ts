import type { OpenAIChatCompletion, OpenAIChunk } from "./openai-schemas.ts";

/*
 * Shape checks of Chat Completions answers, written by hand: they run for every answer and every
 * stream chunk, where a zod parse costs more than all the rest of the mapping. They check exactly
 * what `openAIChunkSchema` / `openAIChatCompletionSchema` check (the schemas stay the reference,
 * give the detailed message when a check fails, and the tests hold both to them).
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
  if (!checkUsage(json["usage"])) return { ok: false, issue: "usage: unexpected shape" };
  return { ok: true, chunk: json as OpenAIChunk };
}

/** True when a non-streaming answer has the shape `openAIChatCompletionSchema` accepts. */
export function isOpenAICompletion(json: unknown): json is OpenAIChatCompletion {
  if (!isObj(json) || !optString(json["id"]) || !optNumber(json["created"]) || !optString(json["model"])) return false;
  const choices = json["choices"];
  if (!Array.isArray(choices)) return false;
  for (const choice of choices) {
    if (!isObj(choice) || !optNumber(choice["index"]) || !optString(choice["finish_reason"])) return false;
    const message = choice["message"];
    if (!isObj(message) || !checkContent(message["content"])) return false;
    if (!optString(message["reasoning_content"]) || !optString(message["reasoning"]) || !optString(message["refusal"])) return false;
    const calls = message["tool_calls"];
    if (calls !== undefined && calls !== null) {
      if (!Array.isArray(calls)) return false;
      for (const call of calls) {
        if (!isObj(call) || !optString(call["id"]) || !optString(call["type"])) return false;
        const fn = call["function"];
        if (!isObj(fn) || typeof fn["name"] !== "string" || !optString(fn["arguments"])) return false;
      }
    }
  }
  return checkUsage(json["usage"]);
}

/** A string, nothing, or Mistral's list of parts. */
function checkContent(content: unknown): boolean {
  if (content === undefined || content === null || typeof content === "string") return true;
  if (!Array.isArray(content)) return false;
  return content.every((part) => isObj(part) && typeof part["type"] === "string" && (part["text"] === undefined || typeof part["text"] === "string"));
}

function checkUsage(usage: unknown): boolean {
  if (usage === undefined || usage === null) return true;
  if (!isObj(usage)) return false;
  // Spelled out rather than looped over: a load with a varying key goes through V8's slow path.
  if (!optNumber(usage["prompt_tokens"]) || !optNumber(usage["completion_tokens"]) || !optNumber(usage["total_tokens"]) || !optNumber(usage["prompt_cache_hit_tokens"])) return false;
  const prompt = usage["prompt_tokens_details"];
  if (prompt !== undefined && prompt !== null && (!isObj(prompt) || !optNumber(prompt["cached_tokens"]))) return false;
  const completion = usage["completion_tokens_details"];
  if (completion !== undefined && completion !== null && (!isObj(completion) || !optNumber(completion["reasoning_tokens"]))) return false;
  return true;
}

function checkChoice(choice: unknown): string | null {
  if (!isObj(choice)) return ": expected an object";
  if (!optNumber(choice["index"])) return ".index: expected a number";
  if (!optString(choice["finish_reason"])) return ".finish_reason: expected a string";
  const delta = choice["delta"];
  if (delta === undefined || delta === null) return null;
  if (!isObj(delta)) return ".delta: expected an object";
  if (!optString(delta["content"])) return ".delta.content: expected a string";
  if (!optString(delta["reasoning_content"])) return ".delta.reasoning_content: expected a string";
  if (!optString(delta["reasoning"])) return ".delta.reasoning: expected a string";
  if (!optString(delta["refusal"])) return ".delta.refusal: expected a string";
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
