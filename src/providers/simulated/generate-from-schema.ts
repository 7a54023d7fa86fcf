import type { Rng } from "./prng.ts";
import type { PromptFacts } from "./prompt-facts.ts";

export interface SchemaValueOptions {
  rng: Rng;
  facts: PromptFacts;
}

type Schema = Record<string, unknown>;

interface Context extends SchemaValueOptions {
  root: unknown;
  depth: number;
  /** The property name the value is for: a hint at what kind of string or number fits. */
  key: string;
  /** Position in the nearest enclosing array, so that its items take different values. */
  index: number;
}

/** Past this depth only what the schema requires is generated, so recursive schemas end. */
const MAX_OPTIONAL_DEPTH = 4;
const MAX_DEPTH = 12;

/**
 * A value that validates against a JSON Schema (the subset structured outputs use: types,
 * properties/required, additionalProperties, items/prefixItems, enum/const, anyOf/oneOf/allOf,
 * local $ref, string formats and length, numeric bounds and multipleOf). `pattern` is not honoured.
 */
export function generateFromSchema(schema: unknown, options: SchemaValueOptions): unknown {
  return generate(schema, { ...options, root: schema, depth: 0, key: "", index: 0 });
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberOr(value: unknown, fallback: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function resolveRef(schema: Schema, root: unknown): Schema {
  let current = schema;
  for (let hops = 0; typeof current.$ref === "string" && hops < 16; hops++) {
    const ref: string = current.$ref;
    if (!ref.startsWith("#")) return {};
    let target: unknown = root;
    for (const raw of ref.slice(1).split("/").filter((p) => p.length > 0)) {
      const part = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
      target = isSchema(target) ? target[part] : undefined;
    }
    if (!isSchema(target)) return {};
    current = target;
  }
  return current;
}

function generate(input: unknown, ctx: Context): unknown {
  if (input === false) return null;
  if (!isSchema(input)) return generateString({}, ctx);
  const schema = resolveRef(input, ctx.root);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return ctx.rng.pick(schema.enum);
  if (Array.isArray(schema.allOf)) return generate(mergeAllOf(schema, ctx.root), ctx);
  const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
  if (branches !== null && branches.length > 0) {
    const resolved = branches.map((b) => (isSchema(b) ? resolveRef(b, ctx.root) : {}));
    const nonNull = resolved.find((b) => b.type !== "null");
    return generate(nonNull ?? resolved[0], ctx);
  }
  const type = pickType(schema);
  if (ctx.depth > MAX_DEPTH) return minimal(type, schema);
  switch (type) {
    case "object":
      return generateObject(schema, ctx);
    case "array":
      return generateArray(schema, ctx);
    case "number":
    case "integer":
      return generateNumber(schema, ctx, type === "integer");
    case "boolean":
      return ctx.rng.chance(0.5);
    case "null":
      return null;
    default:
      return generateString(schema, ctx);
  }
}

function pickType(schema: Schema): string {
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t): t is string => typeof t === "string");
    return types.find((t) => t !== "null") ?? types[0] ?? "string";
  }
  if ("properties" in schema || "required" in schema || "additionalProperties" in schema) return "object";
  if ("items" in schema || "prefixItems" in schema) return "array";
  if ("minimum" in schema || "maximum" in schema || "multipleOf" in schema) return "number";
  return "string";
}

function minimal(type: string, schema: Schema): unknown {
  if (Array.isArray(schema.type) && schema.type.includes("null")) return null;
  if (type === "object") return {};
  if (type === "array") return [];
  if (type === "number" || type === "integer") return numberOr(schema.minimum, 0);
  if (type === "boolean") return false;
  return type === "null" ? null : "";
}

function mergeAllOf(schema: Schema, root: unknown): Schema {
  const { allOf, ...rest } = schema;
  const merged: Schema = { ...rest };
  const properties: Schema = isSchema(rest.properties) ? { ...rest.properties } : {};
  const required = new Set(Array.isArray(rest.required) ? rest.required : []);
  for (const part of allOf as unknown[]) {
    if (!isSchema(part)) continue;
    const branch = resolveRef(part, root);
    for (const [key, value] of Object.entries(branch)) {
      if (key === "properties" && isSchema(value)) Object.assign(properties, value);
      else if (key === "required" && Array.isArray(value)) value.forEach((r) => required.add(r));
      else if (!(key in merged)) merged[key] = value;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.size > 0) merged.required = [...required];
  return merged;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, so that a property named `__proto__` is data, not a prototype change.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function generateObject(schema: Schema, ctx: Context): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === "string") : [];
  const child = (key: string): Context => ({ ...ctx, depth: ctx.depth + 1, key });
  for (const [key, sub] of Object.entries(properties)) {
    if (!required.includes(key) && ctx.depth >= MAX_OPTIONAL_DEPTH) continue;
    setOwn(out, key, generate(sub, child(key)));
  }
  const extra = schema.additionalProperties === false ? undefined : schema.additionalProperties;
  for (const key of required) if (!Object.hasOwn(out, key)) setOwn(out, key, generate(extra ?? {}, child(key)));
  const minProperties = numberOr(schema.minProperties, 0) ?? 0;
  for (let i = 1; Object.keys(out).length < minProperties && extra !== undefined && i <= minProperties; i++) {
    setOwn(out, `field_${i}`, generate(extra, child(`field_${i}`)));
  }
  return out;
}

function generateArray(schema: Schema, ctx: Context): unknown[] {
  const min = numberOr(schema.minItems, 0) ?? 0;
  const max = numberOr(schema.maxItems, Math.max(min, 3)) ?? 3;
  const count = ctx.depth >= MAX_OPTIONAL_DEPTH ? min : Math.min(max, Math.max(min, ctx.rng.int(1, 3)));
  const tuple = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(schema.items) ? schema.items : [];
  const items = Array.isArray(schema.items) ? {} : (schema.items ?? {});
  const out: unknown[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; out.length < Math.max(count, tuple.length) && attempt < count * 5 + tuple.length; attempt++) {
    const child = { ...ctx, depth: ctx.depth + 1, key: singular(ctx.key), index: attempt };
    const value = generate(tuple[out.length] ?? items, child);
    const fingerprint = JSON.stringify(value);
    if (schema.uniqueItems === true && seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    out.push(value);
  }
  return out;
}

function singular(key: string): string {
  return key.endsWith("s") ? key.slice(0, -1) : key;
}

function generateNumber(schema: Schema, ctx: Context, integer: boolean): number {
  const exMin = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined;
  const exMax = typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum : undefined;
  const step = integer ? 1 : 0.01;
  // Draft 4 wrote exclusive bounds as booleans next to minimum/maximum.
  let lo = numberOr(schema.minimum, exMin === undefined ? undefined : exMin + step);
  let hi = numberOr(schema.maximum, exMax === undefined ? undefined : exMax - step);
  if (schema.exclusiveMinimum === true && lo !== undefined) lo += step;
  if (schema.exclusiveMaximum === true && hi !== undefined) hi -= step;
  if (lo === undefined && hi === undefined && /score|confidence|probability|ratio/i.test(ctx.key)) [lo, hi] = [0, 1];
  const low = lo ?? (hi === undefined ? 0 : hi - 100);
  const high = hi ?? low + 100;
  if (schema.multipleOf === undefined) {
    const fromPrompt = ctx.facts.numbers.filter((n) => n >= low && n <= high && (!integer || Number.isInteger(n)));
    if (fromPrompt.length > 0 && ctx.rng.chance(0.7)) return ctx.rng.pick(fromPrompt);
  }
  const multipleOf = numberOr(schema.multipleOf, integer ? 1 : undefined);
  if (multipleOf !== undefined && multipleOf > 0) {
    const first = Math.ceil(low / multipleOf);
    const k = ctx.rng.int(first, Math.max(first, Math.floor(high / multipleOf)));
    const decimals = (String(multipleOf).split(".")[1] ?? "").length;
    return Number((k * multipleOf).toFixed(decimals));
  }
  return Math.min(high, Math.max(low, Math.round(ctx.rng.between(low, high) * 100) / 100));
}

function generateString(schema: Schema, ctx: Context): string {
  const value = baseString(typeof schema.format === "string" ? schema.format : "", ctx);
  const minLength = numberOr(schema.minLength, 0) ?? 0;
  const maxLength = numberOr(schema.maxLength, Number.POSITIVE_INFINITY) ?? Number.POSITIVE_INFINITY;
  let padded = value;
  while ([...padded].length < minLength) padded += ` ${ctx.rng.pick(ctx.facts.words)}`;
  return [...padded].slice(0, maxLength).join("");
}

function slug(word: string): string {
  return word.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") || "item";
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function baseString(format: string, ctx: Context): string {
  const { rng, facts, key, index } = ctx;
  const word = rng.pick(facts.words);
  const nth = (items: string[]): string | undefined => items[index % Math.max(1, items.length)];
  const date = nth(facts.dates) ?? "2026-03-14";
  switch (format) {
    case "date":
      return date;
    case "date-time":
      return `${date}T09:30:00Z`;
    case "time":
      return "09:30:00Z";
    case "email":
      return nth(facts.emails) ?? `${slug(word)}@example.com`;
    case "uri":
    case "url":
    case "uri-reference":
    case "iri":
      return nth(facts.urls) ?? `https://example.com/${slug(word)}`;
    case "uuid": {
      const h = rng.hex(32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    }
    case "ipv4":
      return "192.0.2.10";
    case "ipv6":
      return "2001:db8::10";
    case "hostname":
      return "example.com";
    case "duration":
      return "PT15M";
    default:
      break;
  }
  if (/e-?mail/i.test(key)) return nth(facts.emails) ?? `${slug(word)}@example.com`;
  if (/url|link|website|href/i.test(key)) return nth(facts.urls) ?? `https://example.com/${slug(word)}`;
  if (/date/i.test(key)) return date;
  if (/(^|_)id$|Id$/.test(key)) return `${slug(word)}-${rng.int(100, 999)}`;
  if (/name|author|person|title|owner/i.test(key)) return nth(facts.names) ?? capitalise(word);
  if (/summary|description|text|reason|explanation|answer|content|comment|note|message|rationale/i.test(key)) {
    const other = rng.pick(facts.words);
    return `${capitalise(word)} relates to ${other === word ? "the request" : other}.`;
  }
  return word;
}
