/**
 * The OpenAI-format adapter against the adapter conformance suite: a fake upstream replays the
 * recorded OpenAI, DeepSeek and OpenAI-compatible traffic in ../shared/fixtures, and the error
 * bodies of errors/real-error-samples.json. Expected numbers are the fixtures' own, mapped to the
 * core convention.
 */
import type { ChatRequest, ToolDefinition } from "../../core/request.ts";
import { hang, html, json, sse, startFakeUpstream, type Reply } from "../../../test/support/fake-upstream.ts";
import { fixtureChunks, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { runAdapterConformance, stageUpstream, type Staged } from "../conformance/index.ts";
import type { OpenAIAdapterType } from "./map-openai-request.ts";
import { createOpenAIAdapter } from "./openai-adapter.ts";

async function stage<E>(reply: Reply, type: OpenAIAdapterType, request: ChatRequest, expect: E): Promise<Staged<E>> {
  return stageUpstream({
    upstream: await startFakeUpstream(reply),
    adapter: (url) => createOpenAIAdapter({ name: type === "openai" ? "openai" : "compatible", type, baseUrl: `${url}/v1`, apiKey: "sk-test-0123456789abcdef" }),
    request,
    expect,
  });
}

const ask = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: "user", content: "Invent a new holiday and describe its traditions." }],
  stream: false,
  extra: {},
  ...extra,
});

const WEATHER: ToolDefinition = {
  name: "weather",
  description: "Get the weather in a location",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
};
const askWeather = (model: string): ChatRequest =>
  ask(model, { messages: [{ role: "user", content: "What is the weather in San Francisco?" }], tools: [WEATHER] });

/** The `content` of a recorded completion. */
function fixtureContent(path: string): string {
  const body = readFixtureJson(path) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? "";
}

/** The text a recorded stream's content deltas join to. */
function fixtureStreamText(path: string): string {
  return fixtureChunks(path)
    .map((line) => (JSON.parse(line) as { choices?: { delta?: { content?: unknown } }[] }).choices?.[0]?.delta?.content)
    .map((content) => (typeof content === "string" ? content : ""))
    .join("");
}

interface ErrorSample {
  provider: string;
  status: number;
  kind: string;
  body?: unknown;
}

/** An error body reported in a public issue (errors/real-error-samples.json), found by provider and kind. */
function errorSample(provider: string, kind: string): ErrorSample {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: ErrorSample[] };
  const sample = samples.find((s) => s.provider === provider && s.kind === kind);
  if (sample?.body === undefined) throw new Error(`no ${provider} error sample "${kind}" with a body`);
  return sample;
}

const usage = (inputTokens: number, cachedInputTokens: number, outputTokens: number, reasoningTokens: number) => ({
  inputTokens,
  cachedInputTokens,
  cacheWriteTokens: 0,
  outputTokens,
  reasoningTokens,
});

runAdapterConformance({
  name: "openai adapter (recorded fixtures)",
  skip: skipWithoutFixtures,
  optOut: {
    "structured_output.stream": "no recorded streamed json_schema answer among the OpenAI-format fixtures, and fixtures are never hand-made",
  },
  scenarios: {
    async text(mode) {
      const request = ask("gpt-4.1-nano");
      return mode === "chat"
        ? stage(json(readFixtureJson("openai/openai-text.json")), "openai", request, {
            text: fixtureContent("openai/openai-text.json"),
            usage: usage(16, 0, 363, 0),
          })
        : stage(sse(fixtureChunks("openai/openai-text.chunks.txt")), "openai", request, {
            text: fixtureStreamText("openai/openai-text.chunks.txt"),
            usage: usage(16, 0, 300, 0),
          });
    },

    async tools(mode) {
      return mode === "chat"
        ? stage(json(readFixtureJson("openai-compatible/mistral-tool-call.json")), "openai-compatible", askWeather("mistral-small-latest"), {
            name: "weather",
            arguments: { location: "San Francisco" },
            count: 1,
            usage: usage(124, 0, 22, 0),
          })
        : // DeepSeek streams the arguments a character or two at a time, after its reasoning.
          stage(sse(fixtureChunks("deepseek/deepseek-tool-call.chunks.txt")), "openai-compatible", askWeather("deepseek-reasoner"), {
            name: "weather",
            arguments: { location: "San Francisco" },
            count: 1,
            usage: usage(339, 320, 83, 39),
          });
    },

    async structured_output() {
      const schema = {
        type: "object",
        required: ["location", "condition", "temperature"],
        properties: { location: { type: "string" }, condition: { type: "string" }, temperature: { type: "number" } },
      };
      const request = ask("deepseek-reasoner", { responseFormat: { type: "json_schema", name: "weather", schema } });
      return stage(json(readFixtureJson("deepseek/deepseek-json.json")), "openai-compatible", request, {
        value: { location: "San Francisco", condition: "cloudy", temperature: 7 },
        usage: usage(495, 320, 144, 118),
      });
    },

    // No header names a wait here; the message's "Please try again in 1.574s" does.
    async rate_limited() {
      const sample = errorSample("openai", "rate_limit_exceeded (TPM)");
      return stage(json(sample.body, { status: sample.status }), "openai", ask("o4-mini"), { retryAfterMs: 1574, upstreamStatus: 429 });
    },

    // No OpenAI overload body is on record; Gemini's OpenAI-compatible endpoint answers this one.
    async overloaded() {
      const sample = errorSample("gemini", "UNAVAILABLE (model overloaded)");
      return stage(json(sample.body, { status: sample.status }), "openai-compatible", ask("gemini-2.5-pro"), { upstreamStatus: 503 });
    },

    // A proxy's sign-in page answered with 200: the body is garbage, whatever the status says.
    async bad_response() {
      const page = "<!DOCTYPE html><html><head><title>Sign in to continue</title></head><body><form action=/login></form></body></html>";
      return stage(html(200, page), "openai", ask("gpt-4.1-nano"), { kind: "bad_response", upstreamStatus: 200 });
    },

    // The stream sends its first frames and then stalls; the whole answer never comes.
    async abort(mode) {
      const reply = mode === "stream" ? sse(fixtureChunks("openai/openai-text.chunks.txt"), { stallAfter: 3 }) : hang();
      return stage(reply, "openai", ask("gpt-4.1-nano"), {});
    },

    // DeepSeek reports cached tokens in prompt_tokens_details and counts reasoning in completion_tokens;
    // xAI leaves reasoning out of completion_tokens (26 + 227 = 253 output tokens).
    async usage(mode) {
      return mode === "chat"
        ? stage(json(readFixtureJson("deepseek/deepseek-json.json")), "openai-compatible", ask("deepseek-reasoner"), { usage: usage(495, 320, 144, 118) })
        : stage(sse(fixtureChunks("openai-compatible/xai-tool-call.chunks.txt")), "openai-compatible", askWeather("grok-3-mini"), {
            usage: usage(307, 306, 253, 227),
          });
    },
  },
});
