import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest, Message } from "../../core/request.ts";
import { MAX_CACHE_BREAKPOINTS } from "./limit-cache-breakpoints.ts";
import { JSON_OBJECT_INSTRUCTION, mapAnthropicRequest, STRUCTURED_OUTPUTS_BETA } from "./map-anthropic-request.ts";

const base = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "claude-sonnet-4-5",
  messages: [{ role: "user", content: "hi" }],
  stream: false,
  extra: {},
  ...extra,
});
const native = { structuredOutput: "native" } as const;
const map = (request: Partial<ChatRequest>, options: { structuredOutput: "native" | "tool" } = native) => mapAnthropicRequest(base(request), options);

test("system messages are hoisted, one block each; same-role turns merged; tool results open the next user turn", () => {
  const messages: Message[] = [
    { role: "system", content: "You are terse." },
    { role: "user", content: "What is the weather in Paris and Rome?" },
    { role: "system", content: "Use metric units." },
    { role: "user", content: "Be quick." },
    {
      role: "assistant",
      content: "Checking both.",
      reasoning: "two lookups",
      toolCalls: [
        { id: "toolu_1", name: "weather", arguments: '{"city":"Paris"}' },
        { id: "toolu_2", name: "weather", arguments: "" },
      ],
    },
    { role: "tool", toolCallId: "toolu_1", content: "18°C" },
    { role: "tool", toolCallId: "toolu_2", content: "24°C" },
    { role: "user", content: "Thanks; and tomorrow?" },
    { role: "assistant", content: null },
    { role: "assistant", content: "Tomorrow:" },
  ];
  const { body, warnings } = map({ messages });
  assert.deepEqual(body["system"], [
    { type: "text", text: "You are terse." },
    { type: "text", text: "Use metric units." },
  ]);
  assert.deepEqual(body["messages"], [
    {
      role: "user",
      content: [
        { type: "text", text: "What is the weather in Paris and Rome?" },
        { type: "text", text: "Be quick." },
      ],
    },
    {
      role: "assistant",
      content: [
        { type: "text", text: "Checking both." },
        { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
        { type: "tool_use", id: "toolu_2", name: "weather", input: {} },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
        { type: "tool_result", tool_use_id: "toolu_2", content: "24°C" },
        { type: "text", text: "Thanks; and tomorrow?" },
      ],
    },
    { role: "assistant", content: "Tomorrow:" },
  ]);
  assert.deepEqual(warnings, []);
});

test("images: base64 data URLs and http(s) URLs; other URLs are the client's error", () => {
  const { body, warnings } = map({
    messages: [
      {
        role: "user",
        name: "ann",
        content: [
          { type: "text", text: "Compare these." },
          { type: "image", url: "data:image/PNG;base64,iVBORw0KGgo=" },
          { type: "image", url: "https://example.com/cat.jpg", detail: "high" },
          { type: "image", url: "data:image/webp;charset=utf-8;base64,UklGR", detail: "auto" },
        ],
      },
    ],
  });
  assert.deepEqual(body["messages"], [
    {
      role: "user",
      content: [
        { type: "text", text: "Compare these." },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
        { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        { type: "image", source: { type: "base64", media_type: "image/webp", data: "UklGR" } },
      ],
    },
  ]);
  assert.deepEqual(warnings, [
    "the Messages API has no participant names: `name` on user messages was not sent",
    "the Messages API has no image detail setting: `detail: high` was not sent",
  ]);
  for (const url of ["data:image/png,%89PNG", "ftp://example.com/cat.png"]) {
    assert.throws(
      () => map({ messages: [{ role: "user", content: [{ type: "image", url }] }] }),
      (err: unknown) => err instanceof GatewayError && err.kind === "bad_request" && err.param === "messages[0].content[0].image_url.url",
    );
  }
});

test("tool-call arguments that are not a JSON object are a bad request naming the parameter", () => {
  for (const args of ['{"city": "Par', "[1, 2]", '"text"']) {
    assert.throws(
      () => map({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: null, toolCalls: [{ id: "t", name: "f", arguments: args }] }] }),
      (err: unknown) => err instanceof GatewayError && err.kind === "bad_request" && err.param === "messages[1].tool_calls[0].function.arguments",
    );
  }
});

test("tool_choice: auto, required, named, none; parallel_tool_calls false; no tools means no tool_choice", () => {
  const tools = [{ name: "f", parameters: { type: "object", properties: { a: { type: "string" } } } }];
  const cases: [ChatRequest["toolChoice"], boolean | undefined, unknown][] = [
    ["auto", undefined, { type: "auto" }],
    ["required", undefined, { type: "any" }],
    [{ type: "tool", name: "f" }, false, { type: "tool", name: "f", disable_parallel_tool_use: true }],
    ["none", false, { type: "none" }],
    [undefined, false, { type: "auto", disable_parallel_tool_use: true }],
    [undefined, true, undefined],
  ];
  for (const [toolChoice, parallelToolCalls, expected] of cases) {
    const { body, warnings } = map({ tools, ...(toolChoice !== undefined && { toolChoice }), ...(parallelToolCalls !== undefined && { parallelToolCalls }) });
    assert.deepEqual(body["tools"], [{ name: "f", input_schema: tools[0]?.parameters }]);
    assert.deepEqual(body["tool_choice"], expected, JSON.stringify(toolChoice));
    assert.deepEqual(warnings, []);
  }
  const { body, warnings } = map({ toolChoice: "required" });
  assert.equal(body["tools"], undefined);
  assert.equal(body["tool_choice"], undefined);
  assert.deepEqual(warnings, ["tool_choice was not sent: the request has no tools"]);
});

test("strict tools: sent with the beta flag where structured outputs exist, else a warning", () => {
  const tools = [{ name: "f", parameters: { type: "object" }, strict: true }];
  const strict = map({ tools });
  assert.deepEqual(strict.body["tools"], [{ name: "f", input_schema: { type: "object" }, strict: true }]);
  assert.deepEqual(strict.betas, [STRUCTURED_OUTPUTS_BETA]);
  const loose = map({ tools }, { structuredOutput: "tool" });
  assert.deepEqual(loose.body["tools"], [{ name: "f", input_schema: { type: "object" } }]);
  assert.deepEqual(loose.betas, []);
  assert.match(loose.warnings[0] ?? "", /^strict was not sent for tool `f`/);
});

test("max_tokens: the request's, else 4096; a thinking budget is added when max_tokens does not exceed it", () => {
  assert.equal(map({}).body["max_tokens"], 4096);
  assert.equal(map({ maxOutputTokens: 123 }).body["max_tokens"], 123);
  const table: [ChatRequest["reasoningEffort"], number | null][] = [
    ["none", null],
    ["minimal", null],
    ["low", 1024],
    ["medium", 4096],
    ["high", 16384],
    ["xhigh", 32768],
  ];
  for (const [effort, budget] of table) {
    const { body, warnings } = map({ reasoningEffort: effort });
    assert.deepEqual(body["thinking"], budget === null ? undefined : { type: "enabled", budget_tokens: budget }, effort);
    assert.equal(body["max_tokens"], (budget ?? 0) + 4096, effort);
    assert.deepEqual(warnings, []);
  }
  const roomy = map({ reasoningEffort: "low", maxOutputTokens: 8000 });
  assert.equal(roomy.body["max_tokens"], 8000);
  assert.deepEqual(roomy.warnings, []);
  const tight = map({ reasoningEffort: "medium", maxOutputTokens: 4096 });
  assert.equal(tight.body["max_tokens"], 8192);
  assert.deepEqual(tight.warnings, ["max_tokens 4096 was raised to 8192: it must exceed the thinking budget of 4096 tokens (reasoning_effort medium)"]);
});

test("thinking: temperature, low top_p and top_k are not sent with it; a forced tool turns it off", () => {
  const { body, warnings } = map({ reasoningEffort: "low", temperature: 0.3, topP: 0.5, extra: { top_k: 5 } });
  assert.equal(body["temperature"], undefined);
  assert.equal(body["top_p"], undefined);
  assert.equal(body["top_k"], undefined);
  assert.equal(warnings.length, 3);
  const ok = map({ reasoningEffort: "low", temperature: 1, topP: 0.95 });
  assert.equal(ok.body["temperature"], 1);
  assert.equal(ok.body["top_p"], 0.95);
  assert.deepEqual(ok.warnings, []);
  const forced = map({ reasoningEffort: "high", tools: [{ name: "f" }], toolChoice: "required" });
  assert.equal(forced.body["thinking"], undefined);
  assert.equal(forced.body["max_tokens"], 4096);
  assert.deepEqual(forced.warnings, ["reasoning_effort high was not sent: Anthropic's extended thinking cannot be combined with a forced tool choice"]);
});

test("parameters the Messages API lacks are reported, never dropped silently", () => {
  const { body, warnings } = map({
    temperature: 1.6,
    seed: 7,
    metadata: { team: "search" },
    user: "u-1",
    stop: [],
    extra: { logprobs: true, presence_penalty: 0.5, top_k: 40 },
  });
  assert.deepEqual(body, { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }], max_tokens: 4096, temperature: 1, metadata: { user_id: "u-1" }, top_k: 40 });
  assert.deepEqual(warnings, [
    "temperature 1.6 was lowered to 1, the highest Anthropic accepts",
    "metadata was not sent: the Messages API takes only a user id (sent from `user`)",
    "seed was not sent: the Messages API has no seed",
    "logprobs was not sent: the Messages API has no such parameter",
    "presence_penalty was not sent: the Messages API has no such parameter",
  ]);
});

test("json_object: a system instruction and a warning that it is approximate", () => {
  const { body, warnings, betas, jsonTool } = map({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }], responseFormat: { type: "json_object" } });
  assert.deepEqual(body["system"], [
    { type: "text", text: "Be brief." },
    { type: "text", text: JSON_OBJECT_INSTRUCTION },
  ]);
  assert.equal(body["output_format"], undefined);
  assert.deepEqual(betas, []);
  assert.equal(jsonTool, null);
  assert.match(warnings[0] ?? "", /^response_format json_object has no Anthropic equivalent/);
  assert.equal(map({ responseFormat: { type: "text" } }).body["output_format"], undefined);
});

test("json_schema: output_format natively, else a forced tool replacing the client's tool_choice", () => {
  const schema = { type: "object", properties: { a: { type: "number" } } };
  const responseFormat = { type: "json_schema" as const, name: "answer", schema };
  const nativeMapped = map({ responseFormat });
  assert.deepEqual(nativeMapped.body["output_format"], { type: "json_schema", schema });
  assert.deepEqual(nativeMapped.betas, [STRUCTURED_OUTPUTS_BETA]);
  assert.equal(nativeMapped.jsonTool, null);

  const viaTool = map({ responseFormat, tools: [{ name: "f" }], toolChoice: "auto", stream: true }, { structuredOutput: "tool" });
  assert.deepEqual(viaTool.body["tools"], [
    { name: "f", input_schema: { type: "object", properties: {} } },
    { name: "answer", description: "Give the answer as this tool's input.", input_schema: schema },
  ]);
  assert.deepEqual(viaTool.body["tool_choice"], { type: "tool", name: "answer" });
  assert.equal(viaTool.body["stream"], true);
  assert.equal(viaTool.jsonTool, "answer");
  assert.deepEqual(viaTool.betas, []);
  assert.equal(viaTool.warnings.length, 2);
  assert.match(viaTool.warnings[0] ?? "", /^tool_choice was replaced by the forced tool `answer`/);
});

const EPHEMERAL = { type: "ephemeral" } as const;
const HOUR = { type: "ephemeral", ttl: "1h" } as const;

test("a lone system message without a breakpoint is sent as a string, with one as a block", () => {
  assert.equal(map({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }] }).body["system"], "Be brief.");
  assert.deepEqual(map({ messages: [{ role: "system", content: "Be brief.", cacheControl: HOUR }, { role: "user", content: "hi" }] }).body["system"], [
    { type: "text", text: "Be brief.", cache_control: HOUR },
  ]);
});

test("cache_control goes out on system blocks, text and image blocks, tool results and tools", () => {
  const { body, warnings } = map({
    tools: [
      { name: "search", parameters: { type: "object", properties: {} } },
      { name: "read", description: "Read a file", cacheControl: HOUR },
    ],
    messages: [
      { role: "system", content: "You are Claude Code.", cacheControl: HOUR },
      { role: "system", content: "Today is Monday." },
      {
        role: "user",
        content: [
          { type: "text", text: "<the repository>" },
          { type: "image", url: "https://example.com/diagram.png", cacheControl: EPHEMERAL },
        ],
      },
      { role: "assistant", content: null, toolCalls: [{ id: "toolu_1", name: "read", arguments: '{"path":"a.ts"}' }] },
      { role: "tool", toolCallId: "toolu_1", content: "export const a = 1;", cacheControl: EPHEMERAL },
      { role: "user", content: [{ type: "text", text: "Explain it." }] },
    ],
  });
  assert.deepEqual(body["tools"], [
    { name: "search", input_schema: { type: "object", properties: {} } },
    { name: "read", description: "Read a file", input_schema: { type: "object", properties: {} }, cache_control: HOUR },
  ]);
  assert.deepEqual(body["system"], [
    { type: "text", text: "You are Claude Code.", cache_control: HOUR },
    { type: "text", text: "Today is Monday." },
  ]);
  assert.deepEqual(body["messages"], [
    {
      role: "user",
      content: [
        { type: "text", text: "<the repository>" },
        { type: "image", source: { type: "url", url: "https://example.com/diagram.png" }, cache_control: EPHEMERAL },
      ],
    },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "read", input: { path: "a.ts" } }] },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "export const a = 1;", cache_control: EPHEMERAL },
        { type: "text", text: "Explain it." },
      ],
    },
  ]);
  assert.deepEqual(warnings, []);
});

test("a lone marked text block is not collapsed into a string", () => {
  const { body } = map({ messages: [{ role: "user", content: [{ type: "text", text: "hi", cacheControl: EPHEMERAL }] }] });
  assert.deepEqual(body["messages"], [{ role: "user", content: [{ type: "text", text: "hi", cache_control: EPHEMERAL }] }]);
});

test(`more than ${MAX_CACHE_BREAKPOINTS} breakpoints: the last ${MAX_CACHE_BREAKPOINTS} in prompt order are kept, with a warning`, () => {
  const { body, warnings } = map({
    tools: [{ name: "f", cacheControl: EPHEMERAL }],
    messages: [
      { role: "user", content: [{ type: "text", text: "one", cacheControl: EPHEMERAL }] },
      // Hoisted: the system blocks come before every message, after the tools.
      { role: "system", content: "rules", cacheControl: HOUR },
      { role: "assistant", content: "ok" },
      { role: "user", content: [{ type: "text", text: "two", cacheControl: EPHEMERAL }, { type: "text", text: "three", cacheControl: EPHEMERAL }] },
      { role: "assistant", content: "ok" },
      { role: "user", content: [{ type: "text", text: "four", cacheControl: EPHEMERAL }] },
    ],
  });
  assert.deepEqual(body["tools"], [{ name: "f", input_schema: { type: "object", properties: {} } }]);
  assert.equal(body["system"], "rules", "its breakpoint dropped, the lone system block goes as a string");
  assert.deepEqual(body["messages"], [
    { role: "user", content: [{ type: "text", text: "one", cache_control: EPHEMERAL }] },
    { role: "assistant", content: "ok" },
    { role: "user", content: [{ type: "text", text: "two", cache_control: EPHEMERAL }, { type: "text", text: "three", cache_control: EPHEMERAL }] },
    { role: "assistant", content: "ok" },
    { role: "user", content: [{ type: "text", text: "four", cache_control: EPHEMERAL }] },
  ]);
  assert.deepEqual(warnings, [
    "Anthropic takes at most 4 cache_control breakpoints and the request has 6: the last 4 were kept, the first 2 not sent (tools[0], system[0] of the upstream body)",
  ]);
});

test(`exactly ${MAX_CACHE_BREAKPOINTS} breakpoints all go out, without a warning`, () => {
  const { body, warnings } = map({
    tools: [{ name: "f", cacheControl: HOUR }],
    messages: [
      { role: "system", content: "a", cacheControl: HOUR },
      { role: "system", content: "b", cacheControl: EPHEMERAL },
      { role: "user", content: [{ type: "text", text: "c", cacheControl: EPHEMERAL }] },
    ],
  });
  const marks = JSON.stringify(body).match(/"cache_control"/g) ?? [];
  assert.equal(marks.length, MAX_CACHE_BREAKPOINTS);
  assert.deepEqual(warnings, []);
});

test("the json_object instruction and the forced json tool carry no breakpoint of their own", () => {
  const instructed = map({ messages: [{ role: "system", content: "Be brief.", cacheControl: EPHEMERAL }, { role: "user", content: "hi" }], responseFormat: { type: "json_object" } });
  assert.deepEqual(instructed.body["system"], [
    { type: "text", text: "Be brief.", cache_control: EPHEMERAL },
    { type: "text", text: JSON_OBJECT_INSTRUCTION },
  ]);
  const forced = map(
    { tools: [{ name: "f", cacheControl: EPHEMERAL }], responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" } } },
    { structuredOutput: "tool" },
  );
  assert.deepEqual(forced.body["tools"], [
    { name: "f", input_schema: { type: "object", properties: {} }, cache_control: EPHEMERAL },
    { name: "answer", description: "Give the answer as this tool's input.", input_schema: { type: "object" } },
  ]);
});
