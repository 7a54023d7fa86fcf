/**
 * The simulated adapter against the adapter conformance suite. Outcomes are forced with
 * `metadata.sim_*`; the expected answers come from `planAnswer`, the simulator's "upstream" (the
 * adapter only adds time, its prompt cache and streaming on top), the way a network adapter's
 * expectations come from its recorded fixtures.
 */
import type { ChatRequest, ToolDefinition } from "../../core/request.ts";
import { runAdapterConformance, type Staged } from "../conformance/index.ts";
import { findSimulatedModel } from "./catalogue.ts";
import { planAnswer, type SimulatedAnswer } from "./plan-answer.ts";
import { createPromptCache } from "./prompt-cache.ts";
import { readSimMetadata } from "./read-sim-metadata.ts";
import { createSimulatedAdapter } from "./simulated-adapter.ts";

const NAME = "sim";
const SEED = 0;

const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "sim-pro",
  messages: [{ role: "user", content }],
  stream: false,
  extra: {},
  metadata: { sim_outcome: "success" },
  ...extra,
});

/** What the simulator's planner answers to `request` (before the adapter's prompt cache). */
function planned(request: ChatRequest): SimulatedAnswer {
  const model = findSimulatedModel(request.model);
  if (model === undefined) throw new Error(`no simulated model ${request.model}`);
  return planAnswer({ request, model, seed: SEED, sim: readSimMetadata(request.metadata, NAME), provider: NAME });
}

/** A fresh adapter (and so a cold prompt cache) for every stage; `latencyScale: 0` answers at once. */
function stage<E>(request: ChatRequest, expect: E, latencyScale = 0): Staged<E> {
  const adapter = createSimulatedAdapter({ name: NAME, seed: SEED, latencyScale });
  return { adapter, request, expect, close: async () => {} };
}

const WEATHER: ToolDefinition = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
};

const CONTACT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["name", "email", "age"],
  properties: { name: { type: "string" }, email: { type: "string", format: "email" }, age: { type: "integer", minimum: 0 } },
};

/** Long enough (over the 1,024-token threshold) for the prompt cache to serve its prefix on the second call. */
const LONG_CONTEXT = Array.from({ length: 120 }, (_, i) => `Clause ${i}: the harbour master logs every vessel's draught, cargo and berth.`).join("\n");

runAdapterConformance({
  name: "simulated adapter",
  scenarios: {
    async text() {
      const request = ask("How do lighthouses warn ships away from rocks at night?");
      const answer = planned(request);
      return stage(request, { text: answer.content ?? "", usage: answer.usage });
    },

    async tools() {
      const request = ask("What is the weather in Lisbon today?", { tools: [WEATHER], toolChoice: { type: "tool", name: WEATHER.name } });
      const answer = planned(request);
      const call = answer.toolCalls[0];
      if (call === undefined) throw new Error("the planner made no tool call");
      return stage(request, { name: call.name, arguments: JSON.parse(call.arguments), count: answer.toolCalls.length, usage: answer.usage });
    },

    async structured_output() {
      const request = ask("Extract the contact: Ana Lima, ana@example.com, 34 years old.", {
        responseFormat: { type: "json_schema", name: "contact", schema: CONTACT_SCHEMA, strict: true },
      });
      const answer = planned(request);
      return stage(request, { value: JSON.parse(answer.content ?? "null"), usage: answer.usage });
    },

    async rate_limited() {
      return stage(ask("Hi", { metadata: { sim_error: "rate_limited" } }), { retryAfterMs: 1000, upstreamStatus: 429 });
    },

    async overloaded() {
      return stage(ask("Hi", { metadata: { sim_error: "overloaded" } }), { upstreamStatus: 503 });
    },

    // The simulator has no wire to garble; a failed upstream (500) is the garbage answer it can give.
    async bad_response() {
      return stage(ask("Hi", { metadata: { sim_error: "upstream_5xx" } }), { kind: "upstream_5xx", upstreamStatus: 500 });
    },

    // At real latency a long answer takes seconds, so the suite can abort it under way.
    async abort() {
      return stage(ask("Write a long essay on how harbours are dredged and maintained.", { model: "sim-frontier" }), {}, 1);
    },

    async usage(mode) {
      const request = ask(`${LONG_CONTEXT}\n\nWhich clause mentions berths?`, { model: "sim-frontier", reasoningEffort: "low" });
      const answer = planned(request);
      const cache = createPromptCache();
      cache.cachedTokens(request.model, request);
      const cachedInputTokens = cache.cachedTokens(request.model, request);
      const staged = stage(request, { usage: { ...answer.usage, cachedInputTokens } });
      // The first call warms the adapter's prompt cache; the suite's call is then served from it.
      const warm = new AbortController();
      if (mode === "chat") await staged.adapter.chat(request, { signal: warm.signal, timeoutMs: 0, idleTimeoutMs: 0 });
      else for await (const _batch of await staged.adapter.chatStream({ ...request, stream: true }, { signal: warm.signal, timeoutMs: 0, idleTimeoutMs: 0 }));
      return staged;
    },
  },
});
