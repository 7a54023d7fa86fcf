/**
 * The JSON Schema keywords of a `responseJsonSchema` that Gemini accepts but does not enforce.
 * It takes any JSON Schema there and constrains the output only by this subset:
 * https://ai.google.dev/api/generate-content#FIELDS.response_json_schema
 */
const ENFORCED = new Set([
  "$id", "$defs", "$ref", "$anchor", "type", "format", "title", "description", "enum", "items", "prefixItems",
  "minItems", "maxItems", "minimum", "maximum", "anyOf", "oneOf", "properties", "additionalProperties", "required",
  "propertyOrdering",
]);
/** Carry no constraint, so nothing is lost. */
const ANNOTATIONS = new Set(["$schema", "$comment", "definitions", "default", "examples", "readOnly", "writeOnly", "deprecated"]);
/** Keywords whose value is a map of subschemas, or a subschema, or a list of them. */
const SCHEMA_MAPS = new Set(["properties", "$defs", "definitions", "patternProperties", "dependentSchemas"]);
/** Keywords whose values are data, not subschemas. */
const VALUES = new Set(["enum", "const", "default", "examples", "required", "propertyOrdering"]);
const MAX_DEPTH = 32;

export function unenforcedSchemaKeywords(schema: Record<string, unknown>): string[] {
  const found = new Set<string>();
  visit(schema, found, 0);
  return [...found];
}

function visit(node: unknown, found: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH || typeof node !== "object" || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) visit(item, found, depth + 1);
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (!ENFORCED.has(key) && !ANNOTATIONS.has(key)) found.add(key);
    if (SCHEMA_MAPS.has(key) && typeof value === "object" && value !== null) {
      for (const sub of Object.values(value)) visit(sub, found, depth + 1);
    } else if (typeof value === "object" && value !== null && !VALUES.has(key)) {
      visit(value, found, depth + 1);
    }
  }
}
