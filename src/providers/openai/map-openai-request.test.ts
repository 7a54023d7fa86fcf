import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatRequest } from "../../core/request.ts";
import { mapOpenAIRequest } from "./map-openai-request.ts";

const full: ChatRequest = {
  model: "gpt-5.4",
  messages: [
    { role: "system", content: "Be brief." },
    {
      role: "user",
      name: "ana",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image", url: "https://example.com/cat.png", detail: "low" },
        { type: "image", url: "data:image/png;base64,AAAA" },
      ],
    },
    {
      role: "assistant",
      content: null,
      reasoning: "The user wants the weather.",
      toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' }],
    },
    { role: "tool", toolCallId: "call_1", content: '{"temp":3}' },
    { role: "assistant", content: "3 °C." },
    { role: "user", content: "Thanks" },
  ],
  tools: [
    { name: "weather", description: "Weather by city", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true },
    { name: "noop" },
  ],
  toolChoice: { type: "tool", name: "weather" },
  parallelToolCalls: false,
  responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true, description: "the answer" },
  maxOutputTokens: 256,
  temperature: 0.2,
  topP: 0.9,
  stop: ["END"],
  seed: 7,
  user: "user-42",
  reasoningEffort: "low",
  metadata: { team: "search" },
  stream: false,
  extra: { logprobs: true, top_logprobs: 2, presence_penalty: 0.5, model: "ignored-extra-model" },
};

test("maps every core field to Chat Completions for type openai", () => {
  assert.deepEqual(mapOpenAIRequest(full, "openai"), {
    logprobs: true,
    top_logprobs: 2,
    presence_penalty: 0.5,
    model: "gpt-5.4",
    messages: [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        name: "ana",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"temp":3}' },
      { role: "assistant", content: "3 °C." },
      { role: "user", content: "Thanks" },
    ],
    tools: [
      {
        type: "function",
        function: { name: "weather", description: "Weather by city", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true },
      },
      { type: "function", function: { name: "noop" } },
    ],
    tool_choice: { type: "function", function: { name: "weather" } },
    parallel_tool_calls: false,
    response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true, description: "the answer" } },
    max_completion_tokens: 256,
    temperature: 0.2,
    top_p: 0.9,
    stop: ["END"],
    seed: 7,
    user: "user-42",
    reasoning_effort: "low",
    metadata: { team: "search" },
  });
});

test("openai-compatible sends max_tokens and hands DeepSeek its reasoning back", () => {
  const body = mapOpenAIRequest(full, "openai-compatible");
  assert.equal(body["max_tokens"], 256);
  assert.equal("max_completion_tokens" in body, false);
  const messages = body["messages"] as Record<string, unknown>[];
  assert.equal(messages[2]?.["reasoning_content"], "The user wants the weather.");
  assert.equal("reasoning_content" in (messages[4] ?? {}), false);
});

test("a stream always asks for usage, keeping the client's other stream options", () => {
  const base: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], stream: true, extra: {} };
  assert.deepEqual(mapOpenAIRequest(base, "openai"), {
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const withOptions = mapOpenAIRequest({ ...base, extra: { stream_options: { include_usage: false, include_obfuscation: false } } }, "openai");
  assert.deepEqual(withOptions["stream_options"], { include_usage: true, include_obfuscation: false });
});

test("a non-streaming request carries no stream keys and simple tool choices pass as words", () => {
  const body = mapOpenAIRequest(
    { model: "m", messages: [{ role: "user", content: "hi" }], toolChoice: "required", responseFormat: { type: "json_object" }, stream: false, extra: {} },
    "openai-compatible",
  );
  assert.deepEqual(body, {
    model: "m",
    messages: [{ role: "user", content: "hi" }],
    tool_choice: "required",
    response_format: { type: "json_object" },
  });
});

test("cache breakpoints never reach an OpenAI-format upstream: the body is the one without them", () => {
  const cc = { type: "ephemeral", ttl: "1h" } as const;
  const marked: ChatRequest = {
    ...full,
    messages: full.messages.map((m): ChatRequest["messages"][number] => {
      switch (m.role) {
        case "system":
        case "tool":
          return { ...m, cacheControl: cc };
        case "user":
          return typeof m.content === "string" ? m : { ...m, content: m.content.map((p) => ({ ...p, cacheControl: cc })) };
        default:
          return m;
      }
    }),
    tools: full.tools?.map((t) => ({ ...t, cacheControl: cc })),
  };
  assert.match(JSON.stringify(marked), /cacheControl/, "the core request does carry breakpoints");
  for (const type of ["openai", "openai-compatible"] as const) {
    const body = mapOpenAIRequest(marked, type);
    assert.doesNotMatch(JSON.stringify(body), /cache_control|cacheControl/);
    assert.deepEqual(body, mapOpenAIRequest(full, type));
  }
});
