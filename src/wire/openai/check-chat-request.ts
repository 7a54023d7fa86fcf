import type { OpenAIChatRequest } from "./chat-request-schema.ts";
import { isCacheControl } from "../anthropic/cache-control-schema.ts";

/*
 * A conservative, hand-written fast path for `chatRequestSchema`: the zod parse of every client
 * body costs more on the hot path than the rest of the mapping. `isPlainChatRequest` returns true
 * only for bodies it can fully vouch for — the schema accepts them and its output equals the body
 * itself — and false for anything else, which then goes through zod as before (and gets zod's
 * message when it is wrong). The schema stays the reference; the tests hold the check to it.
 *
 * What "equals" asks for, beyond the types and ranges the schema checks:
 * - every nested `z.object` of the schema strips unknown keys, so any key it does not know
 *   makes the check fail (only the top level is loose);
 * - zod rebuilds objects and records with assignment, which loses an own `__proto__` key, so
 *   objects it rebuilds must not have one;
 * - objects must be plain (`Object.prototype`), as zod's rebuilt ones are.
 */

type Obj = Record<string, unknown>;

const OBJECT_PROTOTYPE = Object.prototype;

const isPlain = (v: unknown): v is Obj => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === OBJECT_PROTOTYPE;

const nullish = (v: unknown): v is null | undefined => v === undefined || v === null;
const optString = (v: unknown): boolean => v === undefined || typeof v === "string";
const nullishString = (v: unknown): boolean => v === undefined || v === null || typeof v === "string";
const nullishBoolean = (v: unknown): boolean => v === undefined || v === null || typeof v === "boolean";
const nullishPositiveInt = (v: unknown): boolean => nullish(v) || (Number.isSafeInteger(v) && (v as number) > 0);
const nullishInRange = (v: unknown, max: number): boolean => nullish(v) || (typeof v === "number" && v >= 0 && v <= max);

/** Every key of `o` is one of `allowed` (a nested, key-stripping `z.object`). */
function keysWithin(o: Obj, allowed: ReadonlySet<string>): boolean {
  for (const key in o) {
    if (!allowed.has(key)) return false;
  }
  return true;
}

/** A `z.record(z.string(), …)` zod rebuilds without losing keys. */
const isRecord = (v: unknown): v is Obj => isPlain(v) && !Object.hasOwn(v, "__proto__");

/** `z.custom` keeps a valid `cache_control` as it is; a plain object is all the fast path takes. */
function isCacheControlOrNone(v: unknown): boolean {
  return v === undefined || v === null || (isPlain(v) && isCacheControl(v));
}

const TEXT_PART_KEYS = new Set(["type", "text", "cache_control"]);
const IMAGE_PART_KEYS = new Set(["type", "image_url", "cache_control"]);
const IMAGE_URL_KEYS = new Set(["url", "detail"]);
const PLAIN_MESSAGE_KEYS = new Set(["role", "content", "name", "cache_control"]);
const ASSISTANT_KEYS = new Set(["role", "content", "tool_calls", "reasoning_content", "refusal", "name", "cache_control"]);
const TOOL_MESSAGE_KEYS = new Set(["role", "content", "tool_call_id", "cache_control"]);
const TOOL_CALL_KEYS = new Set(["id", "type", "function"]);
const CALLED_FUNCTION_KEYS = new Set(["name", "arguments"]);
const TOOL_KEYS = new Set(["type", "function", "cache_control"]);
const FUNCTION_KEYS = new Set(["name", "description", "parameters", "strict", "cache_control"]);
const TOOL_CHOICE_KEYS = new Set(["type", "function"]);
const NAME_ONLY = new Set(["name"]);
const TYPE_ONLY = new Set(["type"]);
const JSON_SCHEMA_FORMAT_KEYS = new Set(["type", "json_schema"]);
const JSON_SCHEMA_KEYS = new Set(["name", "description", "schema", "strict"]);
const STREAM_OPTIONS_KEYS = new Set(["include_usage"]);
const REASONING_EFFORTS = new Set(["none", "minimal", "low", "medium", "high", "xhigh"]);

function isTextPart(p: unknown): boolean {
  return isPlain(p) && p["type"] === "text" && typeof p["text"] === "string" && isCacheControlOrNone(p["cache_control"]) && keysWithin(p, TEXT_PART_KEYS);
}

function isImagePart(p: unknown): boolean {
  if (!isPlain(p) || p["type"] !== "image_url" || !isCacheControlOrNone(p["cache_control"]) || !keysWithin(p, IMAGE_PART_KEYS)) return false;
  const image = p["image_url"];
  if (!isPlain(image) || typeof image["url"] !== "string" || !keysWithin(image, IMAGE_URL_KEYS)) return false;
  const detail = image["detail"];
  return detail === undefined || detail === "auto" || detail === "low" || detail === "high";
}

/** A string or text parts. */
function isTextContent(c: unknown): boolean {
  if (typeof c === "string") return true;
  if (!Array.isArray(c)) return false;
  for (const part of c) {
    if (!isTextPart(part)) return false;
  }
  return true;
}

function isUserContent(c: unknown): boolean {
  if (typeof c === "string") return true;
  if (!Array.isArray(c)) return false;
  for (const part of c) {
    if (!isTextPart(part) && !isImagePart(part)) return false;
  }
  return true;
}

function isToolCall(c: unknown): boolean {
  if (!isPlain(c) || typeof c["id"] !== "string" || (c["type"] !== undefined && c["type"] !== "function") || !keysWithin(c, TOOL_CALL_KEYS)) return false;
  const fn = c["function"];
  return isPlain(fn) && typeof fn["name"] === "string" && typeof fn["arguments"] === "string" && keysWithin(fn, CALLED_FUNCTION_KEYS);
}

function isMessage(m: unknown): boolean {
  if (!isPlain(m) || !isCacheControlOrNone(m["cache_control"])) return false;
  switch (m["role"]) {
    case "system":
    case "developer":
      return isTextContent(m["content"]) && optString(m["name"]) && keysWithin(m, PLAIN_MESSAGE_KEYS);
    case "user":
      return isUserContent(m["content"]) && optString(m["name"]) && keysWithin(m, PLAIN_MESSAGE_KEYS);
    case "assistant": {
      const content = m["content"];
      if (!nullish(content) && !isTextContent(content)) return false;
      if (!nullishString(m["reasoning_content"]) || !nullishString(m["refusal"]) || !optString(m["name"]) || !keysWithin(m, ASSISTANT_KEYS)) return false;
      const calls = m["tool_calls"];
      if (calls === undefined) return true;
      if (!Array.isArray(calls)) return false;
      for (const call of calls) {
        if (!isToolCall(call)) return false;
      }
      return true;
    }
    case "tool":
      return isTextContent(m["content"]) && typeof m["tool_call_id"] === "string" && keysWithin(m, TOOL_MESSAGE_KEYS);
    default:
      return false;
  }
}

function isTool(t: unknown): boolean {
  if (!isPlain(t) || t["type"] !== "function" || !isCacheControlOrNone(t["cache_control"]) || !keysWithin(t, TOOL_KEYS)) return false;
  const fn = t["function"];
  if (!isPlain(fn) || typeof fn["name"] !== "string" || fn["name"] === "" || !keysWithin(fn, FUNCTION_KEYS)) return false;
  const parameters = fn["parameters"];
  return optString(fn["description"]) && (parameters === undefined || isRecord(parameters)) && nullishBoolean(fn["strict"]) && isCacheControlOrNone(fn["cache_control"]);
}

function isToolChoice(c: unknown): boolean {
  if (c === "auto" || c === "none" || c === "required") return true;
  if (!isPlain(c) || c["type"] !== "function" || !keysWithin(c, TOOL_CHOICE_KEYS)) return false;
  const fn = c["function"];
  return isPlain(fn) && typeof fn["name"] === "string" && keysWithin(fn, NAME_ONLY);
}

function isResponseFormat(f: unknown): boolean {
  if (!isPlain(f)) return false;
  switch (f["type"]) {
    case "text":
    case "json_object":
      return keysWithin(f, TYPE_ONLY);
    case "json_schema": {
      if (!keysWithin(f, JSON_SCHEMA_FORMAT_KEYS)) return false;
      const s = f["json_schema"];
      if (!isPlain(s) || typeof s["name"] !== "string" || s["name"] === "" || !keysWithin(s, JSON_SCHEMA_KEYS)) return false;
      const schema = s["schema"];
      return optString(s["description"]) && (schema === undefined || isRecord(schema)) && nullishBoolean(s["strict"]);
    }
    default:
      return false;
  }
}

function isStop(v: unknown): boolean {
  if (nullish(v) || typeof v === "string") return true;
  if (!Array.isArray(v) || v.length > 4) return false;
  for (const s of v) {
    if (typeof s !== "string") return false;
  }
  return true;
}

function isMetadata(v: unknown): boolean {
  if (nullish(v)) return true;
  if (!isRecord(v)) return false;
  for (const key in v) {
    if (typeof v[key] !== "string") return false;
  }
  return true;
}

/**
 * True only when `chatRequestSchema` accepts `body` and its output equals `body` (so the body can
 * be used as the parsed request as it is). False says nothing: the caller runs zod.
 */
export function isPlainChatRequest(body: unknown): body is OpenAIChatRequest {
  // The top level is loose: unknown keys pass, but zod copies them with assignment.
  if (!isPlain(body) || Object.hasOwn(body, "__proto__")) return false;
  const model = body["model"];
  if (typeof model !== "string" || model === "") return false;
  const messages = body["messages"];
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const m of messages) {
    if (!isMessage(m)) return false;
  }
  if (!nullishBoolean(body["stream"])) return false;
  const streamOptions = body["stream_options"];
  if (!nullish(streamOptions)) {
    if (!isPlain(streamOptions) || !keysWithin(streamOptions, STREAM_OPTIONS_KEYS)) return false;
    const includeUsage = streamOptions["include_usage"];
    if (includeUsage !== undefined && typeof includeUsage !== "boolean") return false;
  }
  const tools = body["tools"];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return false;
    for (const t of tools) {
      if (!isTool(t)) return false;
    }
  }
  const toolChoice = body["tool_choice"];
  if (toolChoice !== undefined && !isToolChoice(toolChoice)) return false;
  const parallel = body["parallel_tool_calls"];
  if (parallel !== undefined && typeof parallel !== "boolean") return false;
  const format = body["response_format"];
  if (format !== undefined && !isResponseFormat(format)) return false;
  if (!nullishPositiveInt(body["max_tokens"]) || !nullishPositiveInt(body["max_completion_tokens"])) return false;
  if (!nullishInRange(body["temperature"], 2) || !nullishInRange(body["top_p"], 1)) return false;
  if (!isStop(body["stop"])) return false;
  const seed = body["seed"];
  if (!nullish(seed) && !Number.isSafeInteger(seed)) return false;
  if (!optString(body["user"])) return false;
  const effort = body["reasoning_effort"];
  if (!nullish(effort) && !(typeof effort === "string" && REASONING_EFFORTS.has(effort))) return false;
  if (!isMetadata(body["metadata"])) return false;
  const n = body["n"];
  if (!nullish(n) && n !== 1) return false;
  return isCacheControlOrNone(body["cache_control"]);
}
