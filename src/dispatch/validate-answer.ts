import { Ajv, type ValidateFunction } from "ajv";
import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import type { RouteConfig } from "../config/schema.ts";

export type ValidateSettings = NonNullable<RouteConfig["validate"]>;

/**
 * Why an answer fails the route's `validate` checks, or null when it passes: JSON that does not
 * parse or does not match the request's `json_schema`, an empty answer, a refusal, or an answer
 * cut off by the output limit.
 */
export function validateAnswer(result: ChatResult, request: ChatRequest, checks: ValidateSettings): string | null {
  if (checks.refusal && result.refusal) return `the model refused: ${clip(result.refusal)}`;
  if (checks.length && result.finishReason.unified === "length") return "the answer was cut off by the output token limit (finish_reason: length)";
  const text = result.content ?? "";
  if (checks.non_empty && text.trim() === "" && result.toolCalls.length === 0) return "the answer is empty";
  const format = request.responseFormat;
  if (checks.json_schema && result.toolCalls.length === 0 && (format?.type === "json_schema" || format?.type === "json_object")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return `the answer is not valid JSON: ${clip(text)}`;
    }
    if (format.type === "json_schema") {
      const validate = compiled(format.schema);
      if (validate === null) return null;
      if (!validate(value)) {
        const first = validate.errors?.[0];
        return `the answer does not match json_schema ${format.name}: ${first ? `${first.instancePath || "/"} ${first.message ?? "is invalid"}` : "invalid"}`;
      }
    }
  }
  return null;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const cache = new Map<string, ValidateFunction | null>();
const MAX_CACHED_SCHEMAS = 500;

/** A client's schema compiled once (compiling costs far more than validating). Null: not compilable. */
function compiled(schema: Record<string, unknown>): ValidateFunction | null {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (validate === undefined) {
    try {
      validate = ajv.compile(schema);
    } catch {
      // A schema ajv cannot compile cannot be checked; the answer's JSON still was.
      validate = null;
    }
    if (cache.size >= MAX_CACHED_SCHEMAS) cache.delete(cache.keys().next().value as string);
    cache.set(key, validate);
  }
  return validate;
}

function clip(text: string): string {
  return text.length <= 120 ? text : `${text.slice(0, 117)}...`;
}
