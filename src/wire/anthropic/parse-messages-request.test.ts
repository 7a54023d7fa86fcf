import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest, Message } from "../../core/request.ts";
import { parseMessagesRequest } from "./parse-messages-request.ts";

const USER = { role: "user", content: "hi" } as const;

/** A valid body with `fields` on top. */
const body = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({ model: "m", max_tokens: 100, messages: [USER], ...fields });

function rejection(input: unknown): GatewayError {
  try {
    parseMessagesRequest(input);
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be rejected`);
}

test("a minimal body maps to exactly the core request, nothing more", () => {
  assert.deepEqual(parseMessagesRequest(body()), {
    requestedModel: "m",
    request: { model: "m", messages: [{ role: "user", content: "hi" }], maxOutputTokens: 100, stream: false, extra: {} },
    warnings: [],
    includeThinking: false,
    stopSequences: [],
  });
});

interface TurnCase {
  name: string;
  messages: unknown[];
  system?: unknown;
  expected: Message[];
}

const IMAGE_B64 = { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } };
const IMAGE_URL = { type: "image", source: { type: "url", url: "https://example.com/cat.png" } };

const turnCases: TurnCase[] = [
  { name: "system string goes first", system: "Be brief.", messages: [USER], expected: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }] },
  {
    name: "system text blocks become one system message each, with their cache_control",
    system: [{ type: "text", text: "You are Claude Code." }, { type: "text", text: "Be brief.", cache_control: { type: "ephemeral", ttl: "1h" } }],
    messages: [USER],
    expected: [
      { role: "system", content: "You are Claude Code." },
      { role: "system", content: "Be brief.", cacheControl: { type: "ephemeral", ttl: "1h" } },
      { role: "user", content: "hi" },
    ],
  },
  {
    name: "user text blocks become one string",
    messages: [{ role: "user", content: [{ type: "text", text: "<reminder>" }, { type: "text", text: "Fix the bug." }] }],
    expected: [{ role: "user", content: "<reminder>\nFix the bug." }],
  },
  {
    name: "user text and images (base64 → data URL, url as is) stay parts",
    messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, IMAGE_B64, IMAGE_URL] }],
    expected: [{
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image", url: "data:image/png;base64,AAAA" },
        { type: "image", url: "https://example.com/cat.png" },
      ],
    }],
  },
  {
    name: "assistant string",
    messages: [USER, { role: "assistant", content: "Hello." }],
    expected: [{ role: "user", content: "hi" }, { role: "assistant", content: "Hello." }],
  },
  {
    name: "assistant tool_use → tool calls with JSON arguments; thinking kept as reasoning, redacted dropped",
    messages: [
      USER,
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "Need the weather.", signature: "sig" },
          { type: "redacted_thinking", data: "opaque" },
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris", days: 2 } },
          { type: "tool_use", id: "toolu_2", name: "time", input: {} },
        ],
      },
    ],
    expected: [
      { role: "user", content: "hi" },
      {
        role: "assistant",
        content: "Let me check.",
        toolCalls: [
          { id: "toolu_1", name: "weather", arguments: '{"city":"Paris","days":2}' },
          { id: "toolu_2", name: "time", arguments: "{}" },
        ],
        reasoning: "Need the weather.",
      },
    ],
  },
  {
    name: "assistant with only tool_use has null content",
    messages: [USER, { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] }],
    expected: [{ role: "user", content: "hi" }, { role: "assistant", content: null, toolCalls: [{ id: "t", name: "f", arguments: "{}" }] }],
  },
  {
    name: "tool_result blocks become tool messages, before the rest of the turn",
    messages: [
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
          { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "12:00" }, { type: "text", text: "CET" }], is_error: false },
          { type: "tool_result", tool_use_id: "toolu_3" },
          { type: "text", text: "Now summarise." },
        ],
      },
    ],
    expected: [
      { role: "tool", toolCallId: "toolu_1", content: "18°C" },
      { role: "tool", toolCallId: "toolu_2", content: "12:00\nCET" },
      { role: "tool", toolCallId: "toolu_3", content: "" },
      { role: "user", content: "Now summarise." },
    ],
  },
  {
    name: "a turn of only tool results adds no user message",
    messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok" }] }],
    expected: [{ role: "tool", toolCallId: "t", content: "ok" }],
  },
  {
    name: "cache_control on user text and image blocks keeps them parts (null is none)",
    messages: [{
      role: "user",
      content: [
        { type: "text", text: "<reminder>", cache_control: null },
        { ...IMAGE_URL, cache_control: { type: "ephemeral", ttl: "5m" } },
        { type: "text", text: "Fix the bug.", cache_control: { type: "ephemeral" } },
      ],
    }],
    expected: [{
      role: "user",
      content: [
        { type: "text", text: "<reminder>" },
        { type: "image", url: "https://example.com/cat.png", cacheControl: { type: "ephemeral", ttl: "5m" } },
        { type: "text", text: "Fix the bug.", cacheControl: { type: "ephemeral" } },
      ],
    }],
  },
  {
    name: "a lone marked text block is not collapsed into a string",
    messages: [{ role: "user", content: [{ type: "text", text: "Fix the bug.", cache_control: { type: "ephemeral" } }] }],
    expected: [{ role: "user", content: [{ type: "text", text: "Fix the bug.", cacheControl: { type: "ephemeral" } }] }],
  },
  {
    name: "cache_control on a tool_result, or on its last marked inner block, marks the tool message",
    messages: [{
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "18°C", cache_control: { type: "ephemeral" } },
        { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "12:00", cache_control: { type: "ephemeral", ttl: "1h" } }, { type: "text", text: "CET" }] },
        { type: "tool_result", tool_use_id: "toolu_3", content: "none" },
      ],
    }],
    expected: [
      { role: "tool", toolCallId: "toolu_1", content: "18°C", cacheControl: { type: "ephemeral" } },
      { role: "tool", toolCallId: "toolu_2", content: "12:00\nCET", cacheControl: { type: "ephemeral", ttl: "1h" } },
      { role: "tool", toolCallId: "toolu_3", content: "none" },
    ],
  },
  {
    name: "a system turn with blocks inside messages becomes one system message per block",
    messages: [USER, { role: "system", content: [{ type: "text", text: "Now in French." }, { type: "text", text: "Formally.", cache_control: { type: "ephemeral" } }] }],
    expected: [
      { role: "user", content: "hi" },
      { role: "system", content: "Now in French." },
      { role: "system", content: "Formally.", cacheControl: { type: "ephemeral" } },
    ],
  },
  {
    name: "a system turn inside messages keeps its place",
    messages: [USER, { role: "system", content: [{ type: "text", text: "Now in French." }] }],
    expected: [{ role: "user", content: "hi" }, { role: "system", content: "Now in French." }],
  },
];

for (const c of turnCases) {
  test(`turns: ${c.name}`, () => {
    const { request } = parseMessagesRequest(body({ messages: c.messages, ...(c.system !== undefined && { system: c.system }) }));
    assert.deepEqual(request.messages, c.expected);
  });
}

interface FieldCase {
  name: string;
  fields: Record<string, unknown>;
  /** Core fields expected; `undefined` means the field must be absent. */
  expected: Partial<Record<keyof ChatRequest, unknown>>;
}

const TOOL = { name: "weather", description: "Weather in a city", input_schema: { type: "object", properties: { city: { type: "string" } } } };

const fieldCases: FieldCase[] = [
  { name: "max_tokens", fields: { max_tokens: 4096 }, expected: { maxOutputTokens: 4096 } },
  { name: "stream", fields: { stream: true }, expected: { stream: true } },
  {
    name: "tools: input_schema becomes parameters",
    fields: { tools: [TOOL, { type: "custom", name: "f", input_schema: { type: "object" }, strict: true, cache_control: { type: "ephemeral" } }] },
    expected: {
      tools: [
        { name: "weather", description: "Weather in a city", parameters: TOOL.input_schema },
        { name: "f", parameters: { type: "object" }, strict: true, cacheControl: { type: "ephemeral" } },
      ],
    },
  },
  { name: "tool_choice auto", fields: { tool_choice: { type: "auto" } }, expected: { toolChoice: "auto", parallelToolCalls: undefined } },
  { name: "tool_choice any → required", fields: { tool_choice: { type: "any" } }, expected: { toolChoice: "required" } },
  { name: "tool_choice none", fields: { tool_choice: { type: "none" } }, expected: { toolChoice: "none" } },
  { name: "tool_choice tool", fields: { tool_choice: { type: "tool", name: "weather" } }, expected: { toolChoice: { type: "tool", name: "weather" } } },
  {
    name: "disable_parallel_tool_use → parallelToolCalls false",
    fields: { tool_choice: { type: "auto", disable_parallel_tool_use: true } },
    expected: { toolChoice: "auto", parallelToolCalls: false },
  },
  { name: "stop_sequences → stop", fields: { stop_sequences: ["END", "###"] }, expected: { stop: ["END", "###"] } },
  { name: "empty stop_sequences → none", fields: { stop_sequences: [] }, expected: { stop: undefined } },
  { name: "temperature and top_p", fields: { temperature: 0.2, top_p: 0.9 }, expected: { temperature: 0.2, topP: 0.9 } },
  { name: "metadata.user_id → user", fields: { metadata: { user_id: "u-42" } }, expected: { user: "u-42" } },
  { name: "metadata.user_id null → no user", fields: { metadata: { user_id: null } }, expected: { user: undefined } },
  { name: "thinking budget 1024 → low", fields: { thinking: { type: "enabled", budget_tokens: 1024 } }, expected: { reasoningEffort: "low" } },
  { name: "thinking budget 4000 → medium", fields: { thinking: { type: "enabled", budget_tokens: 4000 } }, expected: { reasoningEffort: "medium" } },
  { name: "thinking budget 10000 → high", fields: { thinking: { type: "enabled", budget_tokens: 10000 } }, expected: { reasoningEffort: "high" } },
  { name: "thinking budget 16000 → high", fields: { thinking: { type: "enabled", budget_tokens: 16000 } }, expected: { reasoningEffort: "high" } },
  { name: "thinking budget 31999 → xhigh", fields: { thinking: { type: "enabled", budget_tokens: 31999 } }, expected: { reasoningEffort: "xhigh" } },
  { name: "thinking disabled → no effort", fields: { thinking: { type: "disabled" } }, expected: { reasoningEffort: undefined } },
  { name: "adaptive thinking alone → no effort", fields: { thinking: { type: "adaptive" } }, expected: { reasoningEffort: undefined } },
  { name: "output_config.effort max → xhigh", fields: { output_config: { effort: "max" } }, expected: { reasoningEffort: "xhigh" } },
  {
    name: "output_config.effort wins over a thinking budget",
    fields: { thinking: { type: "enabled", budget_tokens: 1024 }, output_config: { effort: "medium" } },
    expected: { reasoningEffort: "medium" },
  },
  {
    name: "output_config.format → json_schema response format",
    fields: { output_config: { format: { type: "json_schema", schema: { type: "object" } } } },
    expected: { responseFormat: { type: "json_schema", name: "output", schema: { type: "object" } } },
  },
  { name: "top_k has no core field", fields: { top_k: 40 }, expected: { extra: {} } },
];

for (const c of fieldCases) {
  test(`field: ${c.name}`, () => {
    const { request } = parseMessagesRequest(body(c.fields));
    for (const [key, value] of Object.entries(c.expected)) {
      if (value === undefined) assert.equal(Object.hasOwn(request, key), false, `${key} should be absent`);
      else assert.deepEqual(request[key as keyof ChatRequest], value, key);
    }
  });
}

test("thinking blocks in the answer only when the client turned thinking on, and not when it asked to omit them", () => {
  assert.equal(parseMessagesRequest(body()).includeThinking, false);
  assert.equal(parseMessagesRequest(body({ thinking: { type: "disabled" } })).includeThinking, false);
  assert.equal(parseMessagesRequest(body({ thinking: { type: "enabled", budget_tokens: 2048 } })).includeThinking, true);
  assert.equal(parseMessagesRequest(body({ thinking: { type: "adaptive" } })).includeThinking, true);
  assert.equal(parseMessagesRequest(body({ thinking: { type: "adaptive", display: "omitted" } })).includeThinking, false);
});

test("stop sequences are kept for naming the one that hit", () => {
  assert.deepEqual(parseMessagesRequest(body({ stop_sequences: ["END"] })).stopSequences, ["END"]);
});

test("what has no core field is dropped with a warning, never sent on as extra", () => {
  const parsed = parseMessagesRequest(body({ top_k: 40, service_tier: "auto", container: "c1", context_management: {} }));
  assert.deepEqual(parsed.request.extra, {});
  assert.deepEqual(parsed.warnings, [
    "top_k 40 was dropped: the gateway's request model has no top_k",
    "ignored parameters the gateway does not map: service_tier, container, context_management",
  ]);
});

test("images in a tool result are dropped with a warning, its text kept", () => {
  const parsed = parseMessagesRequest(body({
    messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "see chart" }, IMAGE_B64] }] }],
  }));
  assert.deepEqual(parsed.request.messages, [{ role: "tool", toolCallId: "t1", content: "see chart" }]);
  assert.match(parsed.warnings[0] ?? "", /images in the result of tool call t1 were dropped/);
});

test("a request-level cache_control (automatic caching) marks the last user or tool message; it is not an ignored parameter", () => {
  const parsed = parseMessagesRequest(body({
    cache_control: { type: "ephemeral" },
    messages: [
      USER,
      { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok" }] },
    ],
  }));
  assert.deepEqual(parsed.request.messages.at(-1), { role: "tool", toolCallId: "t", content: "ok", cacheControl: { type: "ephemeral" } });
  assert.deepEqual(parsed.request.messages[0], { role: "user", content: "hi" });
  assert.deepEqual(parsed.warnings, []);
  assert.equal(rejection(body({ cache_control: { type: "ephemeral", ttl: "2h" } })).param, "cache_control");
});

test("cache_control on assistant blocks is dropped with one warning; tools keep theirs", () => {
  const parsed = parseMessagesRequest(body({
    tools: [{ name: "f", input_schema: { type: "object" }, cache_control: { type: "ephemeral", ttl: "1h" } }],
    messages: [
      USER,
      { role: "assistant", content: [{ type: "text", text: "Calling.", cache_control: { type: "ephemeral" } }, { type: "tool_use", id: "t", name: "f", input: {}, cache_control: { type: "ephemeral" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok" }] },
      { role: "assistant", content: [{ type: "text", text: "Done.", cache_control: { type: "ephemeral" } }] },
    ],
  }));
  assert.deepEqual(parsed.request.tools, [{ name: "f", parameters: { type: "object" }, cacheControl: { type: "ephemeral", ttl: "1h" } }]);
  assert.deepEqual(parsed.request.messages[1], { role: "assistant", content: "Calling.", toolCalls: [{ id: "t", name: "f", arguments: "{}" }] });
  assert.deepEqual(parsed.warnings, [
    "cache_control on assistant content was dropped: the gateway keeps cache breakpoints on system, user and tool_result blocks and on tools (mark the next user turn instead)",
  ]);
});

interface BadCase {
  name: string;
  input: unknown;
  param: string | null;
  message: RegExp;
}

const badCases: BadCase[] = [
  { name: "array body", input: [], param: null, message: /must be a JSON object with `model`, `max_tokens` and `messages`/ },
  { name: "null body", input: null, param: null, message: /must be a JSON object/ },
  { name: "missing model", input: { max_tokens: 10, messages: [USER] }, param: "model", message: /^Missing required parameter: 'model'\.$/ },
  { name: "missing max_tokens", input: { model: "m", messages: [USER] }, param: "max_tokens", message: /^Missing required parameter: 'max_tokens'\.$/ },
  { name: "missing messages", input: { model: "m", max_tokens: 10 }, param: "messages", message: /Missing required parameter: 'messages'/ },
  { name: "empty messages", input: body({ messages: [] }), param: "messages", message: /'messages' must contain at least one message/ },
  { name: "max_tokens 0", input: body({ max_tokens: 0 }), param: "max_tokens", message: /Invalid value for 'max_tokens'/ },
  { name: "max_tokens a string", input: body({ max_tokens: "10" }), param: "max_tokens", message: /expected number, received string/ },
  { name: "temperature above 1", input: body({ temperature: 1.5 }), param: "temperature", message: /Invalid value for 'temperature'.*<=1/ },
  { name: "temperature a string", input: body({ temperature: "hot" }), param: "temperature", message: /expected number/ },
  {
    name: "unknown role",
    input: body({ messages: [{ role: "tool", content: "x" }] }),
    param: "messages[0].role",
    message: /Invalid value for 'messages\[0\]\.role': expected one of user, assistant, system \(got "tool"\)/,
  },
  {
    name: "a document block",
    input: body({ messages: [{ role: "user", content: [{ type: "document", source: { type: "text", data: "x" } }] }] }),
    param: "messages[0].content[0].type",
    message: /expected one of text, image, tool_result \(got "document"\)/,
  },
  {
    name: "tool_use in a user turn",
    input: body({ messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] }] }),
    param: "messages[0].content[0].type",
    message: /expected one of text, image, tool_result \(got "tool_use"\)/,
  },
  {
    name: "tool_result in an assistant turn",
    input: body({ messages: [USER, { role: "assistant", content: [{ type: "tool_result", tool_use_id: "t" }] }] }),
    param: "messages[1].content[0].type",
    message: /expected one of text, tool_use, thinking, redacted_thinking/,
  },
  {
    name: "an image from the Files API",
    input: body({ messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "f" } }] }] }),
    param: "messages[0].content[0].source.type",
    message: /expected one of base64, url \(got "file"\)/,
  },
  {
    name: "tool_use input not an object",
    input: body({ messages: [USER, { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: "x" }] }] }),
    param: "messages[1].content[0].input",
    message: /messages\[1\]\.content\[0\]\.input/,
  },
  {
    name: "a server tool",
    input: body({ tools: [{ type: "web_search_20250305", name: "web_search", input_schema: {} }] }),
    param: "tools[0].type",
    message: /only client tools/,
  },
  {
    name: "cache_control of an unknown type",
    input: body({ system: [{ type: "text", text: "x", cache_control: { type: "persistent" } }] }),
    param: "system[0].cache_control",
    message: /^Invalid value for 'system\[0\]\.cache_control': expected \{"type": "ephemeral"\}, optionally with "ttl": "5m" or "1h"\.$/,
  },
  {
    name: "cache_control with an unknown ttl, deep in a user turn",
    input: body({ messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", cache_control: { type: "ephemeral", ttl: "24h" } }] }] }),
    param: "messages[0].content[0].cache_control",
    message: /expected \{"type": "ephemeral"\}, optionally with "ttl": "5m" or "1h"/,
  },
  {
    name: "cache_control with an unknown key, on a tool",
    input: body({ tools: [{ name: "f", input_schema: {}, cache_control: { type: "ephemeral", scope: "global" } }] }),
    param: "tools[0].cache_control",
    message: /expected \{"type": "ephemeral"\}/,
  },
  { name: "a tool without input_schema", input: body({ tools: [{ name: "f" }] }), param: "tools[0].input_schema", message: /Missing required parameter: 'tools\[0\]\.input_schema'/ },
  { name: "unknown tool_choice", input: body({ tool_choice: { type: "sometimes" } }), param: "tool_choice.type", message: /expected one of auto, any, tool, none/ },
  { name: "tool_choice tool without a name", input: body({ tool_choice: { type: "tool" } }), param: "tool_choice.name", message: /Missing required parameter: 'tool_choice\.name'/ },
  {
    name: "thinking enabled without a budget",
    input: body({ thinking: { type: "enabled" } }),
    param: "thinking.budget_tokens",
    message: /Missing required parameter: 'thinking\.budget_tokens'/,
  },
  { name: "user turn without content", input: body({ messages: [{ role: "user" }] }), param: "messages[0].content", message: /^Missing required parameter: 'messages\[0\]\.content'\.$/ },
  { name: "content of the wrong type", input: body({ messages: [{ role: "user", content: 5 }] }), param: "messages[0].content", message: /expected string or array/ },
  {
    name: "a bad block inside a tool result",
    input: body({ messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "document" }] }] }] }),
    param: "messages[0].content[0].content[0].type",
    message: /expected one of text, image \(got "document"\)/,
  },
  { name: "several problems are counted", input: {}, param: "model", message: /\(2 more problems in the body\)$/ },
];

for (const c of badCases) {
  test(`bad input: ${c.name}`, () => {
    const err = rejection(c.input);
    assert.equal(err.kind, "bad_request");
    assert.equal(err.status, 400);
    assert.equal(err.param ?? null, c.param);
    assert.match(err.message, c.message);
  });
}
