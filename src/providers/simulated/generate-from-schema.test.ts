import assert from "node:assert/strict";
import { test } from "node:test";
import { generateFromSchema } from "./generate-from-schema.ts";
import { createRng } from "./prng.ts";
import type { PromptFacts } from "./prompt-facts.ts";
import { checkSchema } from "./schema-check-for-tests.ts";

const facts: PromptFacts = {
  words: ["invoice", "Lisbon", "shipping"],
  emails: ["ana@example.org"],
  urls: [],
  dates: ["2026-02-03"],
  numbers: [42, 7.5, -3],
  names: ["Ana Silva", "Rui Costa"],
  labels: [],
};

const SCHEMAS: Record<string, Record<string, unknown>> = {
  strict: {
    type: "object",
    additionalProperties: false,
    required: ["customer", "items", "total", "paid", "status", "note"],
    properties: {
      customer: {
        type: "object",
        additionalProperties: false,
        required: ["name", "email", "since"],
        properties: { name: { type: "string" }, email: { type: "string", format: "email" }, since: { type: "string", format: "date" } },
      },
      items: {
        type: "array",
        minItems: 1,
        items: {
          type: "object",
          additionalProperties: false,
          required: ["sku", "quantity", "price"],
          properties: { sku: { type: "string" }, quantity: { type: "integer", minimum: 1, maximum: 9 }, price: { type: "number", minimum: 0 } },
        },
      },
      total: { type: "number" },
      paid: { type: "boolean" },
      status: { type: "string", enum: ["open", "shipped", "closed"] },
      note: { type: ["string", "null"] },
    },
  },
  recursive: {
    $defs: {
      node: {
        type: "object",
        required: ["label", "children"],
        additionalProperties: false,
        properties: { label: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } },
      },
    },
    $ref: "#/$defs/node",
  },
  combinators: {
    type: "object",
    required: ["kind", "id", "score", "tags", "pair", "choice", "merged", "extra", "link"],
    properties: {
      kind: { const: "report" },
      id: { type: "string", format: "uuid" },
      score: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
      step: { type: "integer", multipleOf: 5, minimum: 12, maximum: 40 },
      cents: { type: "number", multipleOf: 0.25, minimum: 1, maximum: 3 },
      tags: { type: "array", uniqueItems: true, minItems: 2, maxItems: 4, items: { enum: ["a", "b", "c", "d", "e"] } },
      pair: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }], items: false, minItems: 2, maxItems: 2 },
      choice: { anyOf: [{ type: "null" }, { type: "string", minLength: 20, maxLength: 30 }] },
      merged: { allOf: [{ type: "object", properties: { a: { type: "string" } }, required: ["a"] }, { properties: { b: { type: "boolean" } }, required: ["b"] }] },
      extra: { type: "object", minProperties: 2, additionalProperties: { type: "integer" } },
      link: { type: "string", format: "uri" },
      when: { type: "string", format: "date-time" },
      short: { type: "string", maxLength: 3 },
    },
  },
  rootArray: { type: "array", items: { type: "string", enum: ["x", "y"] }, minItems: 3 },
};

for (const [name, schema] of Object.entries(SCHEMAS)) {
  test(`values generated for the ${name} schema validate, whatever the seed`, () => {
    for (let seed = 0; seed < 200; seed++) {
      const value = generateFromSchema(schema, { rng: createRng(seed), facts });
      assert.deepEqual(checkSchema(value, schema), [], `seed ${seed}: ${JSON.stringify(value)}`);
    }
  });
}

test("strings come from the prompt where the property name suggests what they hold", () => {
  const value = generateFromSchema(SCHEMAS.strict, { rng: createRng(1), facts }) as { customer: Record<string, unknown> };
  assert.equal(value.customer.name, "Ana Silva");
  assert.equal(value.customer.email, "ana@example.org");
  assert.equal(value.customer.since, "2026-02-03");
});

test("the checker itself rejects wrong values", () => {
  assert.notDeepEqual(checkSchema({ customer: {} }, SCHEMAS.strict), []);
  assert.notDeepEqual(checkSchema(["x", "z", "y"], SCHEMAS.rootArray), []);
});
