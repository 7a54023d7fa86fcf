/**
 * JSON Schema → the OpenAPI 3.0 subset Gemini takes in `functionDeclarations[].parameters`
 * (https://ai.google.dev/api/caching#Schema). Gemini answers 400 to keywords outside it
 * (`additionalProperties`, `$ref`, `const`, type arrays…), so they are converted where an
 * equivalent exists and dropped otherwise; `dropped` names what was lost, for one warning.
 */
export interface GeminiSchemaConversion {
  /** Undefined when the schema describes no arguments (an object without properties). */
  schema: Record<string, unknown> | undefined;
  /** Constraints that could not be expressed, e.g. `additionalProperties`, `format: email`. */
  dropped: string[];
}

const COPIED = new Set([
  "description", "title", "nullable", "pattern", "minLength", "maxLength", "minItems", "maxItems",
  "minProperties", "maxProperties", "minimum", "maximum", "default", "example", "propertyOrdering",
]);
/** Carry no constraint: dropped without a warning. `$defs` are inlined where referenced. */
const ANNOTATIONS = new Set(["$schema", "$id", "$comment", "$defs", "definitions", "examples", "readOnly", "writeOnly", "deprecated"]);
const FORMATS: Readonly<Record<string, readonly string[]>> = {
  string: ["enum", "date-time"],
  integer: ["int32", "int64"],
  number: ["float", "double"],
};
const MAX_DEPTH = 32;

interface Context {
  root: Record<string, unknown>;
  dropped: Set<string>;
  /** `$ref`s being inlined, to stop at a recursive one. */
  refs: readonly string[];
  depth: number;
}

export function toGeminiSchema(jsonSchema: Record<string, unknown>): GeminiSchemaConversion {
  const dropped = new Set<string>();
  const schema = convert(jsonSchema, { root: jsonSchema, dropped, refs: [], depth: 0 });
  const empty = schema["type"] === "object" && schema["properties"] === undefined && Object.keys(schema).every((k) => k === "type" || k === "description" || k === "title");
  return { schema: empty ? undefined : schema, dropped: [...dropped] };
}

function convert(node: unknown, ctx: Context): Record<string, unknown> {
  if (!isRecord(node)) return {};
  if (ctx.depth > MAX_DEPTH) {
    ctx.dropped.add("schemas nested deeper than 32 levels");
    return {};
  }
  const inner: Context = { ...ctx, depth: ctx.depth + 1 };
  const ref = node["$ref"];
  if (typeof ref === "string") return inlineRef(ref, node, inner);
  const allOf = node["allOf"];
  if (Array.isArray(allOf) && allOf.length === 1 && isRecord(allOf[0])) {
    const { allOf: _omit, ...rest } = node;
    return convert({ ...allOf[0], ...rest }, ctx);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (COPIED.has(key)) out[key] = value;
    else if (key === "type") setType(out, value);
    else if (key === "properties" && isRecord(value)) {
      const properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, convert(sub, inner)]));
      if (Object.keys(properties).length > 0) out["properties"] = properties;
    } else if (key === "required" && Array.isArray(value)) out["required"] = value;
    else if (key === "items" && isRecord(value)) out["items"] = convert(value, inner);
    else if (key === "enum" && Array.isArray(value) && value.every((v) => typeof v === "string")) out["enum"] = value;
    else if (key === "const" && typeof value === "string") out["enum"] = [value];
    else if ((key === "anyOf" || key === "oneOf") && Array.isArray(value)) setAnyOf(out, key, value, inner);
    else if (key === "format" && typeof value === "string") setFormat(out, node["type"], value, ctx);
    else if (key === "additionalProperties" && value === false) {
      // Gemini only writes the declared properties: `false` is what it does anyway.
    } else if (!ANNOTATIONS.has(key)) ctx.dropped.add(key === "enum" ? "enum (non-string values)" : key);
  }
  return out;
}

function inlineRef(ref: string, node: Record<string, unknown>, ctx: Context): Record<string, unknown> {
  const target = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const defs = target ? ctx.root[target[1] ?? ""] : undefined;
  const resolved = isRecord(defs) && target ? defs[decodeURIComponent(target[2] ?? "")] : undefined;
  if (resolved === undefined) {
    ctx.dropped.add(`$ref ${ref}`);
    return {};
  }
  if (ctx.refs.includes(ref)) {
    ctx.dropped.add(`recursive $ref ${ref}`);
    return { type: "object" };
  }
  const { $ref: _omit, ...siblings } = node;
  return convert({ ...(resolved as Record<string, unknown>), ...siblings }, { ...ctx, refs: [...ctx.refs, ref] });
}

/** `["string", "null"]` → `string` + `nullable`; several types → `anyOf`. */
function setType(out: Record<string, unknown>, value: unknown): void {
  if (typeof value === "string") {
    if (value === "null") out["nullable"] = true;
    else out["type"] = value;
    return;
  }
  if (!Array.isArray(value)) return;
  const types = value.filter((t): t is string => typeof t === "string" && t !== "null");
  if (types.length < value.length) out["nullable"] = true;
  if (types.length === 1) out["type"] = types[0];
  else if (types.length > 1) out["anyOf"] = types.map((type) => ({ type }));
}

/** `{type: "null"}` branches become `nullable`; a single branch left is merged in. */
function setAnyOf(out: Record<string, unknown>, key: string, branches: unknown[], ctx: Context): void {
  if (key === "oneOf") ctx.dropped.add("oneOf (sent as anyOf)");
  const converted = branches.map((b) => convert(b, ctx));
  const nonNull = converted.filter((b) => !(b["nullable"] === true && b["type"] === undefined && Object.keys(b).length === 1));
  if (nonNull.length < converted.length) out["nullable"] = true;
  if (nonNull.length === 1) Object.assign(out, nonNull[0]);
  else if (nonNull.length > 1) out["anyOf"] = nonNull;
}

function setFormat(out: Record<string, unknown>, type: unknown, format: string, ctx: Context): void {
  if (typeof type === "string" && FORMATS[type]?.includes(format)) out["format"] = format;
  else ctx.dropped.add(`format: ${format}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
