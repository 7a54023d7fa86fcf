import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { json, sse, startFakeUpstream, type FakeUpstream, type RecordedRequest, type Reply } from "../support/fake-upstream.ts";
import { fixtureChunks, readFixtureJson, skipWithoutFixtures } from "../support/fixtures.ts";
import { eventually, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

/**
 * The official `openai` SDK → gateway → fake Anthropic and Gemini upstreams replaying recorded
 * traffic: the OpenAI request is translated to each provider's own API and the answer back, and
 * the receipt names the provider, the version it reported, the tokens and the cost.
 *
 * Each test scripts the reply of the upstream it uses (`anthropicReply`, `geminiReply`); a few
 * upstream model ids always fail, so a lane can put a failing model in front of a working one.
 */

// Bundled prices (src/cost/price-table.ts), USD per 1M tokens = micro-USD per token:
// claude-sonnet-4-5: input 3, cache read 0.3, cache write 3.75, output 15;
// gemini-2.5-flash:  input 0.3, cached 0.03, output 2.5.
const ANTHROPIC_KEY = "sk-ant-test-0123456789";
const GEMINI_KEY = "AIzaSy-test-0123456789";

const CONVERSATION: OpenAI.ChatCompletionMessageParam[] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Hello!" },
  { role: "assistant", content: "Hi. What can I do for you?" },
  { role: "user", content: "How are you?" },
];
const ask = (content: string): OpenAI.ChatCompletionMessageParam[] => [{ role: "user", content }];
/** A tool call the client got earlier, and its result. */
const toolRoundTrip = (id: string): OpenAI.ChatCompletionMessageParam[] => [
  { role: "user", content: "Weather in San Francisco?" },
  { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "weather", arguments: '{"location":"San Francisco"}' } }] },
  { role: "tool", tool_call_id: id, content: "18°C and sunny" },
];

const WEATHER_PARAMETERS = { type: "object", properties: { location: { type: "string" } }, required: ["location"] };
const tool = (name: string, parameters: Record<string, unknown> = WEATHER_PARAMETERS): OpenAI.ChatCompletionFunctionTool => ({
  type: "function",
  function: { name, description: `the ${name} tool`, parameters },
});

const RECIPE_SCHEMA = {
  type: "object",
  properties: {
    recipe: {
      type: "object",
      properties: {
        name: { type: "string" },
        ingredients: {
          type: "array",
          items: { type: "object", properties: { name: { type: "string" }, amount: { type: "string" } }, required: ["name", "amount"], additionalProperties: false },
        },
        steps: { type: "array", items: { type: "string" } },
      },
      required: ["name", "ingredients", "steps"],
      additionalProperties: false,
    },
  },
  required: ["recipe"],
  additionalProperties: false,
};

interface AnthropicEvent {
  type: string;
  delta?: { type?: string; text?: string; thinking?: string };
}
interface GeminiFragment {
  candidates?: { content?: { parts?: { text?: string; thought?: boolean }[] } }[];
}
interface ErrorSample {
  provider: string;
  status: number;
  body?: unknown;
  sse?: string;
}

/** The text (or thinking) a recorded Anthropic stream carries, joined. */
function anthropicStreamed(file: string, kind: "text_delta" | "thinking_delta"): string {
  return fixtureChunks(file)
    .map((line) => JSON.parse(line) as AnthropicEvent)
    .map((e) => (e.type === "content_block_delta" && e.delta?.type === kind ? (e.delta.text ?? e.delta.thinking ?? "") : ""))
    .join("");
}

/** The answer text (thought parts left out) a recorded Gemini stream carries, joined. */
function geminiStreamed(file: string): string {
  return fixtureChunks(file)
    .flatMap((line) => (JSON.parse(line) as GeminiFragment).candidates?.[0]?.content?.parts ?? [])
    .map((part) => (part.thought === true ? "" : (part.text ?? "")))
    .join("");
}

function errorSample(match: (sample: ErrorSample) => boolean): ErrorSample {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: ErrorSample[] };
  const sample = samples.find(match);
  if (!sample) throw new Error("error sample not found in errors/real-error-samples.json");
  return sample;
}

/** `reasoning_content` is not in the SDK's types: the gateway adds it as DeepSeek does. */
const reasoningOf = (value: object | undefined): string | undefined => (value as { reasoning_content?: string } | undefined)?.reasoning_content;

const bodyOf = (request: RecordedRequest | undefined): Record<string, unknown> => {
  assert.ok(request, "the upstream was called");
  return request.body as Record<string, unknown>;
};

describe("openai SDK → gateway → recorded Anthropic and Gemini traffic", { skip: skipWithoutFixtures }, () => {
  let anthropicUp: FakeUpstream;
  let geminiUp: FakeUpstream;
  let gw: TestGateway;
  const unscripted = (provider: string): Reply => json({ error: { message: `no reply scripted for ${provider} in this test` } }, { status: 500 });
  let anthropicReply: Reply = unscripted("anthropic");
  let geminiReply: Reply = unscripted("gemini");

  before(async () => {
    const overloaded = errorSample((s) => s.provider === "anthropic" && s.status === 529);
    // The recorded `event: error` frame's data, verbatim (with its odd space before the last brace).
    const inStreamError = /^data: (.*)$/m.exec(errorSample((s) => s.provider === "anthropic" && s.sse !== undefined).sse ?? "")?.[1] ?? "";
    const textChunks = fixtureChunks("anthropic/anthropic-text.chunks.txt");
    anthropicUp = await startFakeUpstream((req): Reply => {
      switch ((req.body as { model?: string }).model) {
        case "claude-overloaded":
          return json(overloaded.body, { status: 529 });
        case "claude-breaks":
          // Three text deltas, then the error. Paced: read all at once, nothing would have reached the
          // client yet (the commit point), and the gateway would rightly answer with an error instead.
          return sse([...textChunks.slice(0, 6), inStreamError], { format: "anthropic", delayMs: 15 });
        case "claude-breaks-early":
          return sse([...textChunks.slice(0, 2), inStreamError], { format: "anthropic" });
        default:
          return anthropicReply;
      }
    });
    geminiUp = await startFakeUpstream((req): Reply =>
      req.path.includes("/models/gemini-exhausted:") ? json(readFixtureJson("gemini/google-429-retry-info.json"), { status: 429 }) : geminiReply,
    );
    gw = await startTestGateway(
      `
providers:
  claude:      { type: anthropic, base_url: "${anthropicUp.url}", api_key: "\${ANTHROPIC_API_KEY}" }
  claude-tool: { type: anthropic, base_url: "${anthropicUp.url}", api_key: "\${ANTHROPIC_API_KEY}", structured_output: tool }
  google:      { type: gemini, base_url: "${geminiUp.url}", api_key: "\${GEMINI_API_KEY}" }
models:
  sonnet:              { provider: claude, upstream: claude-sonnet-4-5 }
  sonnet-json-tool:    { provider: claude-tool, upstream: claude-sonnet-4-5 }
  flash:               { provider: google, upstream: gemini-2.5-flash }
  claude-overloaded:   { provider: claude }
  claude-breaks:       { provider: claude, price: { input: 3, output: 15 } }
  claude-breaks-early: { provider: claude }
  gemini-exhausted:    { provider: google }
lanes:
  overloaded-then-gemini:   [claude-overloaded, flash]
  breaks-early-then-gemini: [claude-breaks-early, flash]
  exhausted-then-claude:    [gemini-exhausted, sonnet]
routes:
  claude-first:        { lane: overloaded-then-gemini }
  claude-stream-first: { lane: breaks-early-then-gemini }
  gemini-first:        { lane: exhausted-then-claude }
resilience:
  # No same-target retries: the recorded 429 asks for 34.4 s.
  retry: { attempts: 0 }
`,
      { ANTHROPIC_API_KEY: ANTHROPIC_KEY, GEMINI_API_KEY: GEMINI_KEY },
    );
  });
  after(async () => {
    await gw?.close();
    await anthropicUp?.close();
    await geminiUp?.close();
  });

  const requestIdOf = (response: Response): string => response.headers.get("x-switchyard-request-id") ?? "";

  /** A streaming request without the SDK: the SSE frames' data as the client gets them. */
  async function rawStream(body: Record<string, unknown>): Promise<{ requestId: string; frames: string[] }> {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...body, stream: true }),
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.endsWith("\n\n"), "every frame is complete");
    const frames = text
      .split("\n\n")
      .filter((frame) => frame !== "")
      .map((frame) => {
        assert.ok(frame.startsWith("data: "), `a data frame: ${frame.slice(0, 80)}`);
        return frame.slice("data: ".length);
      });
    return { requestId: requestIdOf(res), frames };
  }

  describe("Anthropic", () => {
    it("non-streaming text: system hoisted, roles mapped, default max_tokens, x-api-key; usage, receipt and cost", async () => {
      anthropicReply = json(readFixtureJson("anthropic/anthropic-text.json"));
      const { data, response } = await gw.openai.chat.completions.create({ model: "sonnet", messages: CONVERSATION }).withResponse();
      assert.equal(data.id, "msg_01VdEjxAP5ahtHKrrRdNBteQ");
      assert.equal(data.model, "claude-sonnet-4-5-20250929");
      assert.equal(data.choices[0]?.message.content, "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?");
      assert.equal(data.choices[0]?.finish_reason, "stop");
      assert.deepEqual(data.usage, {
        prompt_tokens: 12,
        completion_tokens: 29,
        total_tokens: 41,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });

      const sent = anthropicUp.requests.at(-1);
      assert.equal(sent?.method, "POST");
      assert.equal(sent?.path, "/v1/messages");
      assert.equal(sent?.headers["x-api-key"], ANTHROPIC_KEY);
      assert.equal(sent?.headers["anthropic-version"], "2023-06-01");
      assert.equal(sent?.headers.authorization, undefined, "the client's own key is not passed on");
      assert.deepEqual(bodyOf(sent), {
        model: "claude-sonnet-4-5",
        system: "Be brief.",
        messages: [
          { role: "user", content: "Hello!" },
          { role: "assistant", content: "Hi. What can I do for you?" },
          { role: "user", content: "How are you?" },
        ],
        max_tokens: 4096,
      });

      assert.equal(response.headers.get("x-switchyard-provider"), "claude");
      assert.equal(response.headers.get("x-switchyard-model"), "sonnet");
      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.status, "ok");
      assert.equal(receipt.provider, "claude");
      assert.equal(receipt.providerType, "anthropic");
      assert.equal(receipt.upstreamModel, "claude-sonnet-4-5");
      assert.equal(receipt.upstreamModelReported, "claude-sonnet-4-5-20250929");
      assert.deepEqual(
        [receipt.inputTokens, receipt.cachedInputTokens, receipt.cacheWriteTokens, receipt.outputTokens, receipt.reasoningTokens],
        [12, 0, 0, 29, 0],
      );
      assert.equal(receipt.finishReason, "stop");
      assert.equal(receipt.finishReasonRaw, "end_turn");
      assert.equal(receipt.costMicroUsd, 12 * 3 + 29 * 15);
      assert.equal(response.headers.get("x-switchyard-cost-usd"), "0.000471");
    });

    it("streaming text with include_usage: the recorded text, a usage chunk, [DONE]", async () => {
      const file = "anthropic/anthropic-text.chunks.txt";
      anthropicReply = sse(fixtureChunks(file), { format: "anthropic" });
      const { data: stream, response } = await gw.openai.chat.completions
        .create({ model: "sonnet", messages: ask("Hello!"), stream: true, stream_options: { include_usage: true } })
        .withResponse();
      let textOut = "";
      let usage: OpenAI.CompletionUsage | undefined;
      let finish: string | null = null;
      for await (const chunk of stream) {
        textOut += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(textOut, anthropicStreamed(file, "text_delta"));
      assert.equal(finish, "stop");
      assert.deepEqual(usage, {
        prompt_tokens: 12,
        completion_tokens: 30,
        total_tokens: 42,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });
      const sent = anthropicUp.requests.at(-1);
      assert.equal(bodyOf(sent)["stream"], true);
      assert.equal(sent?.headers.accept, "text/event-stream");

      const receipt = await eventually(() => gw.receipt(requestIdOf(response)));
      assert.equal(receipt.stream, true);
      assert.equal(receipt.status, "ok");
      assert.equal(receipt.upstreamModelReported, "claude-sonnet-4-5-20250929");
      assert.ok((receipt.ttftMs ?? -1) >= 0);
      assert.equal(receipt.costMicroUsd, 12 * 3 + 30 * 15);

      const { frames } = await rawStream({ model: "sonnet", messages: ask("Hello!"), stream_options: { include_usage: true } });
      assert.equal(frames.at(-1), "[DONE]");
      const last = JSON.parse(frames.at(-2) ?? "null") as OpenAI.ChatCompletionChunk;
      assert.deepEqual(last.choices, [], "the usage chunk comes last, with no choices");
      assert.equal(last.usage?.completion_tokens, 30);
    });

    it("streaming prompt-cache usage: prompt_tokens include cache reads and writes, server tools stay hidden", async () => {
      const file = "anthropic/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt";
      anthropicReply = sse(fixtureChunks(file), { format: "anthropic" });
      const stream = gw.openai.chat.completions.stream({
        model: "sonnet",
        messages: ask("What is the sum of the squares of 1 to 12?"),
        stream_options: { include_usage: true },
      });
      const final = await stream.finalChatCompletion();
      assert.equal(final.choices[0]?.message.content, anthropicStreamed(file, "text_delta"));
      assert.match(final.choices[0]?.message.content ?? "", /\*\*650\*\*/);
      assert.equal(final.choices[0]?.message.tool_calls, undefined, "server tool use is the provider's own business");
      // message_delta: input 6 + cache write 3337 + cache read 6289; output 198.
      assert.deepEqual(final.usage, {
        prompt_tokens: 9632,
        completion_tokens: 198,
        total_tokens: 9830,
        prompt_tokens_details: { cached_tokens: 6289 },
        completion_tokens_details: { reasoning_tokens: 0 },
      });
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.upstreamModelReported, "claude-sonnet-5");
      assert.equal(receipt?.toolCalls, 0);
      assert.deepEqual([receipt?.inputTokens, receipt?.cachedInputTokens, receipt?.cacheWriteTokens, receipt?.outputTokens], [9632, 6289, 3337, 198]);
      // claude-sonnet-4-5 is what was configured and is priced: 6 × 3 + 6289 × 0.3 + 3337 × 3.75 + 198 × 15.
      assert.equal(receipt?.costMicroUsd, Math.round(6 * 3 + 6289 * 0.3 + 3337 * 3.75 + 198 * 15));
    });

    it("streamed tool calls (recorded JSON arguments, and a call without arguments) reassembled by the SDK", async () => {
      anthropicReply = sse(fixtureChunks("anthropic/anthropic-json-tool.1.chunks.txt"), { format: "anthropic" });
      const first = await gw.openai.chat.completions
        .stream({ model: "sonnet", messages: ask("Weather in San Francisco?"), tools: [tool("json")], tool_choice: "auto" })
        .finalChatCompletion();
      const call = first.choices[0]?.message.tool_calls?.[0];
      assert.ok(call?.type === "function");
      assert.equal(call.id, "toolu_01KFbKqPYSuAKujiL6mTfzYA");
      assert.equal(call.function.name, "json");
      assert.deepEqual(JSON.parse(call.function.arguments), { elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
      assert.equal(first.choices[0]?.finish_reason, "tool_calls");
      const sent = bodyOf(anthropicUp.requests.at(-1));
      assert.deepEqual(sent["tools"], [{ name: "json", description: "the json tool", input_schema: WEATHER_PARAMETERS }]);
      assert.deepEqual(sent["tool_choice"], { type: "auto" });

      anthropicReply = sse(fixtureChunks("anthropic/anthropic-tool-no-args.chunks.txt"), { format: "anthropic" });
      const second = await gw.openai.chat.completions
        .stream({ model: "sonnet", messages: ask("Update the issue list."), tools: [tool("updateIssueList", { type: "object", properties: {} })] })
        .finalChatCompletion();
      const message = second.choices[0]?.message;
      assert.equal(message?.content, "I'll update the issue list for you.");
      const noArgs = message?.tool_calls?.[0];
      assert.ok(noArgs?.type === "function");
      assert.equal(noArgs.function.name, "updateIssueList");
      assert.deepEqual(JSON.parse(noArgs.function.arguments), {});
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.toolCalls, 1);
      assert.equal(receipt?.finishReason, "tool_calls");
      assert.equal(receipt?.costMicroUsd, 565 * 3 + 48 * 15);
    });

    it("json_schema on a model with structured outputs: output_format and its beta flag sent, the JSON text comes back", async () => {
      anthropicReply = json(readFixtureJson("anthropic/anthropic-json-output-format.1.json"));
      const format = { type: "json_schema" as const, json_schema: { name: "recipe", schema: RECIPE_SCHEMA, strict: true } };
      const completion = await gw.openai.chat.completions.parse({ model: "sonnet", messages: ask("A lasagna recipe."), response_format: format });
      const parsed = completion.choices[0]?.message.parsed as { recipe: { name: string; ingredients: unknown[]; steps: unknown[] } } | null;
      assert.equal(parsed?.recipe.name, "Classic Lasagna");
      assert.equal(parsed?.recipe.ingredients.length, 18);
      assert.equal(completion.choices[0]?.finish_reason, "stop");
      const sent = anthropicUp.requests.at(-1);
      assert.deepEqual(bodyOf(sent)["output_format"], { type: "json_schema", schema: RECIPE_SCHEMA });
      assert.equal(bodyOf(sent)["tools"], undefined);
      assert.match(String(sent?.headers["anthropic-beta"]), /structured-outputs-2025-11-13/);

      const file = "anthropic/anthropic-json-output-format.1.chunks.txt";
      anthropicReply = sse(fixtureChunks(file), { format: "anthropic" });
      const streamed = await gw.openai.chat.completions
        .stream({ model: "sonnet", messages: ask("Three characters."), response_format: { type: "json_schema", json_schema: { name: "characters", schema: { type: "object" } } } })
        .finalChatCompletion();
      assert.equal(streamed.choices[0]?.message.content, anthropicStreamed(file, "text_delta"));
      const characters = streamed.choices[0]?.message.parsed as { characters: { name: string }[] } | null;
      assert.deepEqual(characters?.characters.map((c) => c.name), ["Theron Ironheart", "Lyra Starweaver", "Rook Shadowstep"]);
    });

    it("json_schema as a forced tool (structured_output: tool): the recorded tool input is the content", async () => {
      anthropicReply = json(readFixtureJson("anthropic/anthropic-json-tool.1.json"));
      const schema = { type: "object", properties: { elements: { type: "array" } }, required: ["elements"] };
      const { data, response } = await gw.openai.chat.completions
        .create({ model: "sonnet-json-tool", messages: ask("Weather in four cities?"), response_format: { type: "json_schema", json_schema: { name: "json", schema } } })
        .withResponse();
      const content = JSON.parse(data.choices[0]?.message.content ?? "null") as { elements: { location: string }[] };
      assert.deepEqual(content.elements.map((e) => e.location), ["San Francisco", "London", "Paris", "Berlin"]);
      assert.equal(data.choices[0]?.finish_reason, "stop");
      assert.equal(data.choices[0]?.message.tool_calls, undefined);
      const sent = bodyOf(anthropicUp.requests.at(-1));
      assert.deepEqual(sent["tools"], [{ name: "json", description: "Give the answer as this tool's input.", input_schema: schema }]);
      assert.deepEqual(sent["tool_choice"], { type: "tool", name: "json" });
      assert.equal(sent["output_format"], undefined);
      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.upstreamModelReported, "claude-haiku-4-5-20251001");
      assert.equal(receipt.toolCalls, 0);
      assert.ok(receipt.warnings.some((w) => /forced tool/.test(w)), receipt.warnings.join("; "));
    });

    it("a tool call and its result sent back: tool_use in the assistant turn, tool_result in a user turn", async () => {
      anthropicReply = json(readFixtureJson("anthropic/anthropic-text.json"));
      await gw.openai.chat.completions.create({ model: "sonnet", messages: toolRoundTrip("toolu_01"), tools: [tool("weather")] });
      assert.deepEqual(bodyOf(anthropicUp.requests.at(-1))["messages"], [
        { role: "user", content: "Weather in San Francisco?" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_01", name: "weather", input: { location: "San Francisco" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "18°C and sunny" }] },
      ]);
    });

    it("a refusal → finish_reason content_filter, Anthropic's explanation as message.refusal", async () => {
      anthropicReply = json(readFixtureJson("anthropic/anthropic-refusal.json"));
      const { data, response } = await gw.openai.chat.completions.create({ model: "sonnet", messages: ask("Something unsafe.") }).withResponse();
      assert.equal(data.choices[0]?.finish_reason, "content_filter");
      assert.equal(data.choices[0]?.message.content, null);
      assert.match(data.choices[0]?.message.refusal ?? "", /Usage Policy/);
      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.finishReasonRaw, "refusal");
      assert.equal(receipt.upstreamModelReported, "claude-fable-5");
    });

    it("reasoning_effort high → thinking.budget_tokens; the recorded thinking comes back as reasoning_content", async () => {
      anthropicReply = json(readFixtureJson("anthropic/anthropic-clear-thinking.1.json"));
      const { data, response } = await gw.openai.chat.completions
        .create({ model: "sonnet", messages: ask("And divided by 5?"), reasoning_effort: "high" })
        .withResponse();
      const message = data.choices[0]?.message;
      assert.equal(reasoningOf(message), "925 divided by 5 = 185");
      assert.equal(message?.content, "925 ÷ 5 = 185");
      // Anthropic bills thinking inside output_tokens without a separate count.
      assert.equal(data.usage?.completion_tokens, 33);
      assert.equal(data.usage?.completion_tokens_details?.reasoning_tokens, 0);
      const sent = bodyOf(anthropicUp.requests.at(-1));
      assert.deepEqual(sent["thinking"], { type: "enabled", budget_tokens: 16_384 });
      assert.equal(sent["max_tokens"], 16_384 + 4096, "max_tokens must exceed the thinking budget");
      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.reasoningEffort, "high");
      assert.equal(receipt.reasoningTokens, 0);
      assert.equal(receipt.costMicroUsd, 69 * 3 + 33 * 15);

      const file = "anthropic/anthropic-clear-thinking.1.chunks.txt";
      anthropicReply = sse(fixtureChunks(file), { format: "anthropic" });
      const stream = await gw.openai.chat.completions.create({ model: "sonnet", messages: ask("And divided by 5?"), reasoning_effort: "high", stream: true });
      let reasoning = "";
      let textOut = "";
      for await (const chunk of stream) {
        reasoning += reasoningOf(chunk.choices[0]?.delta) ?? "";
        textOut += chunk.choices[0]?.delta.content ?? "";
      }
      assert.equal(reasoning, anthropicStreamed(file, "thinking_delta"));
      assert.equal(textOut, "925 ÷ 5 = 185");
      assert.equal(bodyOf(anthropicUp.requests.at(-1))["stream"], true);
    });
  });

  describe("Gemini", () => {
    it("non-streaming text: systemInstruction, roles, generationConfig, x-goog-api-key; thoughts in the usage; receipt and cost", async () => {
      geminiReply = json(readFixtureJson("gemini/google-text.json"));
      const { data, response } = await gw.openai.chat.completions
        .create({ model: "flash", messages: CONVERSATION, temperature: 0.2, top_p: 0.9, max_tokens: 256, stop: ["END"], seed: 7 })
        .withResponse();
      assert.equal(data.id, "Un6LacrVMcjUxs0PmJfWoQc");
      assert.equal(data.model, "gemini-3-pro-preview");
      assert.equal(data.choices[0]?.message.content, "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
      assert.equal(data.choices[0]?.finish_reason, "stop");
      // candidatesTokenCount 28 + thoughtsTokenCount 244; the total matches the recorded totalTokenCount 281.
      assert.deepEqual(data.usage, {
        prompt_tokens: 9,
        completion_tokens: 272,
        total_tokens: 281,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 244 },
      });

      const sent = geminiUp.requests.at(-1);
      assert.equal(sent?.path, "/v1beta/models/gemini-2.5-flash:generateContent");
      assert.equal(sent?.headers["x-goog-api-key"], GEMINI_KEY);
      assert.equal(sent?.headers.authorization, undefined);
      assert.deepEqual(bodyOf(sent), {
        contents: [
          { role: "user", parts: [{ text: "Hello!" }] },
          { role: "model", parts: [{ text: "Hi. What can I do for you?" }] },
          { role: "user", parts: [{ text: "How are you?" }] },
        ],
        systemInstruction: { parts: [{ text: "Be brief." }] },
        generationConfig: { maxOutputTokens: 256, temperature: 0.2, topP: 0.9, stopSequences: ["END"], seed: 7 },
      });

      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.provider, "google");
      assert.equal(receipt.providerType, "gemini");
      assert.equal(receipt.upstreamModel, "gemini-2.5-flash");
      assert.equal(receipt.upstreamModelReported, "gemini-3-pro-preview");
      assert.deepEqual([receipt.inputTokens, receipt.cachedInputTokens, receipt.outputTokens, receipt.reasoningTokens], [9, 0, 272, 244]);
      // gemini-2.5-flash was configured and is priced: 9 × 0.3 + 272 × 2.5 = 682.7.
      assert.equal(receipt.costMicroUsd, 683);
      assert.equal(response.headers.get("x-switchyard-cost-usd"), "0.000683");
    });

    it("streaming text with include_usage: the recorded text, one usage chunk at the end, [DONE]", async () => {
      const file = "gemini/google-text.chunks.txt";
      geminiReply = sse(fixtureChunks(file), { format: "gemini" });
      const { data: stream, response } = await gw.openai.chat.completions
        .create({ model: "flash", messages: ask("How many r's are in strawberry?"), stream: true, stream_options: { include_usage: true } })
        .withResponse();
      let textOut = "";
      const usages: OpenAI.CompletionUsage[] = [];
      let finish: string | null = null;
      for await (const chunk of stream) {
        textOut += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usages.push(chunk.usage);
      }
      assert.equal(textOut, geminiStreamed(file));
      assert.equal(finish, "stop");
      assert.deepEqual(usages, [
        { prompt_tokens: 9, completion_tokens: 23 + 185, total_tokens: 217, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 185 } },
      ]);
      assert.equal(geminiUp.requests.at(-1)?.path, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");

      const receipt = await eventually(() => gw.receipt(requestIdOf(response)));
      assert.equal(receipt.stream, true);
      assert.equal(receipt.upstreamModelReported, "gemini-3-pro-preview");
      assert.equal(receipt.costMicroUsd, Math.round(9 * 0.3 + 208 * 2.5));

      const { frames } = await rawStream({ model: "flash", messages: ask("How many r's are in strawberry?"), stream_options: { include_usage: true } });
      assert.equal(frames.at(-1), "[DONE]");
      const last = JSON.parse(frames.at(-2) ?? "null") as OpenAI.ChatCompletionChunk;
      assert.deepEqual(last.choices, []);
      assert.equal(last.usage?.completion_tokens_details?.reasoning_tokens, 185);
    });

    it("streamed function calls (whole, and with partialArgs) reassembled by the SDK", async () => {
      geminiReply = sse(fixtureChunks("gemini/google-tool-call.chunks.txt"), { format: "gemini" });
      const first = await gw.openai.chat.completions
        .stream({ model: "flash", messages: ask("Weather in San Francisco?"), tools: [tool("weather")], tool_choice: "auto" })
        .finalChatCompletion();
      const call = first.choices[0]?.message.tool_calls?.[0];
      assert.ok(call?.type === "function");
      assert.equal(call.function.name, "weather");
      assert.deepEqual(JSON.parse(call.function.arguments), { location: "San Francisco" });
      assert.ok(call.id.length > 0, "Gemini sends no id; the gateway makes one up");
      assert.equal(first.choices[0]?.finish_reason, "tool_calls");
      const sent = bodyOf(geminiUp.requests.at(-1));
      assert.deepEqual(sent["tools"], [{ functionDeclarations: [{ name: "weather", description: "the weather tool", parameters: WEATHER_PARAMETERS }] }]);
      assert.deepEqual(sent["toolConfig"], { functionCallingConfig: { mode: "AUTO" } });

      geminiReply = sse(fixtureChunks("gemini/google-stream-tool-call-arguments.chunks.txt"), { format: "gemini" });
      const second = await gw.openai.chat.completions
        .stream({ model: "flash", messages: ask("Weather in Boston and San Francisco?"), tools: [tool("getWeather")], stream_options: { include_usage: true } })
        .finalChatCompletion();
      const calls = second.choices[0]?.message.tool_calls ?? [];
      assert.deepEqual(
        calls.map((c) => (c.type === "function" ? [c.function.name, JSON.parse(c.function.arguments) as unknown] : null)),
        [["getWeather", { location: "Boston" }], ["getWeather", { location: "San Francisco" }]],
      );
      assert.equal(new Set(calls.map((c) => c.id)).size, 2, "each call has its own id");
      assert.equal(second.usage?.completion_tokens, 23 + 132);
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.toolCalls, 2);
      assert.equal(receipt?.finishReason, "tool_calls");
      assert.equal(receipt?.upstreamModelReported, "gemini-3.1-pro-preview");
    });

    it("json_schema → generationConfig.responseMimeType and responseJsonSchema (the client's schema as it is)", async () => {
      // No structured-output recording exists for Gemini: the reply is the plain text recording.
      geminiReply = json(readFixtureJson("gemini/google-text.json"));
      const data = await gw.openai.chat.completions.create({
        model: "flash",
        messages: ask("A lasagna recipe."),
        response_format: { type: "json_schema", json_schema: { name: "recipe", schema: RECIPE_SCHEMA, strict: true } },
      });
      assert.equal(data.choices[0]?.finish_reason, "stop");
      const sent = bodyOf(geminiUp.requests.at(-1));
      assert.deepEqual(sent["generationConfig"], { responseMimeType: "application/json", responseJsonSchema: RECIPE_SCHEMA });
    });

    it("reasoning_effort high → thinkingConfig; thought parts come back as reasoning_content, thoughts as reasoning tokens", async () => {
      geminiReply = json(readFixtureJson("gemini/google-reasoning.json"));
      const { data, response } = await gw.openai.chat.completions
        .create({ model: "flash", messages: ask("How many r's are in strawberry?"), reasoning_effort: "high" })
        .withResponse();
      assert.deepEqual(bodyOf(geminiUp.requests.at(-1))["generationConfig"], { thinkingConfig: { thinkingBudget: 24_576, includeThoughts: true } });
      assert.match(data.choices[0]?.message.content ?? "", /There are \*\*3\*\*/);
      // The recording has no thought parts, only their count.
      assert.equal(reasoningOf(data.choices[0]?.message), undefined);
      assert.equal(data.usage?.completion_tokens, 29 + 282);
      assert.equal(data.usage?.completion_tokens_details?.reasoning_tokens, 282);
      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.reasoningEffort, "high");
      assert.equal(receipt.reasoningTokens, 282);
      assert.equal(receipt.costMicroUsd, Math.round(9 * 0.3 + 311 * 2.5));

      // A recorded stream whose first part is a thought summary, followed by four function calls.
      geminiReply = sse(fixtureChunks("gemini/google-stream-no-args-tool-call.chunks.txt"), { format: "gemini" });
      const stream = gw.openai.chat.completions.stream({
        model: "flash",
        messages: ask("Read the theme, then screens A, B and C."),
        tools: [tool("read_theme", { type: "object", properties: {} }), tool("read_screen", { type: "object", properties: { id: { type: "string" } } })],
        reasoning_effort: "high",
        stream_options: { include_usage: true },
      });
      let reasoning = "";
      stream.on("chunk", (chunk) => {
        reasoning += reasoningOf(chunk.choices[0]?.delta) ?? "";
      });
      const final = await stream.finalChatCompletion();
      assert.match(reasoning, /^\*\*Processing User Requests\*\*/);
      const calls = (final.choices[0]?.message.tool_calls ?? []).map((c) => (c.type === "function" ? [c.function.name, JSON.parse(c.function.arguments) as unknown] : null));
      assert.deepEqual(calls, [["read_theme", {}], ["read_screen", { id: "A" }], ["read_screen", { id: "B" }], ["read_screen", { id: "C" }]]);
      assert.equal(final.usage?.completion_tokens_details?.reasoning_tokens, 183);
      const [streamed] = await gw.receipts(1);
      assert.equal(streamed?.reasoningTokens, 183);
      assert.equal(streamed?.toolCalls, 4);
    });

    it("a function call and its result sent back: functionCall in a model turn, functionResponse named after the call", async () => {
      geminiReply = json(readFixtureJson("gemini/google-text.json"));
      await gw.openai.chat.completions.create({ model: "flash", messages: toolRoundTrip("call_0"), tools: [tool("weather")] });
      assert.deepEqual(bodyOf(geminiUp.requests.at(-1))["contents"], [
        { role: "user", parts: [{ text: "Weather in San Francisco?" }] },
        // The gateway keeps no thought signature across turns; Google documents this value for unsigned calls.
        { role: "model", parts: [{ functionCall: { id: "call_0", name: "weather", args: { location: "San Francisco" } }, thoughtSignature: "skip_thought_signature_validator" }] },
        { role: "user", parts: [{ functionResponse: { id: "call_0", name: "weather", response: { content: "18°C and sunny" } } }] },
      ]);
    });

    it("a safety block ends with finish_reason content_filter, whole or streamed", async () => {
      // No recording of a block exists: these follow the documented shapes
      // (https://ai.google.dev/api/generate-content#PromptFeedback, #FinishReason).
      geminiReply = json({
        promptFeedback: { blockReason: "SAFETY", safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }] },
        usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
        modelVersion: "gemini-2.5-flash",
        responseId: "blocked-prompt",
      });
      const { data, response } = await gw.openai.chat.completions.create({ model: "flash", messages: ask("Something unsafe.") }).withResponse();
      assert.equal(data.choices[0]?.finish_reason, "content_filter");
      assert.equal(data.choices[0]?.message.content, null);
      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.finishReason, "content_filter");
      assert.equal(receipt.finishReasonRaw, "SAFETY");
      assert.equal(receipt.inputTokens, 8);

      const [opening] = fixtureChunks("gemini/google-text.chunks.txt");
      const blocked = {
        candidates: [{ finishReason: "SAFETY", index: 0, safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true }] }],
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 5, totalTokenCount: 14 },
        modelVersion: "gemini-3-pro-preview",
      };
      geminiReply = sse([opening ?? "", JSON.stringify(blocked)], { format: "gemini" });
      const stream = await gw.openai.chat.completions.create({ model: "flash", messages: ask("Something unsafe."), stream: true });
      let textOut = "";
      let finish: string | null = null;
      for await (const chunk of stream) {
        textOut += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(textOut, "There are **3**");
      assert.equal(finish, "content_filter");
      const [streamed] = await gw.receipts(1);
      assert.equal(streamed?.status, "ok");
      assert.equal(streamed?.finishReason, "content_filter");
    });
  });

  describe("failures", () => {
    it("an Anthropic 529 overloaded_error → 503 for a one-model route", async () => {
      await assert.rejects(
        gw.openai.chat.completions.create({ model: "claude-overloaded", messages: ask("hi") }),
        (err: unknown) => err instanceof OpenAI.InternalServerError && err.status === 503 && /overloaded_error: Overloaded/.test(err.message),
      );
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.status, "error");
      assert.equal(receipt?.httpStatus, 503);
      assert.equal(receipt?.errorKind, "overloaded");
      assert.deepEqual(receipt?.attempts.map((a) => [a.provider, a.model, a.status, a.errorKind]), [["claude", "claude-overloaded", 529, "overloaded"]]);
    });

    it("an Anthropic 529 in front of a Gemini model in a lane: falls back, and the receipt lists both attempts", async () => {
      geminiReply = json(readFixtureJson("gemini/google-text.json"));
      const { data, response } = await gw.openai.chat.completions.create({ model: "claude-first", messages: ask("How many r's?") }).withResponse();
      assert.match(data.choices[0]?.message.content ?? "", /strawberry/);
      assert.equal(response.headers.get("x-switchyard-attempts"), "2");
      assert.equal(response.headers.get("x-switchyard-provider"), "google");
      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.status, "ok");
      assert.equal(receipt.providerType, "gemini");
      assert.equal(receipt.upstreamModelReported, "gemini-3-pro-preview");
      assert.equal(receipt.fallbacks, 1);
      assert.deepEqual(receipt.attempts.map((a) => [a.provider, a.model, a.status, a.errorKind]), [
        ["claude", "claude-overloaded", 529, "overloaded"],
        ["google", "flash", 200, null],
      ]);
      assert.equal(receipt.costMicroUsd, 683, "only the answer that came is billed");
    });

    it("a Gemini 429 RESOURCE_EXHAUSTED with RetryInfo → 429 with retry-after for a one-model route", async () => {
      await assert.rejects(gw.openai.chat.completions.create({ model: "gemini-exhausted", messages: ask("hi") }), (err: unknown) => {
        assert.ok(err instanceof OpenAI.RateLimitError, String(err));
        assert.equal(err.status, 429);
        assert.equal(err.headers?.get("retry-after"), "35", "RetryInfo.retryDelay 34.4s, rounded up");
        assert.match(err.message, /RESOURCE_EXHAUSTED: You exceeded your current quota/);
        return true;
      });
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.errorKind, "rate_limited");
      assert.deepEqual(receipt?.attempts.map((a) => [a.provider, a.status, a.errorKind]), [["google", 429, "rate_limited"]]);
    });

    it("a Gemini 429 in front of an Anthropic model in a lane: falls back, and the receipt lists both attempts", async () => {
      anthropicReply = json(readFixtureJson("anthropic/anthropic-text.json"));
      const { data, response } = await gw.openai.chat.completions.create({ model: "gemini-first", messages: ask("Hello!") }).withResponse();
      assert.match(data.choices[0]?.message.content ?? "", /doing well/);
      const receipt = await gw.receipt(requestIdOf(response));
      assert.equal(receipt.providerType, "anthropic");
      assert.deepEqual(receipt.attempts.map((a) => [a.provider, a.model, a.status, a.errorKind]), [
        ["google", "gemini-exhausted", 429, "rate_limited"],
        ["claude", "sonnet", 200, null],
      ]);
      assert.equal(receipt.costMicroUsd, 12 * 3 + 29 * 15);
    });

    it("an in-stream Anthropic error before any content falls back to the next model unseen", async () => {
      const file = "gemini/google-text.chunks.txt";
      geminiReply = sse(fixtureChunks(file), { format: "gemini" });
      const stream = await gw.openai.chat.completions.create({ model: "claude-stream-first", messages: ask("How many r's?"), stream: true });
      let textOut = "";
      for await (const chunk of stream) textOut += chunk.choices[0]?.delta.content ?? "";
      assert.equal(textOut, geminiStreamed(file));
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.status, "ok");
      assert.deepEqual(receipt?.attempts.map((a) => [a.model, a.errorKind]), [["claude-breaks-early", "overloaded"], ["flash", null]]);
    });

    it("an in-stream Anthropic error after content: the SDK raises, the receipt says truncated", async () => {
      const stream = await gw.openai.chat.completions.create({ model: "claude-breaks", messages: ask("Hello!"), stream: true });
      let received = "";
      await assert.rejects(
        async () => {
          for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? "";
        },
        (err: unknown) => err instanceof OpenAI.APIError && /broke off/.test(err.message) && /Overloaded/.test(err.message),
      );
      assert.equal(received, "Hello! I'm doing well, thank you for asking", "what came before the error was delivered");
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.status, "truncated");
      assert.equal(receipt?.errorKind, "overloaded");
      assert.equal(receipt?.model, "claude-breaks");
      assert.deepEqual(receipt?.attempts.map((a) => [a.model, a.status, a.errorKind]), [["claude-breaks", 200, "overloaded"]]);
    });

    it(
      "a truncated Anthropic stream still receipts the input tokens message_start reported",
      async () => {
        const stream = await gw.openai.chat.completions.create({ model: "claude-breaks", messages: ask("Hello!"), stream: true });
        await assert.rejects(async () => {
          for await (const _chunk of stream) void _chunk;
        }, OpenAI.APIError);
        const [receipt] = await gw.receipts(1);
        assert.equal(receipt?.status, "truncated");
        assert.equal(receipt?.inputTokens, 12, "message_start: input_tokens 12");
        assert.notEqual(receipt?.costMicroUsd, null);
      },
    );

    it(
      "an attempt that failed in-stream before content records the HTTP status the upstream answered with",
      async () => {
        geminiReply = sse(fixtureChunks("gemini/google-text.chunks.txt"), { format: "gemini" });
        const stream = await gw.openai.chat.completions.create({ model: "claude-stream-first", messages: ask("How many r's?"), stream: true });
        for await (const _chunk of stream) void _chunk;
        const [receipt] = await gw.receipts(1);
        assert.deepEqual(receipt?.attempts.map((a) => [a.model, a.status, a.errorKind]), [["claude-breaks-early", 200, "overloaded"], ["flash", 200, null]]);
      },
    );
  });
});
