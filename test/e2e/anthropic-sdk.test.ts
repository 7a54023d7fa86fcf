import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { json, sse, startFakeUpstream, type FakeUpstream, type Reply } from "../support/fake-upstream.ts";
import { fixtureChunks, readFixture, skipWithoutFixtures } from "../support/fixtures.ts";
import { SIMULATED_CONFIG, eventually, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

/** The official Anthropic client against the gateway: no retries, so tests see every error. */
const anthropicClient = (gw: TestGateway): Anthropic => new Anthropic({ baseURL: gw.url, apiKey: "x", maxRetries: 0, timeout: 20_000 });

const WEATHER_TOOL = {
  name: "get_weather",
  description: "Current weather in a city",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] },
};

const textOf = (message: Anthropic.Message): string => message.content.map((b) => (b.type === "text" ? b.text : "")).join("");

describe("@anthropic-ai/sdk against the simulated providers", () => {
  let gw: TestGateway;
  let client: Anthropic;
  before(async () => {
    gw = await startTestGateway(SIMULATED_CONFIG);
    client = anthropicClient(gw);
  });
  after(async () => {
    await gw.close();
  });

  it("answers messages.create and writes a receipt for /v1/messages with usage and cost", async () => {
    const { data, response, request_id } = await client.messages
      .create({ model: "default", max_tokens: 1024, system: "Be brief.", messages: [{ role: "user", content: "Say hello to the gateway in one sentence." }] })
      .withResponse();
    assert.equal(data.type, "message");
    assert.equal(data.role, "assistant");
    assert.match(data.id, /^msg_/);
    assert.match(data.model, /sim-pro/);
    assert.equal(data.content[0]?.type, "text");
    assert.ok(textOf(data).length > 0);
    assert.equal(data.stop_reason, "end_turn");
    assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0);

    const id = response.headers.get("x-switchyard-request-id") ?? "";
    assert.equal(request_id, id, "the SDK reads the request-id header");
    assert.equal(response.headers.get("x-switchyard-model"), "sim-pro");
    assert.equal(response.headers.get("x-switchyard-simulated"), "true");
    assert.ok(Number(response.headers.get("x-switchyard-cost-usd")) > 0);

    const receipt = await gw.receipt(id);
    assert.equal(receipt.endpoint, "/v1/messages");
    assert.equal(receipt.status, "ok");
    assert.equal(receipt.requestedModel, "default");
    assert.equal(receipt.model, "sim-pro");
    assert.equal(receipt.upstreamModelReported, data.model);
    assert.equal(receipt.stream, false);
    const cached = data.usage.cache_read_input_tokens ?? 0;
    assert.equal(receipt.inputTokens, data.usage.input_tokens + cached + (data.usage.cache_creation_input_tokens ?? 0));
    assert.equal(receipt.outputTokens, data.usage.output_tokens);
    // sim-pro: $1.25 / 1M input, $0.125 / 1M cached input, $10 / 1M output.
    assert.equal(receipt.costMicroUsd, Math.round(1.25 * data.usage.input_tokens + 0.125 * cached + 10 * data.usage.output_tokens));
  });

  it("streams with messages.stream(): text events add up to finalMessage(), which adds up to the receipt", async () => {
    const stream = client.messages.stream({
      model: "general",
      max_tokens: 1024,
      messages: [{ role: "user", content: "Tell me about rail yards and switching engines." }],
    });
    let streamed = "";
    stream.on("text", (delta) => {
      streamed += delta;
    });
    const final = await stream.finalMessage();
    assert.ok(streamed.length > 0);
    assert.equal(textOf(final), streamed);
    assert.equal(final.stop_reason, "end_turn");
    assert.ok(final.usage.output_tokens > 0);
    const id = stream.response?.headers.get("x-switchyard-request-id") ?? "";
    const receipt = await eventually(() => gw.receipt(id));
    assert.equal(receipt.endpoint, "/v1/messages");
    assert.equal(receipt.stream, true);
    assert.equal(receipt.status, "ok");
    assert.equal(receipt.route, "general");
    assert.equal(receipt.outputTokens, final.usage.output_tokens);
    assert.equal(receipt.inputTokens, final.usage.input_tokens + (final.usage.cache_read_input_tokens ?? 0));
    assert.equal(receipt.finishReason, "stop");
  });

  it("tool use round trip: tool_use with a parsed input, then the tool_result answered in text", async () => {
    const first = await client.messages.create({
      model: "sim-mini",
      max_tokens: 1024,
      tools: [WEATHER_TOOL],
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
    });
    assert.equal(first.stop_reason, "tool_use");
    const call = first.content.find((b) => b.type === "tool_use");
    assert.ok(call?.type === "tool_use");
    assert.equal(call.name, "get_weather");
    assert.equal(typeof (call.input as { city?: unknown }).city, "string");

    const second = await client.messages.create({
      model: "sim-mini",
      max_tokens: 1024,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "What is the weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18°C and sunny" }] },
      ],
    });
    assert.equal(second.stop_reason, "end_turn");
    assert.ok(textOf(second).length > 0);
    const [latest, previous] = await gw.receipts(2);
    assert.equal(latest?.toolCalls, 0);
    assert.equal(previous?.toolCalls, 1);
    assert.equal(previous?.finishReason, "tool_calls");
  });

  it("streams a tool call that the SDK reassembles into an input object", async () => {
    const final = await client.messages
      .stream({ model: "sim-pro", max_tokens: 1024, tools: [WEATHER_TOOL], tool_choice: { type: "any" }, messages: [{ role: "user", content: "Weather in Oslo?" }] })
      .finalMessage();
    assert.equal(final.stop_reason, "tool_use");
    const call = final.content.find((b) => b.type === "tool_use");
    assert.ok(call?.type === "tool_use");
    assert.equal(call.name, "get_weather");
    assert.equal(typeof (call.input as { city?: unknown }).city, "string");
  });

  it("thinking on: a reasoning model's thinking arrives as a thinking block first, its budget read as an effort", async () => {
    const stream = client.messages.stream({
      model: "sim-frontier",
      max_tokens: 8000,
      thinking: { type: "enabled", budget_tokens: 4000 },
      messages: [{ role: "user", content: "Prove that there are infinitely many primes, step by step." }],
    });
    const final = await stream.finalMessage();
    assert.deepEqual([...new Set(final.content.map((b) => b.type))], ["thinking", "text"]);
    const thinking = final.content[0];
    assert.ok(thinking?.type === "thinking" && thinking.thinking.length > 0);
    const receipt = await eventually(() => gw.receipt(stream.response?.headers.get("x-switchyard-request-id") ?? ""));
    assert.equal(receipt.reasoningEffort, "medium");
    assert.ok((receipt.reasoningTokens ?? 0) > 0);
  });

  it("an unknown model is the SDK's NotFoundError, with a receipt", async () => {
    const err = await client.messages.create({ model: "no-such-model", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.NotFoundError, `expected NotFoundError, got ${String(err)}`);
    assert.equal(err.type, "not_found_error");
    assert.match(err.message, /no-such-model/);
    const receipt = await gw.receipt(err.requestID ?? "");
    assert.equal(receipt.endpoint, "/v1/messages");
    assert.equal(receipt.status, "rejected");
    assert.equal(receipt.httpStatus, 404);
  });

  it("a malformed body is the SDK's BadRequestError naming what to fix", async () => {
    const bad = { model: "default", max_tokens: 10, messages: [{ role: "tool", content: "hi" }] } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const err = await client.messages.create(bad).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.BadRequestError, `expected BadRequestError, got ${String(err)}`);
    assert.equal(err.type, "invalid_request_error");
    assert.match(err.message, /messages\[0\]\.role/);
    const receipt = await gw.receipt(err.requestID ?? "");
    assert.equal(receipt.status, "rejected");
    assert.equal(receipt.httpStatus, 400);

    const missing = await client.messages.create({ model: "default", messages: [{ role: "user", content: "hi" }] } as unknown as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e);
    assert.ok(missing instanceof Anthropic.BadRequestError);
    assert.match(missing.message, /Missing required parameter: 'max_tokens'/);
  });

  it("invalid JSON gets an Anthropic-shaped 400 body", async () => {
    const res = await fetch(`${gw.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"model": "default", "messages": [' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "invalid_request_error");
    assert.match(body.error.message, /not valid JSON/);
    assert.equal(res.headers.get("request-id"), res.headers.get("x-switchyard-request-id"));
  });
});

/**
 * An OpenAI-format upstream answering an Anthropic client: the request is translated one way,
 * the recorded answers the other.
 */
describe("@anthropic-ai/sdk against recorded OpenAI and DeepSeek traffic", { skip: skipWithoutFixtures }, () => {
  let up: FakeUpstream;
  let gw: TestGateway;
  let client: Anthropic;
  const openaiChunks = (): string[] => fixtureChunks("openai/openai-text.chunks.txt");

  before(async () => {
    up = await startFakeUpstream((req): Reply => {
      const body = req.body as { model: string; stream?: boolean };
      switch (body.model) {
        case "gpt-4.1-nano":
          return body.stream ? sse(openaiChunks()) : json(JSON.parse(readFixture("openai/openai-text.json")));
        case "deepseek-reasoner":
          return body.stream ? sse(fixtureChunks("deepseek/deepseek-tool-call.chunks.txt")) : json(JSON.parse(readFixture("deepseek/deepseek-tool-call.json")));
        case "cut":
          return sse(openaiChunks(), { cutAfter: 6 });
        default:
          return json({ error: { message: `The model ${body.model} does not exist`, type: "invalid_request_error", code: "model_not_found" } }, { status: 404 });
      }
    });
    gw = await startTestGateway(
      `
providers:
  openai:   { type: openai, base_url: "${up.url}/v1", api_key: sk-test-openai }
  deepseek: { type: openai-compatible, base_url: "${up.url}/v1", api_key: sk-test-deepseek }
models:
  nano:     { provider: openai, upstream: gpt-4.1-nano }
  reasoner: { provider: deepseek, upstream: deepseek-reasoner }
  cut:      { provider: openai, upstream: cut, price: { input: 1, output: 2 } }
`,
    );
    client = anthropicClient(gw);
  });
  after(async () => {
    await gw?.close();
    await up?.close();
  });

  it("translates the request to Chat Completions and the recorded completion back to a message", async () => {
    // The current SDK's types no longer list `temperature`; clients on earlier ones still send it.
    const params: Anthropic.MessageCreateParamsNonStreaming & { temperature: number } = {
      model: "nano",
      max_tokens: 1000,
      system: [{ type: "text", text: "You are creative." }],
      temperature: 0.3,
      stop_sequences: ["THE END"],
      metadata: { user_id: "user-7" },
      messages: [{ role: "user", content: [{ type: "text", text: "Invent a holiday." }] }],
    };
    const { data, response } = await client.messages.create(params).withResponse();
    assert.match(data.id, /^msg_/);
    assert.equal(data.model, "gpt-4.1-nano-2025-04-14");
    assert.equal(data.content.length, 1);
    assert.match(textOf(data), /Galaxy Day/);
    assert.equal(data.stop_reason, "end_turn");
    assert.equal(data.stop_sequence, null);
    assert.equal(data.usage.input_tokens, 16);
    assert.equal(data.usage.output_tokens, 363);
    assert.equal(data.usage.cache_read_input_tokens, 0);

    const sent = up.requests.at(-1);
    assert.equal(sent?.path, "/v1/chat/completions");
    assert.equal(sent?.headers.authorization, "Bearer sk-test-openai");
    assert.deepEqual(sent?.body, {
      model: "gpt-4.1-nano",
      messages: [
        { role: "system", content: "You are creative." },
        { role: "user", content: "Invent a holiday." },
      ],
      max_completion_tokens: 1000,
      temperature: 0.3,
      stop: ["THE END"],
      user: "user-7",
    });

    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.endpoint, "/v1/messages");
    assert.equal(receipt.model, "nano");
    assert.equal(receipt.upstreamModelReported, "gpt-4.1-nano-2025-04-14");
    assert.equal(receipt.inputTokens, 16);
    assert.equal(receipt.outputTokens, 363);
    // gpt-4.1-nano from the bundled table: $0.10 / 1M input, $0.40 / 1M output.
    assert.equal(receipt.costMicroUsd, Math.round(16 * 0.1 + 363 * 0.4));
    assert.equal(Number(response.headers.get("x-switchyard-cost-usd")), (receipt.costMicroUsd ?? NaN) / 1e6);
  });

  it("streams the recorded chunks as Messages events that finalMessage() puts together", async () => {
    const stream = client.messages.stream({ model: "nano", max_tokens: 1000, messages: [{ role: "user", content: "Invent a holiday." }] });
    const final = await stream.finalMessage();
    const expected = openaiChunks()
      .map((l) => (JSON.parse(l) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? "")
      .join("");
    assert.equal(textOf(final), expected);
    assert.equal(final.stop_reason, "end_turn");
    assert.equal(final.model, "gpt-4.1-nano-2025-04-14");
    assert.equal(final.usage.output_tokens, 300);
    const sent = up.requests.at(-1)?.body as { stream?: boolean; stream_options?: { include_usage?: boolean } };
    assert.equal(sent.stream, true);
    assert.equal(sent.stream_options?.include_usage, true);
    const receipt = await eventually(() => gw.receipt(stream.response?.headers.get("x-switchyard-request-id") ?? ""));
    assert.equal(receipt.endpoint, "/v1/messages");
    assert.equal(receipt.status, "ok");
    assert.equal(receipt.outputTokens, 300);
    assert.equal(receipt.inputTokens, final.usage.input_tokens);
    assert.ok((receipt.costMicroUsd ?? 0) > 0);
  });

  it("a recorded DeepSeek tool call becomes a tool_use block; cached input is reported as a cache read", async () => {
    const { data, response } = await client.messages
      .create({ model: "reasoner", max_tokens: 1000, tools: [WEATHER_TOOL], messages: [{ role: "user", content: "Weather in San Francisco?" }] })
      .withResponse();
    assert.equal(data.stop_reason, "tool_use");
    assert.deepEqual(data.content, [{ type: "tool_use", id: "call_00_9V0vrf86Pc9aelHCJMZqnJBo", name: "weather", input: { location: "San Francisco" } }]);
    assert.deepEqual(
      { input: data.usage.input_tokens, cacheRead: data.usage.cache_read_input_tokens, output: data.usage.output_tokens },
      { input: 19, cacheRead: 320, output: 92 },
    );
    const sent = up.requests.at(-1)?.body as { tools: unknown[] };
    assert.deepEqual(sent.tools, [{ type: "function", function: { name: "get_weather", description: "Current weather in a city", parameters: WEATHER_TOOL.input_schema } }]);
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.toolCalls, 1);
    assert.equal(receipt.inputTokens, 339);
    assert.equal(receipt.cachedInputTokens, 320);
    assert.equal(receipt.reasoningTokens, 48);
    // deepseek-reasoner from the bundled table: $0.28 / 1M input, $0.028 cached, $0.42 output.
    assert.equal(receipt.costMicroUsd, Math.round(19 * 0.28 + 320 * 0.028 + 92 * 0.42));
  });

  it("streams a recorded DeepSeek tool call with thinking on, and sends the turn back as Chat Completions", async () => {
    const final = await client.messages
      .stream({
        model: "reasoner",
        max_tokens: 2000,
        thinking: { type: "enabled", budget_tokens: 1024 },
        tools: [WEATHER_TOOL],
        messages: [{ role: "user", content: "Weather in San Francisco?" }],
      })
      .finalMessage();
    assert.deepEqual(final.content.map((b) => b.type), ["thinking", "tool_use"]);
    const call = final.content[1];
    assert.ok(call?.type === "tool_use");
    assert.deepEqual(call.input, { location: "San Francisco" });
    assert.equal(final.stop_reason, "tool_use");
    assert.equal(final.usage.output_tokens, 83);
    assert.equal(final.usage.cache_read_input_tokens, 320);

    // The next turn: the assistant's blocks and the tool result, as the agent loop sends them.
    await client.messages.create({
      model: "reasoner",
      max_tokens: 2000,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "Weather in San Francisco?" },
        { role: "assistant", content: final.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: "18°C" }] },
      ],
    });
    const sent = up.requests.at(-1)?.body as { messages: Record<string, unknown>[]; reasoning_effort?: string };
    assert.deepEqual(sent.messages.slice(1), [
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: call.id, type: "function", function: { name: "weather", arguments: '{"location":"San Francisco"}' } }],
        // DeepSeek wants the reasoning of a tool-call turn back.
        reasoning_content: final.content[0]?.type === "thinking" ? final.content[0].thinking : "",
      },
      { role: "tool", tool_call_id: call.id, content: "18°C" },
    ]);
  });

  it("a stream cut after it started makes the SDK raise, never a clean end; the receipt says truncated", async () => {
    const stream = client.messages.stream({ model: "cut", max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
    let received = "";
    stream.on("text", (delta) => {
      received += delta;
    });
    const err = await stream.finalMessage().catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.APIError, `expected an APIError, got ${String(err)}`);
    assert.ok(received.length > 0, "some text arrived before the cut");
    const receipt = await eventually(() => gw.receipt(stream.response?.headers.get("x-switchyard-request-id") ?? ""));
    assert.equal(receipt.endpoint, "/v1/messages");
    assert.equal(receipt.status, "truncated");
    assert.equal(receipt.httpStatus, 200);

    const res = await fetch(`${gw.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "cut", max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await res.text();
    assert.match(text, /^event: message_start\n/);
    assert.match(text, /event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The stream from provider openai broke off after it started/);
    assert.ok(text.endsWith("\n\n") && !text.includes("message_stop") && !text.includes("message_delta"));
  });

  it("an upstream's 404 for its model is the SDK's NotFoundError", async () => {
    const err = await client.messages.create({ model: "openai/gpt-unknown", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.NotFoundError, `expected NotFoundError, got ${String(err)}`);
    assert.equal(err.type, "not_found_error");
    const receipt = await gw.receipt(err.requestID ?? "");
    assert.equal(receipt.status, "error");
    assert.equal(receipt.attempts.length, 1);
  });
});
