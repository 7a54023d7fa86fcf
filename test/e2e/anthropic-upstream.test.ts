import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BUNDLED_PRICES } from "../../src/cost/price-table.ts";
import { json, sse, startFakeUpstream, type FakeUpstream, type Reply } from "../support/fake-upstream.ts";
import { fixtureChunks, readFixture, readFixtureJson, skipWithoutFixtures } from "../support/fixtures.ts";
import { eventually, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

/**
 * The official Anthropic client → the gateway → a fake Anthropic upstream replaying recorded
 * Messages API traffic: prompt-caching breakpoints reach the upstream on the blocks the client
 * marked, cache reads and writes come back to the client and into the receipt and its cost, and
 * an in-stream `overloaded_error` falls back before the first content and truncates after it.
 */

const HOUR = { type: "ephemeral", ttl: "1h" } as const;
const FIVE_MINUTES = { type: "ephemeral" } as const;

const READ_TOOL = {
  name: "read_file",
  description: "Read a file of the repository",
  input_schema: { type: "object" as const, properties: { path: { type: "string" } }, required: ["path"] },
};
const BASH_TOOL = {
  name: "bash",
  description: "Run a shell command",
  input_schema: { type: "object" as const, properties: { command: { type: "string" } }, required: ["command"] },
};
const JSON_TOOL = {
  name: "json",
  description: "Respond with a JSON object.",
  input_schema: { type: "object" as const, properties: { elements: { type: "array", items: { type: "object" } } }, required: ["elements"] },
};

const TOOL_RESULT = { type: "tool_result" as const, tool_use_id: "toolu_1", content: "Use bash for arithmetic.", cache_control: FIVE_MINUTES };
const GO_ON = { type: "text" as const, text: "Go on." };

/** An agent's turn as Claude Code sends it: four breakpoints, the 1-hour ones first as the API requires. */
const AGENT_TURN = {
  system: [
    { type: "text" as const, text: "You are a coding agent.", cache_control: HOUR },
    { type: "text" as const, text: "<project instructions>", cache_control: FIVE_MINUTES },
  ],
  tools: [READ_TOOL, { ...BASH_TOOL, cache_control: HOUR }],
  messages: [
    { role: "user" as const, content: "What is the sum of the squares of 1 to 12?" },
    { role: "assistant" as const, content: [{ type: "tool_use" as const, id: "toolu_1", name: "read_file", input: { path: "NOTES.md" } }] },
    { role: "user" as const, content: [TOOL_RESULT, GO_ON] },
  ],
};

/** What the Messages API must receive for AGENT_TURN. */
const AGENT_TURN_UPSTREAM = {
  system: AGENT_TURN.system,
  tools: [READ_TOOL, { ...BASH_TOOL, cache_control: HOUR }],
  messages: [
    { role: "user", content: "What is the sum of the squares of 1 to 12?" },
    { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "read_file", input: { path: "NOTES.md" } }] },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "Use bash for arithmetic.", cache_control: FIVE_MINUTES },
        { type: "text", text: "Go on." },
      ],
    },
  ],
};

const textOf = (message: Anthropic.Message): string => message.content.map((b) => (b.type === "text" ? b.text : "")).join("");

/** The text a recorded Messages stream carries. */
const streamedText = (lines: readonly string[]): string =>
  lines
    .map((l) => JSON.parse(l) as { type: string; delta?: { type?: string; text?: string } })
    .map((e) => (e.type === "content_block_delta" && e.delta?.type === "text_delta" ? (e.delta.text ?? "") : ""))
    .join("");

/** USD per 1M tokens of the bundled table, which is integer micro-USD per token. */
function bundled(id: string): { input: number; cachedInput: number; cacheWrite: number; output: number } {
  const price = BUNDLED_PRICES[id];
  assert.ok(price, `${id} is in the bundled price table`);
  return { input: price.input, cachedInput: price.cachedInput ?? price.input, cacheWrite: price.cacheWrite ?? price.input, output: price.output };
}

describe("@anthropic-ai/sdk against recorded Anthropic traffic", { skip: skipWithoutFixtures }, () => {
  let anthropicUp: FakeUpstream;
  let openaiUp: FakeUpstream;
  let gw: TestGateway;
  let client: Anthropic;
  const TEXT = "anthropic/anthropic-text.chunks.txt";
  const PROMPT_CACHE = "anthropic/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt";

  /** The real mid-stream overload event (the `data:` payload of its `event: error`). */
  const overloadedEvent = (): string => {
    const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: { kind: string; sse?: string }[] };
    const sample = samples.find((s) => s.kind === "overloaded_error as mid-stream SSE error event");
    const data = /^data: (.*)$/m.exec(sample?.sse ?? "")?.[1];
    assert.ok(data, "the overloaded_error sample is in errors/real-error-samples.json");
    return data;
  };

  before(async () => {
    anthropicUp = await startFakeUpstream((req): Reply => {
      const body = req.body as { model: string; stream?: boolean };
      const anthropic = { format: "anthropic" } as const;
      switch (body.model) {
        case "claude-sonnet-4-5":
          return body.stream ? sse(fixtureChunks(TEXT), anthropic) : json(JSON.parse(readFixture("anthropic/anthropic-text.json")));
        case "claude-haiku-4-5":
          return body.stream ? sse(fixtureChunks("anthropic/anthropic-json-tool.1.chunks.txt"), anthropic) : json(JSON.parse(readFixture("anthropic/anthropic-json-tool.1.json")));
        case "claude-sonnet-4-6":
          return sse(fixtureChunks(PROMPT_CACHE), anthropic);
        case "overloaded-early":
          // message_start, then the overload: nothing the client could have seen yet.
          return sse([...fixtureChunks(TEXT).slice(0, 1), overloadedEvent()], anthropic);
        case "overloaded-late":
          // message_start, the text block's start, a ping and three deltas, then the overload. The
          // pauses let the text reach the client first: an error read in the same batch as the
          // first content would still fall back, as nothing had been sent.
          return sse([...fixtureChunks(TEXT).slice(0, 6), overloadedEvent()], { ...anthropic, delayMs: 25 });
        default:
          return json({ type: "error", error: { type: "not_found_error", message: `model: ${body.model}` } }, { status: 404 });
      }
    });
    openaiUp = await startFakeUpstream((req) =>
      (req.body as { stream?: boolean }).stream ? sse(fixtureChunks("openai/openai-text.chunks.txt")) : json(JSON.parse(readFixture("openai/openai-text.json"))),
    );
    gw = await startTestGateway(`
providers:
  anthropic: { type: anthropic, base_url: "${anthropicUp.url}", api_key: sk-ant-test }
  openai:    { type: openai, base_url: "${openaiUp.url}/v1", api_key: sk-test-openai }
models:
  sonnet:           { provider: anthropic, upstream: claude-sonnet-4-5 }
  haiku:            { provider: anthropic, upstream: claude-haiku-4-5 }
  # The prompt-cache recording comes from claude-sonnet-5, which the bundled table leaves out;
  # the price is the configured upstream's.
  sonnet-cached:    { provider: anthropic, upstream: claude-sonnet-4-6 }
  overloaded-early: { provider: anthropic, price: { input: 3, output: 15 } }
  overloaded-late:  { provider: anthropic, price: { input: 3, output: 15 } }
  nano:             { provider: openai, upstream: gpt-4.1-nano }
lanes:
  early: [overloaded-early, nano]
  late:  [overloaded-late, nano]
routes:
  resilient: { lane: early }
  committed: { lane: late }
resilience: { retry: { attempts: 0 } }
`);
    client = new Anthropic({ baseURL: gw.url, apiKey: "x", maxRetries: 0, timeout: 20_000 });
  });
  after(async () => {
    await gw?.close();
    await anthropicUp?.close();
    await openaiUp?.close();
  });

  it("sends the client's breakpoints on its system blocks, text blocks and tools; the recorded message comes back whole", async () => {
    const { data, response } = await client.messages
      .create({
        model: "sonnet",
        max_tokens: 1024,
        system: [{ type: "text", text: "You are friendly.", cache_control: HOUR }],
        tools: [{ ...READ_TOOL, cache_control: FIVE_MINUTES }],
        messages: [{ role: "user", content: [{ type: "text", text: "Hello, how are you?", cache_control: FIVE_MINUTES }] }],
      })
      .withResponse();

    const sent = anthropicUp.requests.at(-1);
    assert.equal(sent?.path, "/v1/messages");
    assert.equal(sent?.headers["x-api-key"], "sk-ant-test");
    assert.equal(sent?.headers["anthropic-version"], "2023-06-01");
    assert.equal(sent?.headers["anthropic-beta"], undefined, "prompt caching, 1-hour TTL included, needs no beta flag");
    assert.deepEqual(sent?.body, {
      model: "claude-sonnet-4-5",
      max_tokens: 1024,
      system: [{ type: "text", text: "You are friendly.", cache_control: HOUR }],
      tools: [{ ...READ_TOOL, cache_control: FIVE_MINUTES }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hello, how are you?", cache_control: FIVE_MINUTES }] }],
    });

    assert.equal(data.id, "msg_01VdEjxAP5ahtHKrrRdNBteQ");
    assert.equal(data.model, "claude-sonnet-4-5-20250929");
    assert.equal(textOf(data), "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?");
    assert.equal(data.stop_reason, "end_turn");
    assert.deepEqual(
      [data.usage.input_tokens, data.usage.cache_read_input_tokens, data.usage.cache_creation_input_tokens, data.usage.output_tokens],
      [12, 0, 0, 29],
    );

    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.endpoint, "/v1/messages");
    assert.equal(receipt.providerType, "anthropic");
    assert.equal(receipt.upstreamModelReported, "claude-sonnet-4-5-20250929");
    assert.deepEqual([receipt.inputTokens, receipt.cachedInputTokens, receipt.cacheWriteTokens, receipt.outputTokens], [12, 0, 0, 29]);
    assert.deepEqual(receipt.warnings, []);
    // claude-sonnet-4-5 (the dated suffix stripped): $3 / 1M input, $15 / 1M output.
    const price = bundled("claude-sonnet-4-5");
    assert.deepEqual([price.input, price.output], [3, 15]);
    assert.equal(receipt.costMicroUsd, 12 * 3 + 29 * 15);
    assert.equal(Number(response.headers.get("x-switchyard-cost-usd")), 471 / 1e6);
  });

  it("streams the recorded text with messages.stream(): finalMessage() has its text, stop reason and usage", async () => {
    const stream = client.messages.stream({ model: "sonnet", max_tokens: 1024, messages: [{ role: "user", content: "Hello, how are you?" }] });
    const final = await stream.finalMessage();
    assert.equal(textOf(final), streamedText(fixtureChunks(TEXT)));
    assert.equal(final.id, "msg_01QC4g3HwBThD4BaNtBckFDJ");
    assert.equal(final.stop_reason, "end_turn");
    assert.deepEqual([final.usage.input_tokens, final.usage.cache_read_input_tokens, final.usage.cache_creation_input_tokens, final.usage.output_tokens], [12, 0, 0, 30]);
    const sent = anthropicUp.requests.at(-1)?.body as Record<string, unknown>;
    assert.equal(sent["stream"], true);
    assert.equal(sent["system"], undefined);

    const receipt = await eventually(() => gw.receipt(stream.response?.headers.get("x-switchyard-request-id") ?? ""));
    assert.equal(receipt.stream, true);
    assert.equal(receipt.status, "ok");
    assert.equal(receipt.finishReason, "stop");
    assert.deepEqual([receipt.inputTokens, receipt.cachedInputTokens, receipt.cacheWriteTokens, receipt.outputTokens], [12, 0, 0, 30]);
    assert.equal(receipt.costMicroUsd, 12 * 3 + 30 * 15);
  });

  it("a recorded tool call, non-streaming and streaming: tool_use blocks with parsed input, tool_choice and the tool's breakpoint sent", async () => {
    const params = {
      model: "haiku",
      max_tokens: 1024,
      tools: [{ ...JSON_TOOL, cache_control: HOUR }],
      tool_choice: { type: "tool" as const, name: "json" },
      messages: [{ role: "user" as const, content: "The weather in four cities, as JSON." }],
    };
    const { data, response } = await client.messages.create(params).withResponse();
    assert.deepEqual(anthropicUp.requests.at(-1)?.body, {
      model: "claude-haiku-4-5",
      max_tokens: 1024,
      tools: [{ ...JSON_TOOL, cache_control: HOUR }],
      tool_choice: { type: "tool", name: "json" },
      messages: [{ role: "user", content: "The weather in four cities, as JSON." }],
    });
    assert.equal(data.stop_reason, "tool_use");
    const call = data.content[0];
    assert.ok(call?.type === "tool_use");
    assert.equal(call.id, "toolu_01Q9ExVZnzZj7E2QQYHYtNUa");
    assert.equal(call.name, "json");
    assert.deepEqual((call.input as { elements: { location: string }[] }).elements.map((e) => e.location), ["San Francisco", "London", "Paris", "Berlin"]);
    assert.deepEqual([data.usage.input_tokens, data.usage.output_tokens], [1151, 87]);
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.toolCalls, 1);
    assert.equal(receipt.finishReason, "tool_calls");
    // claude-haiku-4-5: $1 / 1M input, $5 / 1M output.
    const price = bundled("claude-haiku-4-5");
    assert.deepEqual([price.input, price.output], [1, 5]);
    assert.equal(receipt.costMicroUsd, 1151 * 1 + 87 * 5);

    const stream = client.messages.stream(params);
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, "tool_use");
    const streamed = final.content[0];
    assert.ok(streamed?.type === "tool_use");
    assert.equal(streamed.id, "toolu_01KFbKqPYSuAKujiL6mTfzYA");
    assert.deepEqual(streamed.input, { elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
    assert.deepEqual([final.usage.input_tokens, final.usage.output_tokens], [849, 47]);
    const streamedReceipt = await eventually(() => gw.receipt(stream.response?.headers.get("x-switchyard-request-id") ?? ""));
    assert.equal(streamedReceipt.toolCalls, 1);
    assert.equal(streamedReceipt.costMicroUsd, 849 * 1 + 47 * 5);
  });

  it("an agent turn with four breakpoints: each on its block upstream; recorded cache reads and writes reach the SDK, the receipt and the cost", async () => {
    const stream = client.messages.stream({ model: "sonnet-cached", max_tokens: 4096, ...AGENT_TURN });
    const final = await stream.finalMessage();

    assert.deepEqual(anthropicUp.requests.at(-1)?.body, { model: "claude-sonnet-4-6", max_tokens: 4096, stream: true, ...AGENT_TURN_UPSTREAM });

    // The recording's server-side code execution blocks are Anthropic's own; the client gets the answer.
    assert.deepEqual(final.content.map((b) => b.type), ["text"]);
    assert.equal(textOf(final), "The sum of the squares of the numbers 1 through 12 is **650**.");
    assert.equal(final.id, "msg_011CdYfpjpVtBoXyXCQD1tQP");
    assert.equal(final.model, "claude-sonnet-5");
    assert.equal(final.stop_reason, "end_turn");
    // message_delta's final counts, not message_start's early ones (2 / 3068 / 0 / 69).
    assert.equal(final.usage.input_tokens, 6);
    assert.equal(final.usage.cache_read_input_tokens, 6289);
    assert.equal(final.usage.cache_creation_input_tokens, 3337);
    assert.equal(final.usage.output_tokens, 198);

    const id = stream.response?.headers.get("x-switchyard-request-id") ?? "";
    const receipt = await eventually(() => gw.receipt(id));
    assert.equal(receipt.status, "ok");
    assert.equal(receipt.upstreamModel, "claude-sonnet-4-6");
    assert.equal(receipt.upstreamModelReported, "claude-sonnet-5");
    assert.equal(receipt.inputTokens, 6 + 6289 + 3337, "input counts the cache reads and writes in, as the core does");
    assert.equal(receipt.cachedInputTokens, 6289);
    assert.equal(receipt.cacheWriteTokens, 3337);
    assert.equal(receipt.outputTokens, 198);
    assert.deepEqual(receipt.warnings, []);
    // claude-sonnet-4-6: $3 / 1M uncached input, $0.30 cache reads, $3.75 cache writes (5-minute rate), $15 output;
    // USD per 1M tokens is micro-USD per token.
    assert.deepEqual(bundled("claude-sonnet-4-6"), { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 });
    const byHand = 6 * 3 + 6289 * 0.3 + 3337 * 3.75 + 198 * 15; // 18 + 1886.7 + 12513.75 + 2970 = 17388.45
    assert.equal(Math.round(byHand), 17388);
    assert.equal(receipt.costMicroUsd, 17388);
  });

  it("a fifth breakpoint: the last four go upstream, the first is dropped with a warning in the header and the receipt", async () => {
    const { response } = await client.messages
      .create({
        model: "sonnet",
        max_tokens: 1024,
        ...AGENT_TURN,
        messages: [...AGENT_TURN.messages.slice(0, 2), { role: "user", content: [TOOL_RESULT, { ...GO_ON, cache_control: FIVE_MINUTES }] }],
      })
      .withResponse();
    const sent = anthropicUp.requests.at(-1)?.body as typeof AGENT_TURN_UPSTREAM;
    assert.deepEqual(sent.tools, [READ_TOOL, BASH_TOOL], "the first breakpoint in prompt order (the tools') is the one dropped");
    assert.deepEqual(sent.system, AGENT_TURN.system);
    assert.deepEqual(sent.messages.at(-1)?.content, [
      { type: "tool_result", tool_use_id: "toolu_1", content: "Use bash for arithmetic.", cache_control: FIVE_MINUTES },
      { type: "text", text: "Go on.", cache_control: FIVE_MINUTES },
    ]);
    const warning = "sonnet: anthropic: Anthropic takes at most 4 cache_control breakpoints and the request has 5: the last 4 were kept, the first 1 not sent (tools[1] of the upstream body)";
    assert.equal(response.headers.get("x-switchyard-warning"), warning);
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.deepEqual(receipt.warnings, [warning]);
  });

  it("breakpoints from an OpenAI-format client (OpenRouter / LiteLLM style) reach the Anthropic upstream too", async () => {
    const body = {
      model: "sonnet",
      messages: [
        { role: "system", content: [{ type: "text", text: "You are friendly." }, { type: "text", text: "<a long style guide>", cache_control: HOUR }] },
        { role: "user", content: [{ type: "text", text: "Hello, how are you?", cache_control: FIVE_MINUTES }] },
      ],
      tools: [{ type: "function", function: { name: BASH_TOOL.name, parameters: BASH_TOOL.input_schema }, cache_control: HOUR }],
    };
    // The openai SDK's types have no cache_control; clients send it anyway.
    const completion = await gw.openai.chat.completions.create(body as unknown as Parameters<typeof gw.openai.chat.completions.create>[0]);
    assert.ok("choices" in completion);
    assert.match(completion.choices[0]?.message.content ?? "", /doing well/);
    const sent = anthropicUp.requests.at(-1)?.body as Record<string, unknown>;
    assert.deepEqual(sent["system"], [
      { type: "text", text: "You are friendly.<a long style guide>", cache_control: HOUR },
    ]);
    assert.deepEqual(sent["tools"], [{ name: "bash", input_schema: BASH_TOOL.input_schema, cache_control: HOUR }]);
    assert.deepEqual(sent["messages"], [{ role: "user", content: [{ type: "text", text: "Hello, how are you?", cache_control: FIVE_MINUTES }] }]);
  });

  it("an overloaded_error in the stream before any content falls back down the lane; the OpenAI upstream never sees cache_control", async () => {
    const openaiCalls = openaiUp.calls;
    const stream = client.messages.stream({ model: "resilient", max_tokens: 1024, ...AGENT_TURN });
    const final = await stream.finalMessage();

    const tried = anthropicUp.requests.at(-1)?.body as Record<string, unknown>;
    assert.equal(tried["model"], "overloaded-early");
    assert.deepEqual(tried["system"], AGENT_TURN.system);
    assert.equal(openaiUp.calls, openaiCalls + 1);
    const fallback = openaiUp.requests.at(-1);
    assert.equal(fallback?.path, "/v1/chat/completions");
    assert.doesNotMatch(JSON.stringify(fallback?.body), /cache_control|cacheControl/);
    assert.deepEqual((fallback?.body as { messages: { role: string; content: unknown }[] }).messages.slice(0, 2), [
      { role: "system", content: "You are a coding agent." },
      { role: "system", content: "<project instructions>" },
    ]);

    const expected = fixtureChunks("openai/openai-text.chunks.txt")
      .map((l) => (JSON.parse(l) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? "")
      .join("");
    assert.equal(textOf(final), expected);
    assert.equal(final.stop_reason, "end_turn");
    assert.equal(stream.response?.headers.get("x-switchyard-attempts"), "2");
    assert.equal(stream.response?.headers.get("x-switchyard-model"), "nano");

    const receipt = await eventually(() => gw.receipt(stream.response?.headers.get("x-switchyard-request-id") ?? ""));
    assert.equal(receipt.status, "ok");
    assert.equal(receipt.route, "resilient");
    assert.equal(receipt.fallbacks, 1);
    assert.deepEqual(receipt.attempts.map((a) => [a.provider, a.model, a.errorKind]), [
      ["anthropic", "overloaded-early", "overloaded"],
      ["openai", "nano", null],
    ]);
    assert.match(receipt.attempts[0]?.errorMessage ?? "", /overloaded_error: Overloaded/);
    assert.equal(receipt.model, "nano");
    assert.equal(receipt.outputTokens, 300);
  });

  it("an overloaded_error after content has streamed: the SDK raises, nothing falls back, the receipt says truncated", async () => {
    const openaiCalls = openaiUp.calls;
    const stream = client.messages.stream({ model: "committed", max_tokens: 1024, messages: [{ role: "user", content: "Hello, how are you?" }] });
    let received = "";
    stream.on("text", (delta) => {
      received += delta;
    });
    const err = await stream.finalMessage().catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.APIError, `expected an APIError, got ${String(err)}`);
    assert.match(err.message, /overloaded/i);
    assert.equal(received, streamedText(fixtureChunks(TEXT).slice(0, 6)), "the text before the overload arrived");
    assert.equal(openaiUp.calls, openaiCalls, "after the commit point there is no fallback");

    const receipt = await eventually(() => gw.receipt(stream.response?.headers.get("x-switchyard-request-id") ?? ""));
    assert.equal(receipt.status, "truncated");
    assert.equal(receipt.httpStatus, 200);
    assert.equal(receipt.errorKind, "overloaded");
    assert.deepEqual(receipt.attempts.map((a) => [a.model, a.errorKind]), [["overloaded-late", "overloaded"]]);
  });
});
