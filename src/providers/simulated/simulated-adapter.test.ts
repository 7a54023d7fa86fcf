import assert from "node:assert/strict";
import { test } from "node:test";
import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest, ToolDefinition } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import type { StreamEvent } from "../../core/stream-event.ts";
import type { CallOptions } from "../provider.ts";
import { SIMULATED_OWNER, listSimulatedModelIds } from "./catalogue.ts";
import { checkSchema } from "./schema-check-for-tests.ts";
import { createSimulatedAdapter } from "./simulated-adapter.ts";

function call(signal: AbortSignal = new AbortController().signal, timeoutMs = 60_000): CallOptions {
  return { signal, timeoutMs, idleTimeoutMs: 30_000 };
}

function ask(content: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "sim-pro", messages: [{ role: "user", content }], stream: false, extra: {}, ...extra };
}

const fast = createSimulatedAdapter({ name: "sim", latencyScale: 0 });

async function collect(request: ChatRequest, adapter = fast): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const batch of await adapter.chatStream({ ...request, stream: true }, call())) {
    assert.ok(batch.length > 0, "a batch is never empty");
    for (const chunk of batch) {
      assert.equal(chunk.openaiData, undefined);
      events.push(...chunk.events);
    }
  }
  return events;
}

function withoutCreated(result: ChatResult): Omit<ChatResult, "created"> {
  const { created: _created, ...rest } = result;
  return rest;
}

function parses(text: string | null): boolean {
  try {
    JSON.parse(text ?? "");
    return true;
  } catch {
    return false;
  }
}

const PROMPTS = Array.from({ length: 24 }, (_, i) => `Question ${i}: how do lighthouses ${i % 2 ? "rotate" : "signal"} ships near harbour ${i}?`);

test("the same seed and request give the same answer; another seed changes some answers", async () => {
  const again = createSimulatedAdapter({ name: "sim", latencyScale: 0 });
  const other = createSimulatedAdapter({ name: "sim", seed: 7, latencyScale: 0 });
  let differing = 0;
  for (const prompt of PROMPTS) {
    const a = await fast.chat(ask(prompt), call());
    const b = await again.chat(ask(prompt), call());
    assert.deepEqual(withoutCreated(a), withoutCreated(b));
    const c = await other.chat(ask(prompt), call());
    if (JSON.stringify(withoutCreated(c)) !== JSON.stringify(withoutCreated(a))) differing++;
  }
  assert.ok(differing > 0);
});

test("answers are labelled simulated", async () => {
  const result = await fast.chat(ask("Hi there, how are harbours built?"), call());
  assert.match(result.id, /^simcmpl-/);
  assert.match(result.model, /^sim-pro-\d{4}-\d{2}-\d{2}$/);
  assert.equal(SIMULATED_OWNER, "simulated");
  assert.equal(fast.type, "simulated");
  assert.deepEqual(await fast.listModels?.({ signal: new AbortController().signal }), listSimulatedModelIds());
  assert.deepEqual(listSimulatedModelIds(), ["sim-mini", "sim-pro", "sim-frontier"]);
});

const INVOICE_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["vendor", "total", "currency", "lines"],
  properties: {
    vendor: { type: "string" },
    total: { type: "number", minimum: 0 },
    currency: { type: "string", enum: ["EUR", "USD"] },
    lines: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["item", "qty"],
        properties: { item: { type: "string" }, qty: { type: "integer", minimum: 1 } },
      },
    },
  },
};

test("json_schema answers validate on success and do not parse on failure", async () => {
  for (let i = 0; i < 20; i++) {
    const request = ask(`Extract the invoice from Acme Tools, order ${i}, total 120.50 EUR`, {
      responseFormat: { type: "json_schema", name: "invoice", schema: INVOICE_SCHEMA, strict: true },
    });
    const good = await fast.chat({ ...request, metadata: { sim_outcome: "success" } }, call());
    assert.equal(good.finishReason.unified, "stop");
    assert.deepEqual(checkSchema(JSON.parse(good.content ?? ""), INVOICE_SCHEMA), [], good.content ?? "");
    const bad = await fast.chat({ ...request, metadata: { sim_outcome: "failure" } }, call());
    assert.equal(parses(bad.content), false, bad.content ?? "");
  }
});

test("json_object answers are JSON objects", async () => {
  const result = await fast.chat(ask("Give me the details of the order", { responseFormat: { type: "json_object" }, metadata: { sim_outcome: "success" } }), call());
  const value: unknown = JSON.parse(result.content ?? "");
  assert.ok(typeof value === "object" && value !== null && !Array.isArray(value));
});

const TOOLS: ToolDefinition[] = [
  { name: "search_docs", description: "Search the documentation", parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"] } },
  {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", additionalProperties: false, properties: { city: { type: "string" }, unit: { enum: ["c", "f"] } }, required: ["city", "unit"] },
  },
];

test("tools: the matching tool is called with arguments that fit its schema", async () => {
  const result = await fast.chat(ask("What is the weather in Lisbon today?", { tools: TOOLS, metadata: { sim_outcome: "success" } }), call());
  assert.equal(result.finishReason.unified, "tool_calls");
  assert.equal(result.content, null);
  assert.equal(result.toolCalls.length, 1);
  const [toolCall] = result.toolCalls;
  assert.equal(toolCall?.name, "get_weather");
  assert.match(toolCall?.id ?? "", /^call_sim_/);
  assert.deepEqual(checkSchema(JSON.parse(toolCall?.arguments ?? ""), TOOLS[1]?.parameters), []);
});

test("tools: a named tool_choice is obeyed, none answers in text, a tool result gets a text answer", async () => {
  const named = await fast.chat(ask("What is the weather in Lisbon?", { tools: TOOLS, toolChoice: { type: "tool", name: "search_docs" }, metadata: { sim_outcome: "success" } }), call());
  assert.equal(named.toolCalls[0]?.name, "search_docs");
  const none = await fast.chat(ask("What is the weather in Lisbon?", { tools: TOOLS, toolChoice: "none" }), call());
  assert.deepEqual(none.toolCalls, []);
  assert.equal(typeof none.content, "string");
  const afterResult = await fast.chat({
    ...ask("What is the weather in Lisbon?", { tools: TOOLS, metadata: { sim_outcome: "success" } }),
    messages: [
      { role: "user", content: "What is the weather in Lisbon?" },
      { role: "assistant", content: null, toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Lisbon","unit":"c"}' }] },
      { role: "tool", toolCallId: "call_1", content: '{"temperature":21}' },
    ],
  }, call());
  assert.equal(afterResult.finishReason.unified, "stop");
  assert.match(afterResult.content ?? "", /get_weather/);
  await assert.rejects(
    fast.chat(ask("x", { tools: TOOLS, toolChoice: { type: "tool", name: "nope" } }), call()),
    (err: unknown) => err instanceof GatewayError && err.kind === "bad_request" && err.provider === "sim",
  );
});

test("tools: a failed draw writes arguments that do not parse", async () => {
  const result = await fast.chat(ask("What is the weather in Lisbon?", { tools: TOOLS, metadata: { sim_outcome: "failure" } }), call());
  assert.equal(result.toolCalls.length, 1);
  assert.equal(parses(result.toolCalls[0]?.arguments ?? ""), false);
});

test("a failed text answer is visibly wrong: cut short, or about something else", async () => {
  for (const prompt of PROMPTS) {
    const result = await fast.chat(ask(prompt, { metadata: { sim_outcome: "failure" } }), call());
    const offTopic = !/lighthouses|harbour|rotate|signal|ships/i.test(result.content ?? "");
    assert.ok(result.finishReason.unified === "length" || offTopic, result.content ?? "");
  }
});

test("maxOutputTokens cuts the answer and finishes with length", async () => {
  const request = ask("Explain in detail how harbours are dredged and maintained", { maxOutputTokens: 5, metadata: { sim_outcome: "success" } });
  const result = await fast.chat(request, call());
  assert.equal(result.finishReason.unified, "length");
  assert.ok((result.content ?? "").length <= 20);
  assert.ok((result.usage?.outputTokens ?? 99) <= 5);
  const unlimited = await fast.chat({ ...request, maxOutputTokens: undefined }, call());
  assert.ok(unlimited.content?.startsWith(result.content ?? "?"));
  await assert.rejects(fast.chat({ ...request, maxOutputTokens: 10_000_000 }, call()), (err: unknown) => err instanceof GatewayError && err.kind === "bad_request");
  // Hidden reasoning spends the budget first, as with OpenAI's max_completion_tokens.
  const thinking = await fast.chat({ ...request, model: "sim-frontier", reasoningEffort: "high", maxOutputTokens: 50 }, call());
  assert.deepEqual([thinking.finishReason.unified, thinking.content, thinking.usage?.reasoningTokens], ["length", "", 50]);
});

test("a stop sequence ends the answer before it", async () => {
  const request = ask("Tell me about harbour dredging", { metadata: { sim_outcome: "success" } });
  const full = (await fast.chat(request, call())).content ?? "";
  const stop = full.split(" ")[3] ?? "";
  const result = await fast.chat({ ...request, stop: [stop] }, call());
  assert.equal(result.content, full.slice(0, full.indexOf(stop)));
  assert.equal(result.finishReason.unified, "stop");
});

function assembled(events: StreamEvent[]): { text: string; reasoning: string; tools: Array<{ id?: string; name?: string; args: string }> } {
  let text = "";
  let reasoning = "";
  const tools: Array<{ id?: string; name?: string; args: string }> = [];
  for (const event of events) {
    if (event.type === "text-delta") text += event.delta;
    if (event.type === "reasoning-delta") reasoning += event.delta;
    if (event.type === "tool-call-delta") {
      const tool = (tools[event.index] ??= { args: "" });
      if (event.id !== undefined) [tool.id, tool.name] = [event.id, event.name];
      tool.args += event.argumentsDelta;
    }
  }
  return { text, reasoning, tools };
}

test("a stream carries exactly the non-streaming answer, in small pieces", async () => {
  const requests = [
    ask("Write a function that parses harbour tide tables", { model: "sim-frontier", reasoningEffort: "low" }),
    ask("What is the weather in Lisbon?", { tools: TOOLS, metadata: { sim_outcome: "success" } }),
    ask("Extract the invoice", { responseFormat: { type: "json_schema", name: "i", schema: INVOICE_SCHEMA } }),
    ...PROMPTS.slice(0, 6).map((p) => ask(p, { model: "sim-mini" })),
  ];
  for (const request of requests) {
    const result = await fast.chat(request, call());
    const events = await collect(request);
    assert.equal(events[0]?.type, "start");
    assert.deepEqual(events.slice(-2).map((e) => e.type), ["finish", "usage"]);
    const start = events[0]?.type === "start" ? events[0] : undefined;
    assert.equal(start?.id, result.id);
    assert.equal(start?.model, result.model);
    const got = assembled(events);
    assert.equal(got.text, result.content ?? "");
    assert.equal(got.reasoning, result.reasoning ?? "");
    assert.deepEqual(got.tools, result.toolCalls.map((c) => ({ id: c.id, name: c.name, args: c.arguments })));
    const finish = events.find((e) => e.type === "finish");
    assert.deepEqual(finish?.type === "finish" ? finish.finishReason : null, result.finishReason);
    const usage = events.find((e) => e.type === "usage");
    assert.deepEqual(usage?.type === "usage" ? usage.usage : null, result.usage);
    const textDeltas = events.filter((e) => e.type === "text-delta");
    if ((result.content ?? "").length > 40) assert.ok(textDeltas.length > 3);
    for (const delta of textDeltas) assert.ok(delta.delta.length <= 40);
  }
});

test("usage: input from the prompt, output from the answer, reasoning for sim-frontier only", async () => {
  const short = await fast.chat(ask("Hi"), call());
  const long = await fast.chat(ask(`Hi ${"there ".repeat(200)}`), call());
  assert.ok((long.usage?.inputTokens ?? 0) > (short.usage?.inputTokens ?? 0) + 200);
  assert.ok((short.usage?.outputTokens ?? 0) >= Math.ceil((short.content ?? "").length / 4));
  const thinking = await fast.chat(ask("Plan the harbour expansion", { model: "sim-frontier", reasoningEffort: "high" }), call());
  assert.ok((thinking.usage?.reasoningTokens ?? 0) > 100);
  assert.equal(thinking.usage?.outputTokens, (thinking.usage?.reasoningTokens ?? 0) + Math.ceil((thinking.content ?? "").length / 4));
  assert.equal(typeof thinking.reasoning, "string");
  const mini = await fast.chat(ask("Plan the harbour expansion", { model: "sim-mini", reasoningEffort: "high" }), call());
  assert.equal(mini.usage?.reasoningTokens, 0);
  assert.equal(mini.reasoning, undefined);
});

test("a repeated long prefix is partly served from the prompt cache", async () => {
  const adapter = createSimulatedAdapter({ name: "sim", latencyScale: 0 });
  const system = { role: "system" as const, content: "You are a harbour master. ".repeat(400) };
  const first = await adapter.chat({ ...ask(""), messages: [system, { role: "user", content: "Hi" }] }, call());
  assert.equal(first.usage?.cachedInputTokens, 0);
  const second = await adapter.chat({ ...ask(""), messages: [system, { role: "user", content: "Hi" }, { role: "assistant", content: first.content }, { role: "user", content: "More" }] }, call());
  const cached = second.usage?.cachedInputTokens ?? 0;
  assert.ok(cached >= 1024 && cached % 128 === 0 && cached <= (second.usage?.inputTokens ?? 0), String(cached));
});

test("latencyScale 0 answers at once; a small scale delays the first token measurably", async () => {
  const request = ask("Hello harbour", { model: "sim-frontier" });
  let t = performance.now();
  await fast.chatStream({ ...request, stream: true }, call());
  const instant = performance.now() - t;
  const slow = createSimulatedAdapter({ name: "sim", latencyScale: 0.1 });
  t = performance.now();
  const stream = await slow.chatStream({ ...request, stream: true }, call());
  const ttft = performance.now() - t;
  for await (const _ of stream) { /* drain */ }
  // sim-frontier waits ~800 ms ± 15 % before the first token: ~80 ms at scale 0.1.
  assert.ok(ttft >= 60, `ttft ${ttft}`);
  assert.ok(instant < 30 && instant < ttft / 2, `instant ${instant}`);
});

test("a call that would take longer than timeoutMs fails as a timeout", async () => {
  const slow = createSimulatedAdapter({ name: "sim", latencyScale: 1 });
  const t = performance.now();
  await assert.rejects(slow.chat(ask("Hello", { model: "sim-frontier" }), call(undefined, 30)), (err: unknown) => err instanceof GatewayError && err.kind === "timeout");
  assert.ok(performance.now() - t < 300);
});

test("aborting stops a stream at once and leaves no timer behind", async () => {
  const slow = createSimulatedAdapter({ name: "sim", latencyScale: 1 });
  const controller = new AbortController();
  const request = ask("Write a long essay on harbours", { model: "sim-frontier", stream: true, metadata: { sim_difficulty: "high" } });
  const iterator = (await slow.chatStream(request, call(controller.signal)))[Symbol.asyncIterator]();
  await iterator.next();
  await iterator.next();
  const pending = iterator.next();
  const t = performance.now();
  controller.abort();
  await assert.rejects(pending, (err: unknown) => err instanceof GatewayError && err.kind === "client_closed");
  assert.ok(performance.now() - t < 50);
  assert.ok(!process.getActiveResourcesInfo().includes("Timeout"));

  // Abort while waiting for the first token (~800 ms): the dispatcher's own reason is kept.
  const early = new AbortController();
  const starting = slow.chatStream(request, call(early.signal));
  const started = performance.now();
  setTimeout(() => early.abort(new GatewayError("timeout", "deadline")), 20);
  await assert.rejects(starting, (err: unknown) => err instanceof GatewayError && err.kind === "timeout" && err.message === "deadline");
  assert.ok(performance.now() - started < 150);
  assert.ok(!process.getActiveResourcesInfo().includes("Timeout"));
});

test("metadata.sim_error throws the matching error before anything streams", async () => {
  for (const kind of ["rate_limited", "overloaded", "upstream_5xx", "timeout"] as const) {
    const request = ask("Hi", { metadata: { sim_error: kind } });
    const matches = (err: unknown): boolean => err instanceof GatewayError && err.kind === kind && err.provider === "sim";
    await assert.rejects(fast.chat(request, call()), matches);
    await assert.rejects(fast.chatStream({ ...request, stream: true }, call()), matches);
  }
  await assert.rejects(fast.chat(ask("Hi", { metadata: { sim_error: "explode" } }), call()), (err: unknown) => err instanceof GatewayError && err.kind === "bad_request");
});

test("an unknown model is model_not_found; a reported version is accepted", async () => {
  await assert.rejects(fast.chat(ask("Hi", { model: "gpt-5" }), call()), (err: unknown) => err instanceof GatewayError && err.kind === "model_not_found");
  const result = await fast.chat(ask("Hi", { model: "sim-pro-2026-10-01" }), call());
  assert.equal(result.model, "sim-pro-2026-10-01");
});

test("high-difficulty reasoning: sim-frontier completes more often than sim-mini", async () => {
  const completed = { "sim-mini": 0, "sim-frontier": 0 };
  for (let i = 0; i < 300; i++) {
    for (const model of ["sim-mini", "sim-frontier"] as const) {
      const request = ask(`Prove step by step that theorem ${i} holds for every prime above ${i * 7}`, { model, metadata: { sim_difficulty: "high" } });
      const result = await fast.chat(request, call());
      if (result.finishReason.unified === "stop" && /theorem/.test(result.content ?? "")) completed[model]++;
    }
  }
  assert.ok(completed["sim-frontier"] > completed["sim-mini"] + 60, JSON.stringify(completed));
});
