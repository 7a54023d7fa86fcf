/** A deliberately small JSON Schema checker, independent of the generator, for the tests. */
type Schema = Record<string, unknown>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function resolve(schema: Schema, root: Schema): Schema {
  if (typeof schema.$ref !== "string") return schema;
  let target: unknown = root;
  for (const part of schema.$ref.slice(1).split("/").filter(Boolean)) target = isObject(target) ? target[part] : undefined;
  return isObject(target) ? resolve(target, root) : {};
}

const FORMATS: Record<string, RegExp> = {
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  uri: /^[a-z][a-z0-9+.-]*:\S+$/i,
};

/** The errors of `value` against `schema`; empty when it validates. */
export function checkSchema(value: unknown, schema: unknown, root: unknown = schema, path = "$"): string[] {
  if (schema === true || schema === undefined) return [];
  if (schema === false) return [`${path}: no value allowed`];
  if (!isObject(schema) || !isObject(root)) return [`${path}: bad schema`];
  const s = resolve(schema, root);
  const errors: string[] = [];
  const sub = (v: unknown, sch: unknown, p: string): string[] => checkSchema(v, sch, root, p);
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(value)) errors.push(`${path}: not the const`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errors.push(`${path}: not in enum`);
  if (Array.isArray(s.allOf)) for (const b of s.allOf) errors.push(...sub(value, b, path));
  if (Array.isArray(s.anyOf) && !s.anyOf.some((b) => sub(value, b, path).length === 0)) errors.push(`${path}: matches no anyOf`);
  if (Array.isArray(s.oneOf) && s.oneOf.filter((b) => sub(value, b, path).length === 0).length !== 1) errors.push(`${path}: not exactly one oneOf`);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === "integer" && types.includes("number"))) errors.push(`${path}: ${actual} is not ${types.join("|")}`);
  }
  if (isObject(value)) {
    const props = isObject(s.properties) ? s.properties : {};
    for (const r of Array.isArray(s.required) ? s.required : []) if (!Object.hasOwn(value, r)) errors.push(`${path}: missing ${String(r)}`);
    for (const [k, v] of Object.entries(value)) {
      if (Object.hasOwn(props, k)) errors.push(...sub(v, props[k], `${path}.${k}`));
      else if (s.additionalProperties === false) errors.push(`${path}: extra property ${k}`);
      else if (isObject(s.additionalProperties)) errors.push(...sub(v, s.additionalProperties, `${path}.${k}`));
    }
    if (typeof s.minProperties === "number" && Object.keys(value).length < s.minProperties) errors.push(`${path}: too few properties`);
  }
  if (Array.isArray(value)) {
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
    value.forEach((v, i) => errors.push(...sub(v, i < prefix.length ? prefix[i] : s.items, `${path}[${i}]`)));
    if (typeof s.minItems === "number" && value.length < s.minItems) errors.push(`${path}: too few items`);
    if (typeof s.maxItems === "number" && value.length > s.maxItems) errors.push(`${path}: too many items`);
    if (s.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) errors.push(`${path}: duplicate items`);
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof s.minLength === "number" && length < s.minLength) errors.push(`${path}: too short`);
    if (typeof s.maxLength === "number" && length > s.maxLength) errors.push(`${path}: too long`);
    const format = typeof s.format === "string" ? FORMATS[s.format] : undefined;
    if (format !== undefined && !format.test(value)) errors.push(`${path}: not a ${String(s.format)}`);
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) errors.push(`${path}: below minimum`);
    if (typeof s.maximum === "number" && value > s.maximum) errors.push(`${path}: above maximum`);
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) errors.push(`${path}: not above exclusiveMinimum`);
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) errors.push(`${path}: not below exclusiveMaximum`);
    if (typeof s.multipleOf === "number" && Math.abs(value / s.multipleOf - Math.round(value / s.multipleOf)) > 1e-9) errors.push(`${path}: not a multiple of ${s.multipleOf}`);
  }
  return errors;
}
