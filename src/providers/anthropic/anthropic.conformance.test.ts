/**
 * The Anthropic adapter against the adapter conformance suite: a fake upstream replays the
 * recorded Messages API traffic in ../shared/fixtures/anthropic and the Anthropic error bodies of
 * errors/real-error-samples.json. Expected numbers are the fixtures' own, mapped to the core
 * convention (input tokens include cache reads and writes).
 */
import type { ChatRequest, ToolDefinition } from "../../core/request.ts";
import type { Usage } from "../../core/usage.ts";
import { hang, html, json, sse, startFakeUpstream, type Reply } from "../../../test/support/fake-upstream.ts";
import { fixtureChunks, readFixtureJson, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { runAdapterConformance, stageUpstream, type Staged } from "../conformance/index.ts";
import { createAnthropicAdapter } from "./anthropic-adapter.ts";

async function stage<E>(reply: Reply, request: ChatRequest, expect: E): Promise<Staged<E>> {
  return stageUpstream({
    upstream: await startFakeUpstream(reply),
    adapter: (url) => createAnthropicAdapter({ name: "anthropic", baseUrl: url, apiKey: "sk-ant-test-0123456789abcdef" }),
    request,
    expect,
  });
}

const replay = (file: string): Reply => sse(fixtureChunks(`anthropic/${file}`), { format: "anthropic" });
const answer = (file: string): Reply => json(readFixtureJson(`anthropic/${file}`));

const ask = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "claude-sonnet-4-5",
  messages: [{ role: "user", content: "Hello, how are you?" }],
  stream: false,
  extra: {},
  ...extra,
});

const usage = (inputTokens: number, cachedInputTokens: number, cacheWriteTokens: number, outputTokens: number): Usage => ({
  inputTokens,
  cachedInputTokens,
  cacheWriteTokens,
  outputTokens,
  reasoningTokens: 0,
});

const ISSUES: ToolDefinition = { name: "updateIssueList", description: "Replace the issue list", parameters: { type: "object", properties: {} } };
const JSON_TOOL: ToolDefinition = { name: "json", description: "Report the weather", parameters: { type: "object", properties: { elements: { type: "array" } } } };

const strings = (...names: string[]) => ({ type: "object", required: names, properties: Object.fromEntries(names.map((n) => [n, { type: "string" }])) });
const RECIPE = {
  type: "object",
  required: ["recipe"],
  properties: {
    recipe: { type: "object", required: ["name", "ingredients", "steps"], properties: { name: { type: "string" }, ingredients: { type: "array", items: strings("name", "amount") }, steps: { type: "array", items: { type: "string" } } } },
  },
};
const CHARACTERS = { type: "object", required: ["characters"], properties: { characters: { type: "array", items: strings("name", "class", "description") } } };

interface ErrorSample {
  provider: string;
  status: number;
  kind: string;
  body?: unknown;
  headers?: Record<string, string> | null;
}

function errorSample(kind: string): ErrorSample {
  const { samples } = readFixtureJson("errors/real-error-samples.json") as { samples: ErrorSample[] };
  const sample = samples.find((s) => s.provider === "anthropic" && s.kind === kind);
  if (!sample) throw new Error(`no anthropic error sample "${kind}"`);
  return sample;
}

runAdapterConformance({
  name: "anthropic adapter (recorded fixtures)",
  skip: skipWithoutFixtures,
  optOut: {
    "usage.chat": "no recorded non-streaming Anthropic answer has cache tokens, Anthropic reports no separate reasoning tokens, and fixtures are never hand-made",
  },
  scenarios: {
    async text(mode) {
      return mode === "chat"
        ? stage(answer("anthropic-text.json"), ask(), {
            text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
            usage: usage(12, 0, 0, 29),
          })
        : stage(replay("anthropic-text.chunks.txt"), ask(), {
            text: "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
            usage: usage(12, 0, 0, 30),
          });
    },

    async tools(mode) {
      return mode === "chat"
        ? // A tool without parameters: the call's arguments are `{}`.
          stage(answer("anthropic-tool-no-args.json"), ask({ tools: [ISSUES] }), { name: "updateIssueList", arguments: {}, count: 1, usage: usage(602, 0, 0, 93) })
        : stage(replay("anthropic-json-tool.1.chunks.txt"), ask({ tools: [JSON_TOOL] }), {
            name: "json",
            arguments: { elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] },
            count: 1,
            usage: usage(849, 0, 0, 47),
          });
    },

    // Sonnet 4.5 takes native structured outputs: the answer is text that is the JSON.
    async structured_output(mode) {
      return mode === "chat"
        ? stage(answer("anthropic-json-output-format.1.json"), ask({ responseFormat: { type: "json_schema", name: "recipe", schema: RECIPE } }), { usage: usage(371, 0, 0, 629) })
        : stage(replay("anthropic-json-output-format.1.chunks.txt"), ask({ responseFormat: { type: "json_schema", name: "characters", schema: CHARACTERS } }), {
            usage: usage(313, 0, 0, 305),
          });
    },

    // The body and the headers were reported apart; together they are what a 429 looks like.
    async rate_limited() {
      const sample = errorSample("rate_limit_error (input TPM)");
      const headers = errorSample("429 response headers (2025)").headers ?? {};
      return stage(json(sample.body, { status: sample.status, headers }), ask(), { retryAfterMs: 16_000, upstreamStatus: 429 });
    },

    async overloaded() {
      const sample = errorSample("overloaded_error (HTTP)");
      return stage(json(sample.body, { status: sample.status }), ask(), { upstreamStatus: 529 });
    },

    async bad_response() {
      const page = "<!DOCTYPE html><html><head><title>Sign in to continue</title></head><body><form action=/login></form></body></html>";
      return stage(html(200, page), ask(), { kind: "bad_response", upstreamStatus: 200 });
    },

    // message_start, the text block and its first delta, then silence.
    async abort(mode) {
      return stage(mode === "stream" ? sse(fixtureChunks("anthropic/anthropic-text.chunks.txt"), { format: "anthropic", stallAfter: 4 }) : hang(), ask(), {});
    },

    // Code execution with prompt caching: 6 uncached + 6289 read + 3337 written input tokens.
    async usage() {
      return stage(replay("anthropic-code-execution-20260120-prompt-cache.1.chunks.txt"), ask(), { usage: usage(9632, 6289, 3337, 198) });
    },
  },
});
