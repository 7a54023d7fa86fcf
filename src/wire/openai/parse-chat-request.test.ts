import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest, Message } from "../../core/request.ts";
import { parseChatRequest } from "./parse-chat-request.ts";

const USER = { role: "user", content: "hi" } as const;

/** A valid body with `fields` on top. */
const body = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({ model: "m", messages: [USER], ...fields });

function rejection(input: unknown): GatewayError {
  try {
    parseChatRequest(input);
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be rejected`);
}

interface MessageCase {
  name: string;
  message: Record<string, unknown>;
  expected: Message;
}

const messageCases: MessageCase[] = [
  { name: "system string", message: { role: "system", content: "Be brief." }, expected: { role: "system", content: "Be brief." } },
  {
    name: "system text parts are joined, its name dropped",
    message: { role: "system", name: "ops", content: [{ type: "text", text: "Be " }, { type: "text", text: "brief." }] },
    expected: { role: "system", content: "Be brief." },
  },
  { name: "developer becomes system", message: { role: "developer", content: "Use JSON." }, expected: { role: "system", content: "Use JSON." } },
  {
    name: "developer text parts become one system text",
    message: { role: "developer", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
    expected: { role: "system", content: "ab" },
  },
  { name: "user string keeps its name", message: { role: "user", name: "ana", content: "hello" }, expected: { role: "user", name: "ana", content: "hello" } },
  {
    name: "user text and image parts, detail only when given",
    message: {
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
      ],
    },
    expected: {
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image", url: "https://example.com/cat.png", detail: "low" },
        { type: "image", url: "data:image/png;base64,AAAA" },
      ],
    },
  },
  {
    name: "assistant with tool calls (type optional) and null content",
    message: {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
        { id: "call_2", function: { name: "time", arguments: "{}" } },
      ],
    },
    expected: {
      role: "assistant",
      content: null,
      toolCalls: [
        { id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' },
        { id: "call_2", name: "time", arguments: "{}" },
      ],
    },
  },
  {
    name: "assistant reasoning_content becomes reasoning",
    message: { role: "assistant", content: "42", reasoning_content: "6 times 7" },
    expected: { role: "assistant", content: "42", reasoning: "6 times 7" },
  },
  {
    name: "assistant null reasoning_content is left out",
    message: { role: "assistant", content: "ok", reasoning_content: null },
    expected: { role: "assistant", content: "ok" },
  },
  { name: "assistant without content has null content", message: { role: "assistant" }, expected: { role: "assistant", content: null } },
  {
    name: "assistant text parts are joined",
    message: { role: "assistant", content: [{ type: "text", text: "x" }, { type: "text", text: "y" }] },
    expected: { role: "assistant", content: "xy" },
  },
  {
    name: "tool result",
    message: { role: "tool", tool_call_id: "call_1", content: '{"temp":3}' },
    expected: { role: "tool", toolCallId: "call_1", content: '{"temp":3}' },
  },
  {
    name: "tool result in text parts",
    message: { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "3" }, { type: "text", text: " °C" }] },
    expected: { role: "tool", toolCallId: "call_1", content: "3 °C" },
  },
];

for (const c of messageCases) {
  test(`message: ${c.name}`, () => {
    const { request } = parseChatRequest({ model: "m", messages: [c.message] });
    assert.deepEqual(request.messages, [c.expected]);
  });
}

test("messages keep their order", () => {
  const { request } = parseChatRequest({
    model: "m",
    messages: [
      { role: "system", content: "s" },
      { role: "user", content: "u" },
      { role: "assistant", content: "a" },
      { role: "user", content: "u2" },
    ],
  });
  assert.deepEqual(request.messages.map((m) => m.role), ["system", "user", "assistant", "user"]);
  assert.deepEqual(request.messages.map((m) => m.content), ["s", "u", "a", "u2"]);
});

const EPHEMERAL = { type: "ephemeral" } as const;
const HOUR = { type: "ephemeral", ttl: "1h" } as const;

interface CacheCase {
  name: string;
  message: Record<string, unknown>;
  expected: Message[];
}

const cacheCases: CacheCase[] = [
  {
    name: "on user text and image parts; null is none",
    message: {
      role: "user",
      content: [
        { type: "text", text: "Read this.", cache_control: null },
        { type: "image_url", image_url: { url: "https://example.com/a.png" }, cache_control: HOUR },
        { type: "text", text: "Now answer.", cache_control: EPHEMERAL },
      ],
    },
    expected: [{
      role: "user",
      content: [
        { type: "text", text: "Read this." },
        { type: "image", url: "https://example.com/a.png", cacheControl: HOUR },
        { type: "text", text: "Now answer.", cacheControl: EPHEMERAL },
      ],
    }],
  },
  {
    name: "on a user message with a string: it becomes one marked text part",
    message: { role: "user", name: "ana", content: "Long document…", cache_control: EPHEMERAL },
    expected: [{ role: "user", name: "ana", content: [{ type: "text", text: "Long document…", cacheControl: EPHEMERAL }] }],
  },
  {
    name: "on a user message with parts: it marks the last part, unless that part has its own",
    message: { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b", cache_control: HOUR }], cache_control: EPHEMERAL },
    expected: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b", cacheControl: HOUR }] }],
  },
  {
    name: "on a user message with parts whose last part is unmarked",
    message: { role: "user", content: [{ type: "text", text: "a", cache_control: HOUR }, { type: "text", text: "b" }], cache_control: EPHEMERAL },
    expected: [{ role: "user", content: [{ type: "text", text: "a", cacheControl: HOUR }, { type: "text", text: "b", cacheControl: EPHEMERAL }] }],
  },
  {
    name: "system parts are split after each breakpoint, each piece keeping its own",
    message: {
      role: "system",
      content: [
        { type: "text", text: "You are " },
        { type: "text", text: "a helper.", cache_control: HOUR },
        { type: "text", text: "<the whole book>", cache_control: EPHEMERAL },
        { type: "text", text: "Be brief." },
      ],
    },
    expected: [
      { role: "system", content: "You are a helper.", cacheControl: HOUR },
      { role: "system", content: "<the whole book>", cacheControl: EPHEMERAL },
      { role: "system", content: "Be brief." },
    ],
  },
  {
    name: "on a developer message with a string",
    message: { role: "developer", content: "Use JSON.", cache_control: EPHEMERAL },
    expected: [{ role: "system", content: "Use JSON.", cacheControl: EPHEMERAL }],
  },
  {
    name: "on a system message with parts: it marks the unmarked rest",
    message: { role: "system", content: [{ type: "text", text: "a", cache_control: HOUR }, { type: "text", text: "b" }], cache_control: EPHEMERAL },
    expected: [{ role: "system", content: "a", cacheControl: HOUR }, { role: "system", content: "b", cacheControl: EPHEMERAL }],
  },
  {
    name: "on a tool message",
    message: { role: "tool", tool_call_id: "call_1", content: "3 °C", cache_control: EPHEMERAL },
    expected: [{ role: "tool", toolCallId: "call_1", content: "3 °C", cacheControl: EPHEMERAL }],
  },
  {
    name: "on a tool message's part: the joined result carries it",
    message: { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "3", cache_control: HOUR }, { type: "text", text: " °C" }] },
    expected: [{ role: "tool", toolCallId: "call_1", content: "3 °C", cacheControl: HOUR }],
  },
];

for (const c of cacheCases) {
  test(`cache_control: ${c.name}`, () => {
    const { request, warnings } = parseChatRequest({ model: "m", messages: [c.message] });
    assert.deepEqual(request.messages, c.expected);
    assert.deepEqual(warnings, []);
  });
}

test("cache_control on tools: beside `function` (LiteLLM's first choice) or inside it", () => {
  const parameters = { type: "object", properties: {} };
  const { request } = parseChatRequest(body({
    tools: [
      { type: "function", function: { name: "a", parameters } },
      { type: "function", function: { name: "b", parameters, cache_control: HOUR } },
      { type: "function", function: { name: "c", parameters, cache_control: HOUR }, cache_control: EPHEMERAL },
    ],
  }));
  assert.deepEqual(request.tools, [
    { name: "a", parameters },
    { name: "b", parameters, cacheControl: HOUR },
    { name: "c", parameters, cacheControl: EPHEMERAL },
  ]);
  assert.equal(Object.hasOwn(request.extra, "cache_control"), false);
});

test("a request-level cache_control (OpenRouter's automatic caching) marks the last user or tool message and never goes to extra", () => {
  const { request, warnings } = parseChatRequest(body({
    cache_control: HOUR,
    messages: [{ role: "system", content: "s" }, USER, { role: "assistant", content: "prefill" }],
  }));
  assert.deepEqual(request.messages, [
    { role: "system", content: "s" },
    { role: "user", content: [{ type: "text", text: "hi", cacheControl: HOUR }] },
    { role: "assistant", content: "prefill" },
  ]);
  assert.deepEqual(request.extra, {});
  assert.deepEqual(warnings, []);
  const err = rejection(body({ cache_control: { type: "auto" } }));
  assert.equal(err.param, "cache_control");
  assert.match(err.message, /^Invalid value for 'cache_control': expected \{"type": "ephemeral"\}/);
});

test("cache_control on assistant messages is dropped with one warning", () => {
  const { request, warnings } = parseChatRequest(body({
    messages: [
      USER,
      { role: "assistant", content: [{ type: "text", text: "x", cache_control: EPHEMERAL }] },
      USER,
      { role: "assistant", content: "y", cache_control: EPHEMERAL },
    ],
  }));
  assert.deepEqual(request.messages.filter((m) => m.role === "assistant"), [{ role: "assistant", content: "x" }, { role: "assistant", content: "y" }]);
  assert.deepEqual(warnings, [
    "cache_control on assistant messages was dropped: the gateway keeps cache breakpoints on system, user and tool messages and on tools (mark the next user message instead)",
  ]);
});

interface FieldCase {
  name: string;
  fields: Record<string, unknown>;
  /** The expected values of these core fields; `undefined` means the field must be absent. */
  expected: Partial<Record<keyof ChatRequest, unknown>>;
}

const WEATHER_PARAMS = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

const fieldCases: FieldCase[] = [
  {
    name: "tools with description, parameters and strict",
    fields: { tools: [{ type: "function", function: { name: "weather", description: "Weather by city", parameters: WEATHER_PARAMS, strict: true } }] },
    expected: { tools: [{ name: "weather", description: "Weather by city", parameters: WEATHER_PARAMS, strict: true }] },
  },
  {
    name: "a bare tool has only its name; strict null is left out",
    fields: { tools: [{ type: "function", function: { name: "noop", strict: null } }] },
    expected: { tools: [{ name: "noop" }] },
  },
  { name: "tool_choice auto", fields: { tool_choice: "auto" }, expected: { toolChoice: "auto" } },
  { name: "tool_choice none", fields: { tool_choice: "none" }, expected: { toolChoice: "none" } },
  { name: "tool_choice required", fields: { tool_choice: "required" }, expected: { toolChoice: "required" } },
  {
    name: "named tool_choice",
    fields: { tool_choice: { type: "function", function: { name: "weather" } } },
    expected: { toolChoice: { type: "tool", name: "weather" } },
  },
  { name: "parallel_tool_calls false is kept", fields: { parallel_tool_calls: false }, expected: { parallelToolCalls: false } },
  { name: "response_format text", fields: { response_format: { type: "text" } }, expected: { responseFormat: { type: "text" } } },
  { name: "response_format json_object", fields: { response_format: { type: "json_object" } }, expected: { responseFormat: { type: "json_object" } } },
  {
    name: "response_format json_schema with schema, strict and description",
    fields: { response_format: { type: "json_schema", json_schema: { name: "answer", description: "the answer", schema: WEATHER_PARAMS, strict: true } } },
    expected: { responseFormat: { type: "json_schema", name: "answer", description: "the answer", schema: WEATHER_PARAMS, strict: true } },
  },
  {
    name: "response_format json_schema without schema gets an empty schema; strict false is kept",
    fields: { response_format: { type: "json_schema", json_schema: { name: "free", strict: false } } },
    expected: { responseFormat: { type: "json_schema", name: "free", schema: {}, strict: false } },
  },
  {
    name: "response_format json_schema strict null is left out",
    fields: { response_format: { type: "json_schema", json_schema: { name: "n", schema: {}, strict: null } } },
    expected: { responseFormat: { type: "json_schema", name: "n", schema: {} } },
  },
  { name: "max_tokens alone", fields: { max_tokens: 100 }, expected: { maxOutputTokens: 100 } },
  { name: "max_completion_tokens alone", fields: { max_completion_tokens: 200 }, expected: { maxOutputTokens: 200 } },
  { name: "max_completion_tokens wins over max_tokens", fields: { max_tokens: 100, max_completion_tokens: 200 }, expected: { maxOutputTokens: 200 } },
  { name: "max_completion_tokens wins even when smaller", fields: { max_tokens: 500, max_completion_tokens: 20 }, expected: { maxOutputTokens: 20 } },
  { name: "null max_completion_tokens falls back to max_tokens", fields: { max_tokens: 50, max_completion_tokens: null }, expected: { maxOutputTokens: 50 } },
  { name: "no token limit", fields: { max_tokens: null }, expected: { maxOutputTokens: undefined } },
  { name: "stop string becomes an array", fields: { stop: "END" }, expected: { stop: ["END"] } },
  { name: "stop array is kept", fields: { stop: ["a", "b"] }, expected: { stop: ["a", "b"] } },
  { name: "stop null is left out", fields: { stop: null }, expected: { stop: undefined } },
  { name: "temperature 0 is kept", fields: { temperature: 0 }, expected: { temperature: 0 } },
  { name: "temperature null is left out", fields: { temperature: null }, expected: { temperature: undefined } },
  { name: "top_p 0 is kept", fields: { top_p: 0 }, expected: { topP: 0 } },
  { name: "seed 0 is kept", fields: { seed: 0 }, expected: { seed: 0 } },
  { name: "user", fields: { user: "u-1" }, expected: { user: "u-1" } },
  { name: "reasoning_effort", fields: { reasoning_effort: "high" }, expected: { reasoningEffort: "high" } },
  { name: "metadata", fields: { metadata: { team: "search" } }, expected: { metadata: { team: "search" } } },
  { name: "stream true", fields: { stream: true }, expected: { stream: true } },
  { name: "stream null is false", fields: { stream: null }, expected: { stream: false } },
  { name: "no stream is false", fields: {}, expected: { stream: false } },
];

for (const c of fieldCases) {
  test(`field: ${c.name}`, () => {
    const { request } = parseChatRequest(body(c.fields));
    for (const [key, value] of Object.entries(c.expected)) {
      if (value === undefined) assert.equal(Object.hasOwn(request, key), false, `${key} should be absent`);
      else assert.deepEqual(request[key as keyof ChatRequest], value, key);
    }
  });
}

test("a minimal body maps to exactly the core request, nothing more", () => {
  const parsed = parseChatRequest(body());
  assert.deepEqual(parsed, {
    requestedModel: "m",
    request: { model: "m", messages: [{ role: "user", content: "hi" }], stream: false, extra: {} },
    includeUsage: false,
    warnings: [],
  });
});

test("requestedModel is the model field as sent", () => {
  const parsed = parseChatRequest(body({ model: "openai/gpt-5.4" }));
  assert.equal(parsed.requestedModel, "openai/gpt-5.4");
  assert.equal(parsed.request.model, "openai/gpt-5.4");
});

const usageCases: { name: string; fields: Record<string, unknown>; includeUsage: boolean }[] = [
  { name: "include_usage true", fields: { stream: true, stream_options: { include_usage: true } }, includeUsage: true },
  { name: "include_usage false", fields: { stream: true, stream_options: { include_usage: false } }, includeUsage: false },
  { name: "empty stream_options", fields: { stream: true, stream_options: {} }, includeUsage: false },
  { name: "null stream_options", fields: { stream: true, stream_options: null }, includeUsage: false },
  { name: "no stream_options", fields: { stream: true }, includeUsage: false },
];
for (const c of usageCases) {
  test(`stream_options: ${c.name}`, () => {
    assert.equal(parseChatRequest(body(c.fields)).includeUsage, c.includeUsage);
  });
}

test("unknown keys go to extra, untouched; known keys never do", () => {
  const unknown = { logprobs: true, top_logprobs: 3, presence_penalty: 0.5, logit_bias: { "42": -100 }, service_tier: "flex", prediction: null };
  const known = {
    stream: true, stream_options: { include_usage: true }, tools: [{ type: "function", function: { name: "f" } }], tool_choice: "auto",
    parallel_tool_calls: true, response_format: { type: "text" }, max_tokens: 5, max_completion_tokens: 6, temperature: 1,
    top_p: 1, stop: "x", seed: 1, user: "u", reasoning_effort: "low", metadata: {}, n: 1,
  };
  const { request } = parseChatRequest(body({ ...known, ...unknown }));
  assert.deepEqual(request.extra, unknown);
});

interface BadCase {
  name: string;
  input: unknown;
  /** `null`: the error names no parameter (the body as a whole is wrong). */
  param: string | null;
  message: RegExp;
  /** A message this case must not give (a wrong diagnosis). */
  notMessage?: RegExp;
  todo?: string;
}


const badCases: BadCase[] = [
  { name: "array body", input: [], param: null, message: /must be a JSON object with `model` and `messages`/ },
  { name: "null body", input: null, param: null, message: /must be a JSON object/ },
  { name: "string body", input: "hello", param: null, message: /must be a JSON object/ },
  { name: "number body", input: 5, param: null, message: /must be a JSON object/ },
  { name: "missing model", input: { messages: [USER] }, param: "model", message: /^Missing required parameter: 'model'\.$/ },
  { name: "empty model", input: body({ model: "" }), param: "model", message: /Invalid value for 'model'/ },
  { name: "missing messages", input: { model: "m" }, param: "messages", message: /Missing required parameter: 'messages' \(an array of \{role, content\} objects\)/ },
  { name: "empty messages", input: body({ messages: [] }), param: "messages", message: /'messages' must contain at least one message/ },
  {
    name: "unknown role",
    input: body({ messages: [{ role: "wizard", content: "x" }] }),
    param: "messages[0].role",
    message: /Invalid value for 'messages\[0\]\.role': expected one of system, developer, user, assistant, tool/,
  },
  {
    name: "role missing, in a later message",
    input: body({ messages: [USER, { content: "x" }] }),
    param: "messages[1].role",
    message: /expected one of system, developer, user, assistant, tool/,
  },
  { name: "user without content", input: body({ messages: [{ role: "user" }] }), param: "messages[0].content", message: /messages\[0\]\.content/ },
  {
    name: "image part in a system message",
    input: body({ messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "https://x" } }] }] }),
    param: "messages[0].content[0].type",
    message: /^Invalid value for 'messages\[0\]\.content\[0\]\.type': .*expected "text"/,
  },
  {
    name: "cache_control of an unknown type on a text part",
    input: body({ messages: [{ role: "user", content: [{ type: "text", text: "x", cache_control: { type: "persistent" } }] }] }),
    param: "messages[0].content[0].cache_control",
    message: /^Invalid value for 'messages\[0\]\.content\[0\]\.cache_control': expected \{"type": "ephemeral"\}, optionally with "ttl": "5m" or "1h"\.$/,
  },
  {
    name: "cache_control as a string on a system part",
    input: body({ messages: [{ role: "system", content: [{ type: "text", text: "x", cache_control: "ephemeral" }] }] }),
    param: "messages[0].content[0].cache_control",
    message: /expected \{"type": "ephemeral"\}/,
  },
  {
    name: "cache_control with an unknown ttl on an image part",
    input: body({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x" }, cache_control: { type: "ephemeral", ttl: "24h" } }] }] }),
    param: "messages[0].content[0].cache_control",
    message: /optionally with "ttl": "5m" or "1h"/,
  },
  {
    name: "cache_control with an unknown key on a message",
    input: body({ messages: [{ role: "tool", tool_call_id: "c", content: "x", cache_control: { type: "ephemeral", scope: "org" } }] }),
    param: "messages[0].cache_control",
    message: /expected \{"type": "ephemeral"\}/,
  },
  {
    name: "cache_control inside a tool's function",
    input: body({ tools: [{ type: "function", function: { name: "f", cache_control: { ttl: "1h" } } }] }),
    param: "tools[0].function.cache_control",
    message: /expected \{"type": "ephemeral"\}/,
  },
  {
    name: "cache_control beside a tool's function",
    input: body({ tools: [{ type: "function", function: { name: "f" }, cache_control: true }] }),
    param: "tools[0].cache_control",
    message: /expected \{"type": "ephemeral"\}/,
  },
  {
    name: "tool message without tool_call_id",
    input: body({ messages: [{ role: "tool", content: "x" }] }),
    param: "messages[0].tool_call_id",
    message: /Missing required parameter: 'messages\[0\]\.tool_call_id'/,
  },
  { name: "n = 2", input: body({ n: 2 }), param: "n", message: /Invalid value for 'n': only n = 1 is supported/ },
  { name: "temperature above 2", input: body({ temperature: 3 }), param: "temperature", message: /Invalid value for 'temperature'.*<=2/ },
  { name: "top_p above 1", input: body({ top_p: 1.5 }), param: "top_p", message: /Invalid value for 'top_p'/ },
  { name: "max_tokens 0", input: body({ max_tokens: 0 }), param: "max_tokens", message: /Invalid value for 'max_tokens'.*>0/ },
  { name: "five stop sequences", input: body({ stop: ["a", "b", "c", "d", "e"] }), param: "stop", message: /Invalid value for 'stop'/ },
  { name: "unknown tool_choice", input: body({ tool_choice: "sometimes" }), param: "tool_choice", message: /Invalid value for 'tool_choice'/ },
  { name: "unknown response_format type", input: body({ response_format: { type: "xml" } }), param: "response_format.type", message: /'text' \| 'json_object' \| 'json_schema'/ },
  {
    name: "json_schema response_format without json_schema",
    input: body({ response_format: { type: "json_schema" } }),
    param: "response_format.json_schema",
    message: /Missing required parameter: 'response_format\.json_schema'/,
  },
  { name: "tool with an empty name", input: body({ tools: [{ type: "function", function: { name: "" } }] }), param: "tools[0].function.name", message: /tools\[0\]\.function\.name/ },
  { name: "unknown reasoning_effort", input: body({ reasoning_effort: "max" }), param: "reasoning_effort", message: /Invalid value for 'reasoning_effort'/ },
  { name: "several problems are counted", input: {}, param: "model", message: /\(1 more problem in the body\)$/ },
  // Wrong types: the message must say what type is expected, not that the parameter is missing.
  { name: "temperature is a string", input: body({ temperature: "hot" }), param: "temperature", message: /expected number/, notMessage: /Missing/ },
  { name: "messages is a string", input: body({ messages: "hi" }), param: "messages", message: /expected array/, notMessage: /Missing/ },
  { name: "model is a number", input: body({ model: 5 }), param: "model", message: /expected string/, notMessage: /Missing/ },
  { name: "stream is a string", input: body({ stream: "yes" }), param: "stream", message: /expected boolean/, notMessage: /Missing/ },
  { name: "max_tokens is a fraction", input: body({ max_tokens: 1.5 }), param: "max_tokens", message: /expected int/, notMessage: /Missing/ },
  {
    name: "stream_options.include_usage is a string",
    input: body({ stream_options: { include_usage: "yes" } }),
    param: "stream_options.include_usage",
    message: /expected boolean/,
    notMessage: /Missing/,
  },
];

for (const c of badCases) {
  test(`bad input: ${c.name}`, c.todo === undefined ? {} : { todo: c.todo }, () => {
    const err = rejection(c.input);
    assert.equal(err.kind, "bad_request");
    assert.equal(err.status, 400);
    assert.equal(err.param ?? null, c.param);
    assert.match(err.message, c.message);
    if (c.notMessage) assert.doesNotMatch(err.message, c.notMessage);
    const wire = err.toOpenAI().error;
    assert.equal(wire.type, "invalid_request_error");
    assert.equal(wire.param, c.param);
  });
}
