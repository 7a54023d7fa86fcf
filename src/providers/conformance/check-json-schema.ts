/**
 * A deliberately small JSON Schema check (type, enum, const, required, properties,
 * additionalProperties, items): enough to tell that a structured answer has the requested shape.
 * It is not a validator; the gateway's own output validation is ajv's job (DESIGN.md §3).
 */
export function checkJsonSchema(value: unknown, schema: unknown, path = "$"): string[] {
  if (!isRecord(schema)) return [];
  const errors: string[] = [];
  if (Array.isArray(schema["enum"]) && !schema["enum"].some((e) => same(e, value))) errors.push(`${path}: not one of the enum values`);
  if ("const" in schema && !same(schema["const"], value)) errors.push(`${path}: not the const value`);
  const types = typeof schema["type"] === "string" ? [schema["type"]] : Array.isArray(schema["type"]) ? schema["type"] : [];
  const actual = jsonType(value);
  if (types.length > 0 && !types.includes(actual) && !(actual === "integer" && types.includes("number"))) {
    errors.push(`${path}: ${actual}, not ${types.join(" or ")}`);
  }
  if (isRecord(value)) {
    const properties = isRecord(schema["properties"]) ? schema["properties"] : {};
    const required: unknown[] = Array.isArray(schema["required"]) ? schema["required"] : [];
    for (const name of required) if (typeof name === "string" && !Object.hasOwn(value, name)) errors.push(`${path}: missing ${name}`);
    for (const [key, item] of Object.entries(value)) {
      if (Object.hasOwn(properties, key)) errors.push(...checkJsonSchema(item, properties[key], `${path}.${key}`));
      else if (schema["additionalProperties"] === false) errors.push(`${path}: unexpected property ${key}`);
    }
  }
  if (Array.isArray(value)) value.forEach((item, i) => errors.push(...checkJsonSchema(item, schema["items"], `${path}[${i}]`)));
  return errors;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
