import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { json, sse, startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { fixtureChunks, readFixture, skipWithoutFixtures } from "../support/fixtures.ts";
import { startTestGateway, type TestGateway } from "../support/test-gateway.ts";

/** The openai SDK → gateway → fake upstreams replaying recorded OpenAI and DeepSeek traffic. */
describe("recorded OpenAI and DeepSeek traffic through the gateway", { skip: skipWithoutFixtures }, () => {
  let openaiUp: FakeUpstream;
  let deepseekUp: FakeUpstream;
  let gw: TestGateway;

  before(async () => {
    openaiUp = await startFakeUpstream((req) =>
      (req.body as { stream?: boolean }).stream
        ? sse(fixtureChunks("openai/openai-text.chunks.txt"))
        : json(JSON.parse(readFixture("openai/openai-text.json"))),
    );
    deepseekUp = await startFakeUpstream((req) => {
      const body = req.body as { stream?: boolean; tools?: unknown };
      if (body.tools) return body.stream ? sse(fixtureChunks("deepseek/deepseek-tool-call.chunks.txt")) : json(JSON.parse(readFixture("deepseek/deepseek-tool-call.json")));
      return body.stream ? sse(fixtureChunks("deepseek/deepseek-reasoning.chunks.txt")) : json(JSON.parse(readFixture("deepseek/deepseek-reasoning.json")));
    });
    gw = await startTestGateway(
      `
providers:
  openai:   { type: openai, base_url: "${openaiUp.url}/v1", api_key: "\${OPENAI_API_KEY}" }
  deepseek: { type: openai-compatible, base_url: "${deepseekUp.url}/v1", api_key: "\${DEEPSEEK_API_KEY}" }
models:
  nano:     { provider: openai, upstream: gpt-4.1-nano }
  reasoner: { provider: deepseek, upstream: deepseek-reasoner }
aliases:
  chat-latest: nano
`,
      { OPENAI_API_KEY: "sk-test-openai", DEEPSEEK_API_KEY: "sk-test-deepseek" },
    );
  });
  after(async () => {
    await gw?.close();
    await openaiUp?.close();
    await deepseekUp?.close();
  });

  it("returns the recorded OpenAI completion and receipts its reported version and cost", async () => {
    const { data, response } = await gw.openai.chat.completions
      .create({ model: "chat-latest", messages: [{ role: "user", content: "Invent a holiday." }], temperature: 0.3 })
      .withResponse();
    assert.equal(data.id, "chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU");
    assert.match(data.choices[0]?.message.content ?? "", /Galaxy Day/);
    const sent = openaiUp.requests.at(-1);
    assert.equal(sent?.path, "/v1/chat/completions");
    assert.equal(sent?.headers.authorization, "Bearer sk-test-openai");
    const body = sent?.body as { model: string; temperature: number };
    assert.equal(body.model, "gpt-4.1-nano");
    assert.equal(body.temperature, 0.3);

    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.requestedModel, "chat-latest");
    assert.equal(receipt.model, "nano");
    assert.equal(receipt.upstreamModel, "gpt-4.1-nano");
    assert.equal(receipt.upstreamModelReported, "gpt-4.1-nano-2025-04-14");
    assert.equal(receipt.inputTokens, 16);
    assert.equal(receipt.outputTokens, 363);
    assert.equal(receipt.providerType, "openai");
    assert.equal(receipt.simulated, false);
    // gpt-4.1-nano from the bundled table: $0.10 / 1M input, $0.40 / 1M output.
    assert.equal(receipt.costMicroUsd, Math.round(16 * 0.1 + 363 * 0.4));
    assert.equal(Number(response.headers.get("x-switchyard-cost-usd")), (receipt.costMicroUsd ?? NaN) / 1e6);
  });

  it("streams the recorded OpenAI chunks through, usage included when asked", async () => {
    const stream = await gw.openai.chat.completions.create({
      model: "nano",
      messages: [{ role: "user", content: "Invent a holiday." }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    const expected = fixtureChunks("openai/openai-text.chunks.txt")
      .map((l) => (JSON.parse(l) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? "")
      .join("");
    assert.equal(text, expected);
    assert.equal(usage?.completion_tokens, 300);
    const sent = openaiUp.requests.at(-1)?.body as { stream_options?: { include_usage?: boolean } };
    assert.equal(sent.stream_options?.include_usage, true);
    const [receipt] = await gw.receipts(1);
    assert.equal(receipt?.outputTokens, 300);
    assert.equal(receipt?.status, "ok");
    assert.ok((receipt?.ttftMs ?? -1) >= 0);
  });

  it("asks the upstream for usage even when the client did not, and hides it from the client", async () => {
    const stream = await gw.openai.chat.completions.create({ model: "nano", messages: [{ role: "user", content: "x" }], stream: true });
    for await (const chunk of stream) assert.equal(chunk.usage ?? null, null);
    const sent = openaiUp.requests.at(-1)?.body as { stream_options?: { include_usage?: boolean } };
    assert.equal(sent.stream_options?.include_usage, true);
    const [receipt] = await gw.receipts(1);
    assert.equal(receipt?.outputTokens, 300);
  });

  it("keeps DeepSeek's reasoning_content and reasoning tokens, non-streaming", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "reasoner", messages: [{ role: "user", content: "How many r in strawberry?" }] }),
    });
    const text = await res.text();
    assert.equal(text, JSON.stringify(JSON.parse(readFixture("deepseek/deepseek-reasoning.json"))), "the upstream body is forwarded as it came");
    const body = JSON.parse(text) as { choices: { message: { reasoning_content?: string } }[] };
    assert.match(body.choices[0]?.message.reasoning_content ?? "", /s-t-r-a-w-b-e-r-r-y/);
    const receipt = await gw.receipt(res.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.reasoningTokens, 315);
    assert.equal(receipt.outputTokens, 345);
    assert.equal(receipt.upstreamModelReported, "deepseek-reasoner");
    const sent = deepseekUp.requests.at(-1)?.body as Record<string, unknown>;
    assert.equal(sent["model"], "deepseek-reasoner");
    assert.equal(deepseekUp.requests.at(-1)?.headers.authorization, "Bearer sk-test-deepseek");
  });

  it("streams DeepSeek reasoning_content through byte for byte, usage from the final chunk with choices", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "reasoner", stream: true, messages: [{ role: "user", content: "How many r in strawberry?" }] }),
    });
    const text = await res.text();
    const lines = fixtureChunks("deepseek/deepseek-reasoning.chunks.txt");
    assert.ok(text.includes(`data: ${lines[1]}\n\n`), "chunks are forwarded as received");
    assert.ok(text.endsWith("data: [DONE]\n\n"));
    const receipt = await gw.receipt(res.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.reasoningTokens, 205);
    assert.equal(receipt.outputTokens, 219);
    assert.equal(receipt.finishReason, "stop");
  });

  it("streams recorded DeepSeek tool calls that the SDK reassembles", async () => {
    const stream = gw.openai.chat.completions.stream({
      model: "reasoner",
      messages: [{ role: "user", content: "weather?" }],
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { location: { type: "string" } } } } }],
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === "function");
    assert.ok(call.function.name.length > 0);
    JSON.parse(call.function.arguments);
    const [receipt] = await gw.receipts(1);
    assert.ok((receipt?.toolCalls ?? 0) >= 1);
  });
});
