import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest } from "../../core/request.ts";
import { SKIP_THOUGHT_SIGNATURE } from "./map-gemini-contents.ts";
import { mapGeminiRequest } from "./map-gemini-request.ts";
import { toGeminiSchema } from "./to-gemini-schema.ts";

const base = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "hi" }], stream: false, extra: {}, ...extra });

test("a conversation: system instruction, parts, tool calls and results, merged turns", () => {
  const { body, warnings } = mapGeminiRequest(
    base({
      messages: [
        { role: "system", content: "Be brief." },
        { role: "system", content: "Answer in French." },
        {
          role: "user",
          content: [
            { type: "text", text: "What is on these?" },
            { type: "image", url: "data:image/png;base64,iVBORw0KGgo=" },
            { type: "image", url: "https://example.com/cat.JPG?size=large", detail: "auto" },
            { type: "image", url: "https://example.com/render" },
          ],
        },
        { role: "user", content: "And the weather?" },
        {
          role: "assistant",
          content: "Let me check.",
          reasoning: "hidden",
          toolCalls: [
            { id: "call_0", name: "weather", arguments: '{"city":"Paris"}' },
            { id: "call_1", name: "time", arguments: "" },
          ],
        },
        { role: "tool", toolCallId: "call_0", content: '{"temp": 21}' },
        { role: "tool", toolCallId: "call_1", content: "12:00" },
        { role: "assistant", content: "Sunny, noon." },
        { role: "assistant", content: null },
      ],
    }),
    "gemini",
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(body, {
    systemInstruction: { parts: [{ text: "Be brief." }, { text: "Answer in French." }] },
    contents: [
      {
        role: "user",
        parts: [
          { text: "What is on these?" },
          { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
          { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.JPG?size=large" } },
          { fileData: { fileUri: "https://example.com/render" } },
          { text: "And the weather?" },
        ],
      },
      {
        role: "model",
        parts: [
          { text: "Let me check." },
          { functionCall: { id: "call_0", name: "weather", args: { city: "Paris" } }, thoughtSignature: SKIP_THOUGHT_SIGNATURE },
          { functionCall: { id: "call_1", name: "time", args: {} }, thoughtSignature: SKIP_THOUGHT_SIGNATURE },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { id: "call_0", name: "weather", response: { temp: 21 } } },
          { functionResponse: { id: "call_1", name: "time", response: { content: "12:00" } } },
        ],
      },
      { role: "model", parts: [{ text: "Sunny, noon." }] },
    ],
  });
});

test("a tool result names the call of the nearest earlier turn, as ids repeat across turns", () => {
  const { body } = mapGeminiRequest(
    base({
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: null, toolCalls: [{ id: "call_0", name: "first", arguments: "{}" }] },
        { role: "tool", toolCallId: "call_0", content: "[1,2]" },
        { role: "assistant", content: null, toolCalls: [{ id: "call_0", name: "second", arguments: "{}" }] },
        { role: "tool", toolCallId: "call_0", content: "null" },
      ],
    }),
    "gemini",
  );
  const contents = body["contents"] as { parts: { functionResponse?: { name: string; response: unknown } }[] }[];
  assert.deepEqual(
    contents.flatMap((c) => c.parts.flatMap((p) => (p.functionResponse ? [[p.functionResponse.name, p.functionResponse.response]] : []))),
    [
      ["first", { content: "[1,2]" }],
      ["second", { content: "null" }],
    ],
  );
});

test("tools, tool choice and generation settings", () => {
  const choices = [
    ["auto", { mode: "AUTO" }],
    ["required", { mode: "ANY" }],
    ["none", { mode: "NONE" }],
    [{ type: "tool", name: "f" }, { mode: "ANY", allowedFunctionNames: ["f"] }],
  ] as const;
  for (const [choice, config] of choices) {
    const { body } = mapGeminiRequest(base({ tools: [{ name: "f" }], toolChoice: choice }), "gemini");
    assert.deepEqual(body["tools"], [{ functionDeclarations: [{ name: "f" }] }]);
    assert.deepEqual(body["toolConfig"], { functionCallingConfig: config });
  }
  const { body, warnings } = mapGeminiRequest(
    base({ maxOutputTokens: 10, temperature: 0, topP: 1, stop: ["x", "y"], seed: 3, extra: { presence_penalty: 0.5, frequency_penalty: 0.1, top_k: 40, n: 1, stream_options: { include_usage: true } } }),
    "gemini",
  );
  assert.deepEqual(body["generationConfig"], { maxOutputTokens: 10, temperature: 0, topP: 1, stopSequences: ["x", "y"], seed: 3, presencePenalty: 0.5, frequencyPenalty: 0.1, topK: 40 });
  assert.deepEqual(warnings, []);
});

test("response formats: json_object, and json_schema as responseJsonSchema", () => {
  assert.deepEqual(mapGeminiRequest(base({ responseFormat: { type: "json_object" } }), "g").body["generationConfig"], { responseMimeType: "application/json" });
  assert.equal(mapGeminiRequest(base({ responseFormat: { type: "text" } }), "g").body["generationConfig"], undefined);
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, zip: { type: ["string", "null"], pattern: "^[0-9]{5}$" }, tags: { type: "array", items: { $ref: "#/$defs/tag" } } },
    required: ["city", "zip", "tags"],
    additionalProperties: false,
    $defs: { tag: { type: "string", minLength: 1 } },
  };
  const { body, warnings } = mapGeminiRequest(base({ responseFormat: { type: "json_schema", name: "place", schema, strict: true } }), "g");
  assert.deepEqual(body["generationConfig"], { responseMimeType: "application/json", responseJsonSchema: schema });
  assert.deepEqual(warnings, ["response_format json_schema: Gemini does not enforce pattern, minLength"]);
});

test("reasoning effort → thinkingConfig, per model family", () => {
  const config = (model: string, reasoningEffort: ChatRequest["reasoningEffort"]): unknown[] => {
    const { body, warnings } = mapGeminiRequest(base({ model, reasoningEffort }), "g");
    return [(body["generationConfig"] as Record<string, unknown> | undefined)?.["thinkingConfig"], warnings.length];
  };
  assert.deepEqual(config("gemini-2.5-flash", "none"), [{ thinkingBudget: 0 }, 0]);
  assert.deepEqual(config("gemini-2.5-flash", "low"), [{ thinkingBudget: 1024, includeThoughts: true }, 0]);
  assert.deepEqual(config("gemini-2.5-flash-lite", "medium"), [{ thinkingBudget: 8192, includeThoughts: true }, 0]);
  assert.deepEqual(config("gemini-2.5-flash", "xhigh"), [{ thinkingBudget: 24576, includeThoughts: true }, 1]);
  assert.deepEqual(config("gemini-2.5-pro", "xhigh"), [{ thinkingBudget: 32768, includeThoughts: true }, 0]);
  assert.deepEqual(config("gemini-2.5-pro", "none"), [{ thinkingBudget: 128 }, 1]);
  assert.deepEqual(config("gemini-3-pro-preview", "medium"), [{ thinkingLevel: "high", includeThoughts: true }, 1]);
  assert.deepEqual(config("gemini-3-pro-preview", "low"), [{ thinkingLevel: "low", includeThoughts: true }, 0]);
  assert.deepEqual(config("gemini-3.1-pro-preview", "minimal"), [{ thinkingLevel: "low", includeThoughts: true }, 1]);
  assert.deepEqual(config("gemini-3-flash-preview", "medium"), [{ thinkingLevel: "medium", includeThoughts: true }, 0]);
  assert.deepEqual(config("gemini-3-flash-preview", "none"), [{ thinkingLevel: "low" }, 1]);
  assert.deepEqual(config("gemini-2.0-flash", "high"), [undefined, 1]);
  assert.deepEqual(config("gemini-2.0-flash", "none"), [undefined, 0]);
  assert.deepEqual(config("gemini-flash-latest", "high"), [{ thinkingBudget: 24576, includeThoughts: true }, 0], "an unknown name gets a budget, which Gemini 3 also takes");
});

test("what Gemini cannot honour is reported, never dropped silently", () => {
  const { warnings } = mapGeminiRequest(
    base({
      messages: [
        { role: "user", content: [{ type: "image", url: "https://x.test/a.png", detail: "low" }], name: "ann" },
        { role: "system", content: "late" },
      ],
      user: "u-1",
      metadata: { team: "search" },
      parallelToolCalls: false,
      extra: { logprobs: true, top_logprobs: 2, n: 3, logit_bias: {} },
      tools: [{ name: "f", parameters: { type: "object", properties: { email: { type: "string", format: "email" }, n: { type: "integer", exclusiveMinimum: 0 } }, additionalProperties: true } }],
    }),
    "gemini",
  );
  assert.deepEqual(warnings, [
    "user message `name` is not supported by Gemini and was dropped",
    'image detail "low" is not supported by Gemini and was ignored',
    "system messages after the conversation started were moved to Gemini's systemInstruction",
    "tool parameters: JSON Schema keywords Gemini does not support were dropped: format: email, exclusiveMinimum, additionalProperties",
    "not supported by Gemini and not sent: logprobs, top_logprobs, n, logit_bias",
    "parallel_tool_calls false is not supported by Gemini (it may call several functions at once)",
    "user is not supported by Gemini and was not sent",
    "metadata is not supported by Gemini and was not sent",
  ]);
});

test("inputs Gemini cannot take are bad requests", () => {
  const cases: ChatRequest["messages"][] = [
    [{ role: "user", content: [{ type: "image", url: "ftp://x.test/a.png" }] }],
    [{ role: "assistant", content: null, toolCalls: [{ id: "c", name: "f", arguments: "[1,2]" }] }],
    [{ role: "tool", toolCallId: "nope", content: "x" }],
  ];
  for (const messages of cases) {
    assert.throws(() => mapGeminiRequest(base({ messages }), "gemini"), (err: unknown) => err instanceof GatewayError && err.kind === "bad_request" && err.provider === "gemini");
  }
});

test("tool schemas: supported keywords pass; annotations and additionalProperties: false go without a word", () => {
  const { schema, dropped } = toGeminiSchema({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    title: "Args",
    properties: {
      city: { type: "string", description: "City", enum: ["Paris", "Rome"] },
      when: { type: "string", format: "date-time" },
      count: { type: "integer", format: "int32", minimum: 1, maximum: 9, default: 1 },
      tags: { type: "array", items: { type: "string" }, minItems: 1 },
    },
    required: ["city"],
    additionalProperties: false,
  });
  assert.deepEqual(schema, {
    type: "object",
    title: "Args",
    properties: {
      city: { type: "string", description: "City", enum: ["Paris", "Rome"] },
      when: { type: "string", format: "date-time" },
      count: { type: "integer", format: "int32", minimum: 1, maximum: 9, default: 1 },
      tags: { type: "array", items: { type: "string" }, minItems: 1 },
    },
    required: ["city"],
  });
  assert.deepEqual(dropped, []);
});

test("tool schemas: conversions: type arrays, null branches, const, single allOf, local $refs", () => {
  const { schema, dropped } = toGeminiSchema({
    type: "object",
    properties: {
      a: { type: ["string", "null"] },
      b: { anyOf: [{ type: "integer" }, { type: "null" }] },
      c: { anyOf: [{ type: "integer" }, { type: "string" }] },
      d: { const: "fixed" },
      e: { allOf: [{ $ref: "#/$defs/point" }], description: "where" },
      f: { type: ["number", "boolean"] },
    },
    $defs: { point: { type: "object", properties: { x: { type: "number" } } } },
  });
  assert.deepEqual(schema, {
    type: "object",
    properties: {
      a: { type: "string", nullable: true },
      b: { nullable: true, type: "integer" },
      c: { anyOf: [{ type: "integer" }, { type: "string" }] },
      d: { enum: ["fixed"] },
      e: { type: "object", properties: { x: { type: "number" } }, description: "where" },
      f: { anyOf: [{ type: "number" }, { type: "boolean" }] },
    },
  });
  assert.deepEqual(dropped, []);
});

test("tool schemas: what has no equivalent is dropped and named", () => {
  const { schema, dropped } = toGeminiSchema({
    type: "object",
    properties: {
      node: { $ref: "#/definitions/node" },
      mail: { type: "string", format: "email" },
      n: { type: "number", multipleOf: 2, enum: [1, 2] },
      pick: { oneOf: [{ type: "string" }, { type: "number" }] },
      both: { allOf: [{ type: "object" }, { required: ["x"] }] },
      ext: { $ref: "https://example.com/schema.json" },
      map: { type: "object", additionalProperties: { type: "string" } },
    },
    definitions: { node: { type: "object", properties: { next: { $ref: "#/definitions/node" } } } },
  });
  assert.deepEqual(dropped, [
    "recursive $ref #/definitions/node",
    "format: email",
    "multipleOf",
    "enum (non-string values)",
    "oneOf (sent as anyOf)",
    "allOf",
    "$ref https://example.com/schema.json",
    "additionalProperties",
  ]);
  assert.deepEqual((schema?.["properties"] as Record<string, unknown>)["node"], { type: "object", properties: { next: { type: "object" } } });
  assert.deepEqual((schema?.["properties"] as Record<string, unknown>)["pick"], { anyOf: [{ type: "string" }, { type: "number" }] });
});

test("a function without arguments has no parameters", () => {
  assert.equal(toGeminiSchema({ type: "object", properties: {}, additionalProperties: false }).schema, undefined);
  assert.equal(toGeminiSchema({ type: "object" }).schema, undefined);
  assert.deepEqual(toGeminiSchema({ type: "object", properties: { a: { type: "object", properties: {} } } }).schema, { type: "object", properties: { a: { type: "object" } } });
});
