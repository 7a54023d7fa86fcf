/**
 * The Gemini adapter against the adapter conformance suite: a fake upstream replays the recorded
 * Gemini traffic in ../shared/fixtures/gemini and raw-sse/test_google, and the Gemini error bodies
 * of errors/real-error-samples.json. Expected numbers are the fixtures' own, mapped to the core
 * convention (output tokens include thinking tokens).
 */
import type { ChatRequest, ToolDefinition } from "../../core/request.ts";
import type { Usage } from "../../core/usage.ts";
import { hang, html, json, sse, startFakeUpstream, text, type Reply } from "../../../test/support/fake-upstream.ts";
import { fixtureChunks, readFixture, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { runAdapterConformance, stageUpstream, type Staged } from "../conformance/index.ts";
import { createGeminiAdapter } from "./gemini-adapter.ts";

async function stage<E>(reply: Reply, request: ChatRequest, expect: E): Promise<Staged<E>> {
  return stageUpstream({
    upstream: await startFakeUpstream(reply),
    adapter: (url) => createGeminiAdapter({ name: "gemini", baseUrl: url, apiKey: "AIzaSy-test-0123456789abcdef" }),
    request,
    expect,
  });
}

const replay = (file: string, options: { stallAfter?: number } = {}): Reply => sse(fixtureChunks(`gemini/${file}`), { format: "gemini", ...options });
const answer = (file: string): Reply => json(readFixtureJson(`gemini/${file}`));

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "gemini-3-pro-preview",
  messages: [{ role: "user", content: "How many r's are in strawberry?" }],
  stream: false,
  extra: {},
  ...extra,
});

const usage = (inputTokens: number, outputTokens: number, reasoningTokens: number): Usage => ({
  inputTokens,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  outputTokens,
  reasoningTokens,
});

const WEATHER: ToolDefinition = {
  name: "weather",
  description: "Get the weather in a location",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
};
const GET_WEATHER: ToolDefinition = { ...WEATHER, name: "getWeather" };

interface ErrorSample {
  provider: string;
  status: number;
  kind: string;
  body?: unknown;
}

function errorSample(kind: string): ErrorSample {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: ErrorSample[] };
  const sample = samples.find((s) => s.provider === "gemini" && s.kind === kind);
  if (!sample) throw new Error(`no gemini error sample "${kind}"`);
  return sample;
}

runAdapterConformance({
  name: "gemini adapter (recorded fixtures)",
  skip: skipWithoutFixtures,
  optOut: {
    structured_output: "no recorded Gemini answer to a response schema, and fixtures are never hand-made",
  },
  scenarios: {
    async text(mode) {
      if (mode === "chat") {
        const body = readFixture("raw-sse/test_google/test_google_model.0.response.json");
        return stage(text(body, { contentType: "application/json; charset=UTF-8" }), ask({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "Hello!" }] }), {
          text: "Hello! How can I help you today?",
          usage: usage(9, 9 + 34, 34),
        });
      }
      return stage(replay("google-text.chunks.txt"), ask(), { text: 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y', usage: usage(9, 23 + 185, 185) });
    },

    async tools(mode) {
      return mode === "chat"
        ? stage(answer("google-tool-call.json"), ask({ tools: [WEATHER] }), { name: "weather", arguments: { location: "San Francisco" }, count: 1, usage: usage(29, 15 + 893, 893) })
        : // Arguments streamed in pieces (partialArgs), two calls.
          stage(replay("google-stream-tool-call-arguments.chunks.txt"), ask({ model: "gemini-3.1-pro-preview", tools: [GET_WEATHER] }), {
            name: "getWeather",
            arguments: { location: "Boston" },
            count: 2,
            usage: usage(26, 23 + 132, 132),
          });
    },

    async rate_limited() {
      return stage(json(readFixtureJson("gemini/google-429-retry-info.json"), { status: 429 }), ask(), { retryAfterMs: 34_400, upstreamStatus: 429 });
    },

    async overloaded() {
      const sample = errorSample("UNAVAILABLE (model overloaded)");
      return stage(json(sample.body, { status: sample.status }), ask(), { upstreamStatus: 503 });
    },

    async bad_response() {
      const page = "<!DOCTYPE html><html><head><title>Sign in - Google Accounts</title></head><body></body></html>";
      return stage(html(200, page), ask(), { kind: "bad_response", upstreamStatus: 200 });
    },

    // The first fragment, then silence.
    async abort(mode) {
      return stage(mode === "stream" ? replay("google-text.chunks.txt", { stallAfter: 1 }) : hang(), ask(), {});
    },

    // Thinking tokens: counted in the output, and reported as reasoning.
    async usage(mode) {
      const request = ask({ reasoningEffort: "high" });
      return mode === "chat"
        ? stage(answer("google-reasoning.json"), request, { usage: usage(9, 29 + 282, 282) })
        : stage(replay("google-reasoning.chunks.txt"), request, { usage: usage(9, 29 + 256, 256) });
    },
  },
});
