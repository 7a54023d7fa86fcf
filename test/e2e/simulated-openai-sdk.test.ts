import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";
import { SIMULATED_CONFIG, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

describe("openai SDK against the simulated providers", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(SIMULATED_CONFIG);
  });
  after(async () => {
    await gw.close();
  });

  it("answers chat.completions.create and writes a receipt with usage and cost", async () => {
    const { data, response } = await gw.openai.chat.completions
      .create({ model: "default", messages: [{ role: "user", content: "Say hello to the gateway in one sentence." }] })
      .withResponse();
    assert.equal(data.object, "chat.completion");
    assert.ok(data.choices[0]?.message.content, "has content");
    assert.match(data.model, /sim-pro/);
    const id = response.headers.get("x-switchyard-request-id");
    assert.ok(id);
    assert.equal(response.headers.get("x-switchyard-model"), "sim-pro");
    assert.equal(response.headers.get("x-switchyard-provider"), "simulated");
    assert.equal(response.headers.get("x-switchyard-simulated"), "true");
    assert.equal(response.headers.get("x-switchyard-attempts"), "1");
    assert.ok(Number(response.headers.get("x-switchyard-cost-usd")) > 0);
    assert.ok(Number(response.headers.get("x-switchyard-overhead-ms")) >= 0);

    const receipt = await gw.receipt(id);
    assert.equal(receipt.status, "ok");
    assert.equal(receipt.requestedModel, "default");
    assert.equal(receipt.model, "sim-pro");
    assert.equal(receipt.upstreamModelReported, data.model);
    assert.equal(receipt.simulated, true);
    assert.equal(receipt.inputTokens, data.usage?.prompt_tokens);
    assert.equal(receipt.outputTokens, data.usage?.completion_tokens);
    // sim-pro: $1.25 / 1M input, $10 / 1M output → micro-USD = 1.25 * in + 10 * out
    const expected = Math.round(1.25 * (data.usage?.prompt_tokens ?? 0) + 10 * (data.usage?.completion_tokens ?? 0));
    assert.equal(receipt.costMicroUsd, expected);
    assert.equal(receipt.attempts.length, 1);

    const viaHttp = (await (await fetch(`${gw.url}/v1/receipts/${id}`)).json()) as { requestId: string };
    assert.equal(viaHttp.requestId, id);
  });

  it("streams with include_usage and the stream adds up to the receipt", async () => {
    const stream = await gw.openai.chat.completions.create({
      model: "general",
      messages: [{ role: "user", content: "Tell me about rail yards and switching engines." }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(text.length > 0);
    assert.ok(finish);
    assert.ok(usage && usage.completion_tokens > 0, "usage chunk arrives");
    const [latest] = await gw.receipts(1);
    assert.equal(latest?.stream, true);
    assert.equal(latest?.status, "ok");
    assert.equal(latest?.route, "general");
    assert.equal(latest?.outputTokens, usage.completion_tokens);
  });

  it("omits the usage chunk when the client did not ask for it", async () => {
    const stream = await gw.openai.chat.completions.create({
      model: "sim-mini",
      messages: [{ role: "user", content: "hello there" }],
      stream: true,
    });
    for await (const chunk of stream) assert.equal(chunk.usage ?? null, null);
  });

  it("makes tool calls the SDK understands", async () => {
    const completion = await gw.openai.chat.completions.create({
      model: "sim-frontier",
      messages: [{ role: "user", content: "What is the weather in Lisbon?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
          },
        },
      ],
      metadata: { sim_outcome: "success" },
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === "function");
    assert.equal(call.function.name, "get_weather");
    const args = JSON.parse(call.function.arguments) as { city: unknown };
    assert.equal(typeof args.city, "string");
    assert.equal(completion.choices[0]?.finish_reason, "tool_calls");
  });

  it("streams tool calls the SDK reassembles", async () => {
    const stream = gw.openai.chat.completions.stream({
      model: "sim-frontier",
      messages: [{ role: "user", content: "Book a table for two tonight." }],
      tools: [
        {
          type: "function",
          function: {
            name: "book_table",
            parameters: { type: "object", properties: { people: { type: "integer" }, time: { type: "string" } }, required: ["people", "time"] },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "book_table" } },
      metadata: { sim_outcome: "success" },
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === "function");
    assert.equal(call.function.name, "book_table");
    const args = JSON.parse(call.function.arguments) as { people: unknown; time: unknown };
    assert.equal(typeof args.people, "number");
  });

  it("supports chat.completions.parse with a zod schema", async () => {
    const Invoice = z.object({ vendor: z.string(), total: z.number(), paid: z.boolean() });
    const completion = await gw.openai.chat.completions.parse({
      model: "sim-frontier",
      messages: [{ role: "user", content: "Extract the invoice: ACME Corp, total 120.50, paid." }],
      response_format: zodResponseFormat(Invoice, "invoice"),
      metadata: { sim_outcome: "success" },
    });
    const parsed = completion.choices[0]?.message.parsed;
    assert.ok(parsed);
    assert.equal(typeof parsed.vendor, "string");
    assert.equal(typeof parsed.total, "number");
  });

  it("a failing simulated answer to a json_schema request is visibly invalid JSON", async () => {
    const completion = await gw.openai.chat.completions.create({
      model: "sim-mini",
      messages: [{ role: "user", content: "Extract the fields." }],
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { a: { type: "string" } }, required: ["a"] } } },
      metadata: { sim_outcome: "failure" },
    });
    assert.throws(() => JSON.parse(completion.choices[0]?.message.content ?? ""));
  });

  it("lists routes, aliases, auto and models as OpenAI model objects, labelled simulated", async () => {
    const ids: string[] = [];
    const owners = new Map<string, string>();
    for await (const m of gw.openai.models.list()) {
      ids.push(m.id);
      owners.set(m.id, m.owned_by);
    }
    for (const id of ["auto", "extraction", "general", "default", "sim-mini", "sim-pro", "sim-frontier"]) assert.ok(ids.includes(id), id);
    assert.equal(owners.get("sim-mini"), "simulated");
  });

  it("resolves auto through its rules, with the complexity header", async () => {
    const { response } = await gw.openai.chat.completions
      .create({ model: "auto", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-complexity": "high" } })
      .withResponse();
    assert.equal(response.headers.get("x-switchyard-model"), "sim-frontier");
    const { response: r2 } = await gw.openai.chat.completions
      .create({ model: "auto", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    assert.equal(r2.headers.get("x-switchyard-lane"), "cheap");
  });

  it("classifies requests to model auto when no header says what they are, and receipts why", async () => {
    const { response } = await gw.openai.chat.completions
      .create({
        model: "auto",
        messages: [{ role: "user", content: "Write a TypeScript function that parses ISO dates, with unit tests.\n\n```ts\nexport function parse(s: string) {}\n```" }],
      })
      .withResponse();
    assert.equal(response.headers.get("x-switchyard-route"), "general", "the task_type: code rule fired");
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.taskType, "code");
    assert.ok(receipt.complexity === "low" || receipt.complexity === "medium");
    // A header overrides the classifier.
    const { response: r2 } = await gw.openai.chat.completions
      .create({ model: "auto", messages: [{ role: "user", content: "Write a TypeScript function." }] }, { headers: { "x-switchyard-task-type": "chat" } })
      .withResponse();
    assert.equal(r2.headers.get("x-switchyard-lane"), "cheap");
    assert.equal((await gw.receipt(r2.headers.get("x-switchyard-request-id") ?? "")).taskType, "chat");
  });

  it("clamps max_tokens to the route's cap with a warning", async () => {
    const { response } = await gw.openai.chat.completions
      .create({ model: "extraction", max_tokens: 4000, messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    assert.match(response.headers.get("x-switchyard-warning") ?? "", /clamped to route extraction's max_output_tokens 512/);
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.warnings.length, 1);
  });

  it("serves health and readiness", async () => {
    assert.equal((await fetch(`${gw.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${gw.url}/readyz`)).status, 200);
  });

  it("reports a parameter the model cannot honour as a warning, never silently", async () => {
    const { response } = await gw.openai.chat.completions
      .create({ model: "sim-mini", reasoning_effort: "high", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    assert.match(response.headers.get("x-switchyard-warning") ?? "", /sim-mini: reasoning_effort is ignored/);
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.deepEqual(receipt.warnings, ["sim-mini: reasoning_effort is ignored: sim-mini does not reason"]);
    assert.equal(receipt.reasoningEffort, "high");
  });
});
