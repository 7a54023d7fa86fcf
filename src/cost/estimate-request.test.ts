import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { ChatRequest, Message, ToolDefinition } from "../core/request.ts";
import { computeCostMicroUsd } from "./compute-cost.ts";
import { preloadO200k } from "./estimate-o200k.ts";
import { estimateRequest, type EstimateRequestOptions, type RequestEstimate } from "./estimate-request.ts";
import { SAMPLE_TEXTS } from "./estimate-samples.test.ts";
import { resolvePrice } from "./resolve-price.ts";

const text = (kind: string): string => SAMPLE_TEXTS[kind] ?? assert.fail(kind);

function chat(messages: Message[], more: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "gpt-4o", messages, stream: false, extra: {}, ...more };
}

function estimate(request: ChatRequest, more: Partial<EstimateRequestOptions> = {}): RequestEstimate {
  return estimateRequest({ request, providerType: "openai", price: null, contextWindow: null, ...more });
}

/** The same request counted with the tokenizer: a token cap right at the rough estimate forces it. */
function counted(request: ChatRequest, more: Partial<EstimateRequestOptions> = {}): RequestEstimate {
  const rough = estimate(request, more);
  const exact = estimate(request, { ...more, caps: { tokens: rough.inputTokens + rough.outputTokens } });
  assert.equal(exact.method, "o200k");
  return exact;
}

const SEARCH_TOOL: ToolDefinition = {
  name: "search_orders",
  description: "Find orders by customer, status or date range.",
  parameters: {
    type: "object",
    properties: {
      customer_id: { type: "string", description: "The customer's id, e.g. C-1042." },
      status: { type: "string", enum: ["open", "shipped", "returned"] },
      from: { type: "string", format: "date" },
      to: { type: "string", format: "date" },
    },
    required: ["customer_id"],
  },
};

const VARIED: Record<string, ChatRequest> = {
  prose: chat([
    { role: "system", content: "You are a concise technical writer." },
    { role: "user", content: text("english prose") },
    { role: "assistant", content: text("markdown doc") },
    { role: "user", content: "Shorter, please, and keep the table." },
  ]),
  code: chat([{ role: "user", content: `Why does this fail?\n\n${text("typescript code")}\n\nAnd this:\n\n${text("python code")}` }]),
  json: chat([{ role: "user", content: `Extract the tool call:\n${text("json")}` }], {
    responseFormat: { type: "json_schema", name: "call", schema: { type: "object", properties: { name: { type: "string" }, order_id: { type: "string" } }, required: ["name"] } },
  }),
  "non-English": chat([
    { role: "user", content: text("chinese") },
    { role: "assistant", content: text("russian") },
    { role: "user", content: `${text("german")}\n${text("japanese")}\n${text("arabic")}` },
  ]),
  tools: chat(
    [
      { role: "user", content: "Which of C-1042's orders shipped in March?" },
      { role: "assistant", content: null, toolCalls: [{ id: "call_1", name: "search_orders", arguments: '{"customer_id":"C-1042","status":"shipped","from":"2026-03-01","to":"2026-03-31"}' }] },
      { role: "tool", toolCallId: "call_1", content: text("json") },
      { role: "user", content: text("chat with emoji") },
    ],
    { tools: [SEARCH_TOOL] },
  ),
};

before(async () => {
  await preloadO200k();
});

describe("estimateRequest: tokens", () => {
  test("the length estimate stays within its error band of the counted tokens on varied requests", () => {
    for (const [kind, request] of Object.entries(VARIED)) {
      const rough = estimate(request);
      const exact = counted(request);
      assert.equal(rough.method, "length");
      const error = rough.inputTokens / exact.inputTokens - 1;
      assert.ok(Math.abs(error) < 0.2, `${kind}: ${rough.inputTokens} estimated, ${exact.inputTokens} counted`);
      assert.ok(rough.minInputTokens <= exact.inputTokens, `${kind}: the lowest plausible count is above the count`);
    }
  });

  test("counted estimates match OpenAI's recorded prompt tokens within a few tokens, never under", () => {
    // Recorded gpt-4o-mini / gpt-5 traffic (shared/fixtures/raw-sse/test_openai).
    const tool: ToolDefinition = {
      name: "get_capital",
      description: "Get the capital of a country.",
      parameters: { additionalProperties: false, properties: { country: { description: "The country name.", type: "string" } }, required: ["country"], type: "object" },
    };
    const call = (country: string, id: string): Message => ({ role: "assistant", content: null, toolCalls: [{ id, name: "get_capital", arguments: JSON.stringify({ country }) }] });
    const turns: Message[] = [
      { role: "user", content: "What is the capital of France?" },
      call("France", "a"),
      { role: "tool", toolCallId: "a", content: "Paris" },
      { role: "assistant", content: "The capital of France is Paris.\n" },
      { role: "user", content: "What is the capital of England?" },
    ];
    const cases: [ChatRequest, number][] = [
      [chat([{ role: "user", content: "What is the capital of France?" }], { model: "gpt-5" }), 13],
      [chat(turns, { model: "gpt-4o-mini", tools: [tool] }), 104],
      [chat([...turns, call("England", "b"), { role: "tool", toolCallId: "b", content: "London" }], { model: "gpt-4o-mini", tools: [tool] }), 129],
    ];
    for (const [request, recorded] of cases) {
      const got = counted(request);
      assert.equal(got.exact, true);
      assert.ok(got.inputTokens >= recorded && got.inputTokens <= recorded + 5, `${got.inputTokens} for ${recorded} recorded`);
    }
  });

  test("images count a fixed figure each: 85 at low detail, 1,445 otherwise (OpenAI)", () => {
    const plain = estimate(chat([{ role: "user", content: "What is in these pictures?" }]));
    const withImages = estimate(
      chat([
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these pictures?" },
            { type: "image", url: "https://example.com/a.png", detail: "low" },
            { type: "image", url: "https://example.com/b.png" },
          ],
        },
      ]),
    );
    assert.equal(withImages.inputTokens - plain.inputTokens, 85 + 1_445);
  });

  test("Anthropic and Gemini: o200k scaled by the provider's factor, never called exact", () => {
    const request = VARIED["prose"] ?? assert.fail();
    const openai = counted(request);
    const sonnet = counted({ ...request, model: "claude-sonnet-4-5" }, { providerType: "anthropic" });
    const opus47 = counted({ ...request, model: "claude-opus-4-7" }, { providerType: "anthropic" });
    const gemini = counted({ ...request, model: "gemini-2.5-flash" }, { providerType: "gemini" });
    for (const e of [sonnet, opus47, gemini]) {
      assert.equal(e.method, "o200k");
      assert.equal(e.exact, false);
    }
    assert.ok(sonnet.inputTokens > openai.inputTokens * 1.1 && sonnet.inputTokens < openai.inputTokens * 1.25);
    // Opus 4.7's tokenizer spends ~1.3–1.45× the tokens of earlier Claudes on English.
    assert.ok(opus47.inputTokens > sonnet.inputTokens * 1.2);
    assert.ok(gemini.inputTokens > openai.inputTokens && gemini.inputTokens < sonnet.inputTokens);
    // Anthropic's tool-use system prompt.
    const tools = VARIED["tools"] ?? assert.fail();
    const claudeTools = counted({ ...tools, model: "claude-sonnet-4-5" }, { providerType: "anthropic" });
    assert.ok(claudeTools.inputTokens - counted(tools).inputTokens > 346);
  });
});

describe("estimateRequest: when it counts exactly", () => {
  const request = VARIED["code"] ?? assert.fail();
  const rough = estimate(request);
  const total = rough.inputTokens + rough.outputTokens;

  test("far from every limit, only the length estimate (a few µs)", () => {
    assert.equal(estimate(request, { caps: { tokens: total * 3 }, contextWindow: 128_000 }).method, "length");
    // Clearly over a limit is as certain as clearly under.
    assert.equal(estimate(request, { caps: { tokens: Math.floor(rough.outputTokens + rough.inputTokens * 0.5) } }).method, "length");
  });

  test("near a token cap, the context window or a cost cap, it counts", () => {
    assert.equal(estimate(request, { caps: { tokens: total + Math.floor(rough.inputTokens * 0.2) } }).method, "o200k");
    assert.equal(estimate(request, { caps: { tokens: total - Math.floor(rough.inputTokens * 0.2) } }).method, "o200k");
    assert.equal(estimate(request, { contextWindow: rough.inputTokens }).method, "o200k");
    const price = resolvePrice({ modelId: "gpt-4o", upstreamModel: "gpt-4o" });
    const cost = estimate(request, { price }).costMicroUsd ?? assert.fail();
    assert.equal(estimate(request, { price, caps: { costMicroUsd: cost } }).method, "o200k");
    assert.equal(estimate(request, { price, caps: { costMicroUsd: cost * 10 } }).method, "length");
  });

  test("an explicit max_tokens is part of what must fit the window (OpenAI)", () => {
    const capped = { ...request, maxOutputTokens: 100_000 };
    assert.equal(estimate(capped, { contextWindow: 128_000 }).outputInWindow, 100_000);
    assert.equal(estimate(capped, { contextWindow: 100_000 + rough.inputTokens }).method, "o200k");
    // Anthropic stops at the window rather than refusing max_tokens beyond it.
    assert.equal(estimate({ ...capped, model: "claude-sonnet-4-6" }, { providerType: "anthropic", contextWindow: 128_000 }).outputInWindow, 0);
  });
});

describe("estimateRequest: output cap and cost", () => {
  const request = chat([{ role: "user", content: text("english prose") }]);

  test("the output cap: the request's, else the model's configured one, else a default by effort", () => {
    assert.deepEqual(pick(estimate({ ...request, maxOutputTokens: 500 }, { maxOutputTokens: 4_000 })), [500, "request"]);
    assert.deepEqual(pick(estimate(request, { maxOutputTokens: 4_000 })), [4_000, "model"]);
    assert.deepEqual(pick(estimate(request)), [8_192, "default"]);
    assert.deepEqual(pick(estimate({ ...request, reasoningEffort: "high" })), [20_480, "default"]);
    assert.deepEqual(pick(estimate({ ...request, reasoningEffort: "xhigh" })), [36_864, "default"]);
  });

  test("the cost is integer micro-USD for input + output at the resolved price", () => {
    const price = resolvePrice({ modelId: "gpt-4o", upstreamModel: "gpt-4o" }); // 2.50 / 10.00 per 1M
    const e = estimate({ ...request, maxOutputTokens: 1_000 }, { price });
    assert.ok(Number.isInteger(e.costMicroUsd));
    // 1,000 output tokens at USD 10 / 1M = 10,000 µUSD, plus input at USD 2.50 / 1M, rounded half up.
    assert.equal(e.costMicroUsd, Math.floor((e.inputTokens * 2_500_000 + 1_000 * 10_000_000 + 500_000) / 1_000_000));
    const usage = { inputTokens: e.inputTokens, outputTokens: 1_000, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    assert.equal(e.costMicroUsd, computeCostMicroUsd(usage, price));
  });

  test("a prompt over the long-context threshold pays the tier's rates", () => {
    const price = resolvePrice({ modelId: "gpt-5.4", upstreamModel: "gpt-5.4" }); // above 272k input: 5.00 / 22.50
    const long = chat([{ role: "user", content: "lorem ipsum dolor ".repeat(100_000) }], { model: "gpt-5.4", maxOutputTokens: 1_000 });
    const e = estimate(long, { price });
    assert.ok(e.inputTokens > 272_000);
    assert.equal(e.costMicroUsd, Math.floor((e.inputTokens * 5_000_000 + 1_000 * 22_500_000 + 500_000) / 1_000_000));
  });

  test("an unknown price gives an unknown cost, never zero", () => {
    const e = estimate(request, { price: null });
    assert.equal(e.costMicroUsd, null);
    assert.ok(e.inputTokens > 0);
  });
});

function pick(e: RequestEstimate): [number, string] {
  return [e.outputTokens, e.outputCap];
}
