import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
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

// No logger: a client's schema with a format ajv does not know (`email`, `date-time`) would
// otherwise print a warning for every new schema.
const ajv = new Ajv({ allErrors: false, strict: false, logger: false });
// Draft 2020-12 (what zod's toJSONSchema declares in `$schema`) needs its own instance; the default
// one cannot compile such a schema, and the answer would go unchecked.
const ajv2020 = new Ajv2020({ allErrors: false, strict: false, logger: false });
const DRAFT_2020 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;
const cache = new Map<string, ValidateFunction | null>();
const MAX_CACHED_SCHEMAS = 500;

/** A client's schema compiled once (compiling costs far more than validating). Null: not compilable. */
function compiled(schema: Record<string, unknown>): ValidateFunction | null {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (validate === undefined) {
    const engine = typeof schema.$schema === "string" && DRAFT_2020.test(schema.$schema) ? ajv2020 : ajv;
    try {
      validate = engine.compile(schema);
    } catch {
      // A schema ajv cannot compile cannot be checked; the answer's JSON still was.
      validate = null;
    }
    forget(engine, schema);
    if (cache.size >= MAX_CACHED_SCHEMAS) cache.delete(cache.keys().next().value as string);
    cache.set(key, validate);
  }
  return validate;
}

/**
 * ajv keeps every schema it compiled, and refuses a second one with the same `$id`; the compiled
 * function does not need that, and this module's cache is the one that is bounded.
 */
function forget(engine: Ajv | Ajv2020, schema: Record<string, unknown>): void {
  try {
    engine.removeSchema(schema);
  } catch {
    // A schema ajv could not read (e.g. a `$id` that is not a string) was never kept.
  }
}

function clip(text: string): string {
  return text.length <= 120 ? text : `${text.slice(0, 117)}...`;
}
