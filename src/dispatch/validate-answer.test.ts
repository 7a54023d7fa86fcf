import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatRequest, ResponseFormat } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import { validateAnswer, type ValidateSettings } from "./validate-answer.ts";

const ALL: ValidateSettings = { json_schema: true, non_empty: true, refusal: true, length: true };
const NONE: ValidateSettings = { json_schema: false, non_empty: false, refusal: false, length: false };

const PERSON_SCHEMA = {
  type: "object",
  properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 }, tags: { type: "array", items: { type: "string" } } },
  required: ["name", "age"],
  additionalProperties: false,
};

function request(responseFormat?: ResponseFormat): ChatRequest {
  return { model: "m", messages: [{ role: "user", content: "hi" }], stream: false, extra: {}, ...(responseFormat && { responseFormat }) };
}

const jsonSchema = (schema: Record<string, unknown> = PERSON_SCHEMA): ResponseFormat => ({ type: "json_schema", name: "person", schema, strict: true });

function result(overrides: Partial<ChatResult> = {}): ChatResult {
  return {
    id: "r1",
    model: "m",
    created: 0,
    content: "hello",
    toolCalls: [],
    finishReason: { unified: "stop", raw: "stop" },
    usage: null,
    ...overrides,
  };
}

describe("validateAnswer", () => {
  const cases: { name: string; answer: Partial<ChatResult>; format?: ResponseFormat; checks?: ValidateSettings; expected: string | RegExp | null }[] = [
    { name: "a plain answer passes", answer: {}, expected: null },
    { name: "valid JSON matching the schema passes", answer: { content: '{"name":"Ada","age":36}' }, format: jsonSchema(), expected: null },
    { name: "valid JSON with whitespace around passes", answer: { content: '\n  {"name":"Ada","age":36,"tags":["x"]}  \n' }, format: jsonSchema(), expected: null },
    { name: "json_object: any valid JSON passes", answer: { content: "[1,2,3]" }, format: { type: "json_object" }, expected: null },
    {
      name: "json_object: invalid JSON fails, quoting the answer",
      answer: { content: "Sure! Here is the JSON: {" },
      format: { type: "json_object" },
      expected: "the answer is not valid JSON: Sure! Here is the JSON: {",
    },
    { name: "json_schema: invalid JSON fails", answer: { content: '{"name": "Ada", "age": 36' }, format: jsonSchema(), expected: /^the answer is not valid JSON: \{"name": "Ada", "age": 36$/ },
    {
      name: "json_schema: a long invalid answer is clipped in the message",
      answer: { content: `{${"x".repeat(500)}` },
      format: jsonSchema(),
      expected: `the answer is not valid JSON: {${"x".repeat(116)}...`,
    },
    {
      name: "json_schema: a missing required property fails at the root",
      answer: { content: '{"name":"Ada"}' },
      format: jsonSchema(),
      expected: "the answer does not match json_schema person: / must have required property 'age'",
    },
    {
      name: "json_schema: a wrong type names the path",
      answer: { content: '{"name":"Ada","age":"thirty-six"}' },
      format: jsonSchema(),
      expected: "the answer does not match json_schema person: /age must be integer",
    },
    {
      name: "json_schema: a nested path",
      answer: { content: '{"name":"Ada","age":36,"tags":["ok",7]}' },
      format: jsonSchema(),
      expected: "the answer does not match json_schema person: /tags/1 must be string",
    },
    {
      name: "json_schema: an extra property fails",
      answer: { content: '{"name":"Ada","age":36,"x":1}' },
      format: jsonSchema(),
      expected: "the answer does not match json_schema person: / must NOT have additional properties",
    },
    { name: "a text response_format is not parsed as JSON", answer: { content: "not json" }, format: { type: "text" }, expected: null },
    { name: "no response_format: not parsed as JSON", answer: { content: "{" }, expected: null },
    { name: "an empty answer fails", answer: { content: "" }, expected: "the answer is empty" },
    { name: "a null answer fails", answer: { content: null }, expected: "the answer is empty" },
    { name: "a whitespace-only answer fails", answer: { content: " \n\t " }, expected: "the answer is empty" },
    {
      name: "tool calls count as non-empty",
      answer: { content: null, toolCalls: [{ id: "c1", name: "lookup", arguments: "{}" }], finishReason: { unified: "tool_calls", raw: "tool_calls" } },
      expected: null,
    },
    {
      name: "tool calls are not checked against the json_schema",
      answer: { content: null, toolCalls: [{ id: "c1", name: "lookup", arguments: "{}" }] },
      format: jsonSchema(),
      expected: null,
    },
    { name: "a refusal fails, quoting it", answer: { content: null, refusal: "I can't help with that." }, expected: "the model refused: I can't help with that." },
    { name: "a refusal is checked before JSON", answer: { content: "", refusal: "No." }, format: jsonSchema(), expected: "the model refused: No." },
    { name: "an empty refusal string is no refusal", answer: { refusal: "" }, expected: null },
    {
      name: "finish length fails",
      answer: { content: '{"name":"Ad', finishReason: { unified: "length", raw: "length" } },
      format: jsonSchema(),
      expected: "the answer was cut off by the output token limit (finish_reason: length)",
    },
    // Each check switched off on its own.
    { name: "json_schema off: invalid JSON passes", answer: { content: "{" }, format: jsonSchema(), checks: { ...ALL, json_schema: false }, expected: null },
    { name: "json_schema off: a schema mismatch passes", answer: { content: "{}" }, format: jsonSchema(), checks: { ...ALL, json_schema: false }, expected: null },
    { name: "non_empty off: an empty answer passes", answer: { content: "" }, checks: { ...ALL, non_empty: false }, expected: null },
    {
      name: "non_empty off: an empty answer to a JSON request still fails as JSON",
      answer: { content: "" },
      format: { type: "json_object" },
      checks: { ...ALL, non_empty: false },
      expected: "the answer is not valid JSON: ",
    },
    { name: "refusal off: a refusal with text passes", answer: { refusal: "No." }, checks: { ...ALL, refusal: false }, expected: null },
    { name: "refusal off: a refusal without text is still empty", answer: { content: null, refusal: "No." }, checks: { ...ALL, refusal: false }, expected: "the answer is empty" },
    { name: "length off: a cut answer passes", answer: { finishReason: { unified: "length", raw: "length" } }, checks: { ...ALL, length: false }, expected: null },
    {
      name: "all off: anything passes",
      answer: { content: "", refusal: "No.", finishReason: { unified: "length", raw: "max_tokens" } },
      format: jsonSchema(),
      checks: NONE,
      expected: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const failure = validateAnswer(result(c.answer), request(c.format), c.checks ?? ALL);
      if (c.expected === null || typeof c.expected === "string") assert.equal(failure, c.expected);
      else assert.match(failure ?? "", c.expected);
    });
  }

  it("an uncompilable schema does not throw; the JSON is still checked", () => {
    const bad = jsonSchema({ type: "object", properties: { a: { type: "no-such-type" } } });
    assert.doesNotThrow(() => validateAnswer(result({ content: '{"a":1}' }), request(bad), ALL));
    assert.equal(validateAnswer(result({ content: '{"a":1}' }), request(bad), ALL), null);
    assert.match(validateAnswer(result({ content: "{" }), request(bad), ALL) ?? "", /not valid JSON/);
    // Asked again (cached as uncompilable): same answer.
    assert.equal(validateAnswer(result({ content: '{"a":1}' }), request(bad), ALL), null);
  });

  it("a schema with an unresolvable $ref does not throw", () => {
    const bad = jsonSchema({ $ref: "#/definitions/missing" });
    assert.equal(validateAnswer(result({ content: "{}" }), request(bad), ALL), null);
  });

  it("the same schema sent again is validated the same way (compiled once)", () => {
    for (let i = 0; i < 3; i += 1) {
      assert.equal(validateAnswer(result({ content: '{"name":"Ada","age":36}' }), request(jsonSchema()), ALL), null);
      assert.match(validateAnswer(result({ content: '{"name":"Ada"}' }), request(jsonSchema()), ALL) ?? "", /required property 'age'/);
    }
  });

  it("more schemas than the cache holds: an evicted one is compiled again and still checked", () => {
    const schemaFor = (i: number) => jsonSchema({ type: "object", properties: { [`k${i}`]: { type: "integer" } }, required: [`k${i}`] });
    for (let i = 0; i < 505; i += 1) {
      assert.match(validateAnswer(result({ content: "{}" }), request(schemaFor(i)), ALL) ?? "", new RegExp(`required property 'k${i}'`));
    }
    assert.equal(validateAnswer(result({ content: '{"k0":0}' }), request(schemaFor(0)), ALL), null);
    assert.match(validateAnswer(result({ content: '{"k0":"x"}' }), request(schemaFor(0)), ALL) ?? "", /\/k0 must be integer/);
  });

  it("a draft 2020-12 schema (as zod's toJSONSchema writes it) is checked", () => {
    const schema = { $schema: "https://json-schema.org/draft/2020-12/schema", ...PERSON_SCHEMA, properties: { ...PERSON_SCHEMA.properties, tags: { type: "array", prefixItems: [{ type: "string" }] } } };
    assert.equal(validateAnswer(result({ content: '{"name":"Ada","age":36,"tags":["a",1]}' }), request(jsonSchema(schema)), ALL), null);
    assert.equal(
      validateAnswer(result({ content: '{"name":"Ada","age":"x"}' }), request(jsonSchema(schema)), ALL),
      "the answer does not match json_schema person: /age must be integer",
    );
    assert.equal(
      validateAnswer(result({ content: '{"name":"Ada","age":1,"tags":[2]}' }), request(jsonSchema(schema)), ALL),
      "the answer does not match json_schema person: /tags/0 must be string",
    );
  });

  it("a draft-07 schema naming its $schema is checked", () => {
    const schema = { $schema: "http://json-schema.org/draft-07/schema#", ...PERSON_SCHEMA };
    assert.match(validateAnswer(result({ content: '{"name":"Ada"}' }), request(jsonSchema(schema)), ALL) ?? "", /required property 'age'/);
  });

  it("two different schemas with the same $id are each checked against their own", () => {
    const first = jsonSchema({ $id: "https://example.com/person", ...PERSON_SCHEMA });
    const second = jsonSchema({ $id: "https://example.com/person", type: "object", properties: { title: { type: "string" } }, required: ["title"] });
    assert.equal(validateAnswer(result({ content: '{"name":"Ada","age":36}' }), request(first), ALL), null);
    assert.equal(validateAnswer(result({ content: '{"title":"Dr"}' }), request(second), ALL), null);
    assert.match(validateAnswer(result({ content: '{"name":"Ada","age":36}' }), request(second), ALL) ?? "", /required property 'title'/);
  });

  it("a recursive schema is checked", () => {
    const tree = jsonSchema({ type: "object", properties: { n: { type: "integer" }, kids: { type: "array", items: { $ref: "#" } } }, required: ["n"] });
    assert.equal(validateAnswer(result({ content: '{"n":1,"kids":[{"n":2,"kids":[{"n":3}]}]}' }), request(tree), ALL), null);
    assert.equal(validateAnswer(result({ content: '{"n":1,"kids":[{"n":2,"kids":[{"n":"x"}]}]}' }), request(tree), ALL), "the answer does not match json_schema person: /kids/0/kids/0/n must be integer");
  });

  it("unknown formats are ignored quietly, and a non-string $id does not throw", (t) => {
    const warn = t.mock.method(console, "warn", () => undefined);
    const log = t.mock.method(console, "log", () => undefined);
    const dated = jsonSchema({ type: "object", properties: { at: { type: "string", format: "date-time" }, mail: { type: "string", format: "email" } } });
    assert.equal(validateAnswer(result({ content: '{"at":"not a date","mail":"nope"}' }), request(dated), ALL), null);
    assert.equal(warn.mock.callCount() + log.mock.callCount(), 0, "nothing logged");
    assert.equal(validateAnswer(result({ content: "{}" }), request(jsonSchema({ $id: 5, type: "object" })), ALL), null);
  });
});
