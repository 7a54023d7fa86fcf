/**
 * The provider adapter conformance suite: what every `ProviderAdapter` must do, checked through
 * the interface alone, whatever wire format sits behind it. Each adapter's folder runs it from a
 * `<provider>.conformance.test.ts`, importing from `../conformance/index.ts` (see the OpenAI and
 * simulated harnesses next to their adapters):
 *
 *   runAdapterConformance({
 *     name: "anthropic adapter (recorded fixtures)",
 *     skip: skipWithoutFixtures,                       // the whole suite, reason printed
 *     optOut: { "usage.chat": "no recorded non-streaming answer with cache tokens" },
 *     scenarios: {
 *       text: async (mode) =>
 *         stageUpstream({
 *           upstream: await startFakeUpstream(mode === "chat" ? json(body) : sse(lines, { format: "anthropic" })),
 *           adapter: (url) => createAnthropicAdapter({ name: "anthropic", baseUrl: url, apiKey: "k" }),
 *           request,
 *           expect: { text: "…", usage: { inputTokens: 12, … } } satisfies TextExpect,
 *         }),
 *       …
 *     },
 *   });
 *
 * A harness stages each scenario per call mode (`chat` / `stream`): an adapter that will answer
 * it, the request, and the exact answer expected. Network adapters point at a fake upstream
 * replaying the provider's recorded fixtures in ../shared/fixtures, read in place (`stageUpstream`
 * does the plumbing; `url` is the fake's origin); the simulated adapter forces outcomes with
 * `metadata.sim_*`. Stages are made afresh for each check, and `mode` says which method the check
 * calls, so one scenario can replay a JSON fixture for `chat` and an SSE one for `stream`. The
 * suite sets `request.stream` itself and hands the adapter `CONFORMANCE_LIMITS.callTimeoutMs`.
 *
 * Capabilities, one `test` each (subtests named by `Check` where there are several):
 * - `text`: `chat` answers non-empty `content` equal to `expect.text`, no tool calls, finish
 *   `stop`, and `expect.usage` exactly (input and output > 0).
 * - `stream`: `chatStream` yields non-empty batches; exactly one `start`, first; the text deltas
 *   join to `expect.text`; exactly one `finish` (`stop`) and exactly one `usage` (= `expect.usage`),
 *   both after all content; no `error`; no tool-call deltas.
 * - `tools` (`tools.chat`, `tools.stream`): a tool call with an id, a name from `request.tools`
 *   (= `expect.name`) and arguments that parse as a JSON object (= `expect.arguments` when
 *   declared), finish `tool_calls`. Streamed calls are rebuilt from `tool-call-delta`s: the first
 *   piece of each index carries `id` and `name`, later pieces only argument fragments.
 * - `structured_output` (`.chat`, `.stream`): the request asks for `json_schema`; the answer
 *   parses as JSON and passes a small check against that schema (= `expect.value` when declared).
 * - `errors` (`errors.rate_limited`, `errors.overloaded`, `errors.bad_response`): from `chat` and
 *   from `chatStream` (thrown before any stream is handed out) a `GatewayError` naming the adapter
 *   as provider: `rate_limited` (retryable, `retryAfterMs` = `expect.retryAfterMs`), `overloaded`
 *   (retryable), `bad_response` or `upstream_5xx`.
 * - `abort` (`abort.stream`, `abort.chat`, `abort.before`): aborting the signal mid-stream ends
 *   the stream within `CONFORMANCE_LIMITS.abortMs` — an `error` event of kind `client_closed` as
 *   its last event, or a rejection with that kind — with no `finish` after the abort; aborting a
 *   pending `chat` rejects with `client_closed`; an already-aborted signal rejects at once and sends
 *   nothing. With a fake upstream, it must see the socket closed.
 * - `usage` (`usage.chat`, `usage.stream`): an answer with cached-input, cache-write or reasoning
 *   tokens reports `expect.usage` exactly.
 * In every scenario: usage follows the core convention (`inputTokens` includes cached and
 * cache-write tokens, `outputTokens` includes reasoning tokens); the warnings reported through
 * `CallOptions.warn` are exactly `expect.warnings` (default none); and an adapter sends exactly one
 * request per call — it never retries by itself, that is the dispatcher's job.
 *
 * A capability the provider lacks is opted out of with a reason (`optOut`), shown as the skip
 * reason; a scenario missing without an opt-out fails. Nothing passes silently.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { ErrorKind } from "../../core/errors.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { CallOptions } from "../provider.ts";
import type { AdapterHarness, CallMode, Capability, Check, CommonExpect, ErrorExpect, HarnessScenarios, Stage, Staged } from "./adapter-harness.ts";
import { assertCleanStream, assertResult, assertStructured, parseArguments, reassembleToolCalls } from "./assert-answers.ts";
import { assertGatewayError, chatFailure, chatStreamFailure, settle } from "./assert-failures.ts";
import { assertUsage } from "./assert-usage.ts";
import { CONFORMANCE_LIMITS } from "./conformance-limits.ts";
import { assertBatch, eventsOf, joinedText, readStream } from "./read-stream.ts";
import { within } from "./within.ts";

/** What a check gets: the staged scenario, the request for its mode and call options that collect warnings. */
interface CheckContext<E extends CommonExpect> {
  staged: Staged<E>;
  request: ChatRequest;
  options(signal?: AbortSignal): CallOptions;
}

/** How many requests the fake upstream must have received once the check is done. */
type Requests = "one" | "none";

const { stepMs, abortMs, callTimeoutMs, testMs } = CONFORMANCE_LIMITS;

export function runAdapterConformance(harness: AdapterHarness): void {
  const optOut = harness.optOut ?? {};
  const scenarios = harness.scenarios;

  /** Stages `scenario` for `mode`, runs the check, then the checks every scenario shares, then closes. */
  async function staged<K extends keyof HarnessScenarios, E extends CommonExpect>(
    scenario: K,
    stage: Stage<E> | undefined,
    mode: CallMode,
    requests: Requests,
    check: (ctx: CheckContext<E>) => Promise<void>,
  ): Promise<void> {
    assert.ok(stage, `${harness.name} stages no "${scenario}" scenario: add scenarios.${scenario}, or opt out of the capability with a reason`);
    const s = await within(stage(mode), stepMs, `staging the ${scenario} scenario`);
    try {
      const before = s.upstream?.calls ?? 0;
      const warnings: string[] = [];
      const request: ChatRequest = { ...s.request, stream: mode === "stream" };
      await check({
        staged: s,
        request,
        options: (signal = new AbortController().signal) => ({
          signal,
          timeoutMs: callTimeoutMs,
          idleTimeoutMs: callTimeoutMs,
          warn: (message) => warnings.push(message),
        }),
      });
      assertWarnings(warnings, s.expect.warnings ?? []);
      if (s.upstream) {
        const sent = s.upstream.calls - before;
        const wanted = requests === "one" ? 1 : 0;
        assert.equal(sent, wanted, `the fake upstream received ${sent} requests, expected ${wanted} (an adapter never retries by itself)`);
      }
    } finally {
      await s.close();
    }
  }

  const skipOf = (key: Capability | Check): string | false => optOut[key] ?? false;
  const capability = (name: Capability, body: (t: TestContext) => Promise<void>): void => {
    test(name, { skip: skipOf(name), timeout: testMs }, body);
  };
  const sub = (t: TestContext, name: Check, body: () => Promise<void>): Promise<void> =>
    t.test(name, { skip: skipOf(name) }, body);

  describe(`adapter conformance: ${harness.name}`, { skip: harness.skip ?? false }, () => {
    capability("text", () =>
      staged("text", scenarios.text, "chat", "one", async ({ staged: s, request, options }) => {
        const result = await within(s.adapter.chat(request, options()), stepMs, "chat");
        assert.ok(typeof result.content === "string" && result.content.length > 0, "chat: the answer has no content");
        assert.equal(result.content, s.expect.text, "chat: the content differs from the expected text");
        assert.deepEqual(result.toolCalls, [], "chat: a plain answer has no tool calls");
        assert.ok(s.expect.usage.inputTokens > 0 && s.expect.usage.outputTokens > 0, "harness: the text scenario's usage must have input and output tokens");
        assertResult(result, "stop", s.expect.usage);
      }),
    );

    capability("stream", () =>
      staged("text", scenarios.text, "stream", "one", async ({ staged: s, request, options }) => {
        const stream = await within(s.adapter.chatStream(request, options()), stepMs, "chatStream");
        const { events } = await readStream(stream, stepMs);
        const usage = assertCleanStream(events, "stop");
        const text = joinedText(events);
        assert.ok(text.length > 0, "stream: no text deltas");
        assert.equal(text, s.expect.text, "stream: the joined text deltas differ from the expected text");
        assert.deepEqual(eventsOf(events, "tool-call-delta"), [], "stream: a plain answer has no tool-call deltas");
        assert.ok(s.expect.usage.inputTokens > 0 && s.expect.usage.outputTokens > 0, "harness: the text scenario's usage must have input and output tokens");
        assertUsage(usage, s.expect.usage, "stream");
      }),
    );

    capability("tools", async (t) => {
      await sub(t, "tools.chat", () =>
        staged("tools", scenarios.tools, "chat", "one", async ({ staged: s, request, options }) => {
          assertOffersTool(request, s.expect.name);
          const result = await within(s.adapter.chat(request, options()), stepMs, "chat");
          assertResult(result, "tool_calls", s.expect.usage);
          assertToolCalls(result.toolCalls, s.expect, "chat");
        }),
      );
      await sub(t, "tools.stream", () =>
        staged("tools", scenarios.tools, "stream", "one", async ({ staged: s, request, options }) => {
          assertOffersTool(request, s.expect.name);
          const stream = await within(s.adapter.chatStream(request, options()), stepMs, "chatStream");
          const { events } = await readStream(stream, stepMs);
          const usage = assertCleanStream(events, "tool_calls");
          if (s.expect.usage) assertUsage(usage, s.expect.usage, "stream");
          assertToolCalls(reassembleToolCalls(events), s.expect, "stream");
        }),
      );
    });

    capability("structured_output", async (t) => {
      await sub(t, "structured_output.chat", () =>
        staged("structured_output", scenarios.structured_output, "chat", "one", async ({ staged: s, request, options }) => {
          const result = await within(s.adapter.chat(request, options()), stepMs, "chat");
          assertResult(result, "stop", s.expect.usage);
          const value = assertStructured(result.content, request, "chat");
          if (s.expect.value !== undefined) assert.deepEqual(value, s.expect.value, "chat: the structured answer differs from the expected");
        }),
      );
      await sub(t, "structured_output.stream", () =>
        staged("structured_output", scenarios.structured_output, "stream", "one", async ({ staged: s, request, options }) => {
          const stream = await within(s.adapter.chatStream(request, options()), stepMs, "chatStream");
          const { events } = await readStream(stream, stepMs);
          const usage = assertCleanStream(events, "stop");
          if (s.expect.usage) assertUsage(usage, s.expect.usage, "stream");
          const value = assertStructured(joinedText(events), request, "stream");
          if (s.expect.value !== undefined) assert.deepEqual(value, s.expect.value, "stream: the structured answer differs from the expected");
        }),
      );
    });

    capability("errors", async (t) => {
      const failure = (scenario: "rate_limited" | "overloaded" | "bad_response", kinds: (e: ErrorExpect) => readonly ErrorKind[]) =>
        sub(t, `errors.${scenario}`, async () => {
          for (const mode of ["chat", "stream"] as const) {
            await staged(scenario, scenarios[scenario], mode, "one", async ({ staged: s, request, options }) => {
              const where = mode === "chat" ? "chat" : "chatStream";
              const thrown =
                mode === "chat" ? await chatFailure(s.adapter.chat(request, options())) : await chatStreamFailure(s.adapter.chatStream(request, options()));
              const error = assertGatewayError(thrown, kinds(s.expect), s.adapter.name, where);
              if (scenario !== "bad_response") assert.ok(error.retryable, `${where}: a ${scenario} error must be retryable`);
              assert.equal(error.retryAfterMs, s.expect.retryAfterMs, `${where}: retryAfterMs differs from the wait the reply names`);
              if (s.expect.upstreamStatus !== undefined) assert.equal(error.upstreamStatus, s.expect.upstreamStatus, `${where}: upstreamStatus`);
            });
          }
        });
      await failure("rate_limited", () => ["rate_limited"]);
      await failure("overloaded", () => ["overloaded"]);
      await failure("bad_response", (e) => (e.kind ? [e.kind] : ["bad_response", "upstream_5xx"]));
    });

    capability("abort", async (t) => {
      await sub(t, "abort.stream", () =>
        staged("abort", scenarios.abort, "stream", "one", async ({ staged: s, request, options }) => {
          const controller = new AbortController();
          const stream = await within(s.adapter.chatStream(request, options(controller.signal)), stepMs, "chatStream");
          const iterator = stream[Symbol.asyncIterator]();
          try {
            const first = await within(iterator.next(), stepMs, "the first batch");
            assert.ok(!first.done, "harness: the abort scenario's stream ended before it could be aborted");
            assertBatch(first.value, 0);
            const seen = first.value.flatMap((chunk) => chunk.events);
            assert.equal(seen[0]?.type, "start", "stream: the first event is not start");
            assert.deepEqual(eventsOf(seen, "finish"), [], "harness: the abort scenario's stream finished in its first batch; make it slow or stall");

            const abortedAt = performance.now();
            controller.abort();
            const after = [];
            let rejection: unknown;
            for (;;) {
              const next = await within(settle(iterator.next()), abortMs, "the stream after the abort");
              if (!next.ok) {
                rejection = next.error;
                break;
              }
              if (next.value.done) break;
              assertBatch(next.value.value, 1 + after.length);
              after.push(...next.value.value.flatMap((chunk) => chunk.events));
            }
            const elapsed = performance.now() - abortedAt;
            assert.ok(elapsed <= abortMs, `stream: took ${Math.round(elapsed)} ms to end after the abort`);
            assert.deepEqual(eventsOf(after, "finish"), [], "stream: a finish event after the abort (the stream ended as if complete)");
            if (rejection !== undefined) {
              assertGatewayError(rejection, ["client_closed"], s.adapter.name, "stream (rejected)");
            } else {
              const last = after.at(-1);
              assert.ok(last?.type === "error", "stream: ended after the abort without an error event (a clean-looking end)");
              assertGatewayError(last.error, ["client_closed"], s.adapter.name, "stream (error event)");
            }
            if (s.upstream) await within(s.upstream.waitForAbort(), abortMs, "the fake upstream seeing the connection closed");
          } finally {
            await iterator.return?.();
          }
        }),
      );
      await sub(t, "abort.chat", () =>
        staged("abort", scenarios.abort, "chat", "one", async ({ staged: s, request, options }) => {
          const controller = new AbortController();
          const before = s.upstream?.calls ?? 0;
          const pending = settle(s.adapter.chat(request, options(controller.signal)));
          if (s.upstream) {
            const upstream = s.upstream;
            await until(() => upstream.calls > before, stepMs, "the request reaching the fake upstream");
          } else {
            await sleep(20);
          }
          controller.abort();
          const outcome = await within(pending, abortMs, "chat after the abort");
          assert.ok(!outcome.ok, "chat: answered although its signal was aborted before the answer was complete");
          assertGatewayError(outcome.error, ["client_closed"], s.adapter.name, "chat");
          if (s.upstream) await within(s.upstream.waitForAbort(), abortMs, "the fake upstream seeing the connection closed");
        }),
      );
      await sub(t, "abort.before", async () => {
        for (const mode of ["chat", "stream"] as const) {
          await staged("abort", scenarios.abort, mode, "none", async ({ staged: s, request, options }) => {
            const controller = new AbortController();
            controller.abort();
            const call: Promise<unknown> =
              mode === "chat" ? s.adapter.chat(request, options(controller.signal)) : s.adapter.chatStream(request, options(controller.signal));
            const outcome = await within(settle(call), abortMs, `${mode} with an aborted signal`);
            assert.ok(!outcome.ok, `${mode}: resolved although its signal was already aborted`);
            assertGatewayError(outcome.error, ["client_closed"], s.adapter.name, mode);
          });
        }
      });
    });

    capability("usage", async (t) => {
      for (const mode of ["chat", "stream"] as const) {
        await sub(t, `usage.${mode}`, () =>
          staged("usage", scenarios.usage, mode, "one", async ({ staged: s, request, options }) => {
            const { usage } = s.expect;
            assert.ok(
              usage.cachedInputTokens > 0 || usage.cacheWriteTokens > 0 || usage.reasoningTokens > 0,
              "harness: the usage scenario must declare cached-input, cache-write or reasoning tokens",
            );
            if (mode === "chat") {
              const result = await within(s.adapter.chat(request, options()), stepMs, "chat");
              assertResult(result, result.finishReason.unified, usage);
            } else {
              const stream = await within(s.adapter.chatStream(request, options()), stepMs, "chatStream");
              const { events } = await readStream(stream, stepMs);
              const reported = assertCleanStream(events, null);
              assertUsage(reported, usage, "stream");
            }
          }),
        );
      }
    });
  });
}

function assertOffersTool(request: ChatRequest, name: string): void {
  const offered = (request.tools ?? []).map((tool) => tool.name);
  assert.ok(offered.includes(name), `harness: the tools request offers ${JSON.stringify(offered)}, not the expected tool ${name}`);
}

function assertToolCalls(calls: readonly { id: string; name: string; arguments: string }[], expect: { name: string; arguments?: unknown; count?: number }, where: string): void {
  if (expect.count !== undefined) assert.equal(calls.length, expect.count, `${where}: number of tool calls`);
  else assert.ok(calls.length > 0, `${where}: no tool call`);
  for (const call of calls) {
    assert.ok(typeof call.id === "string" && call.id.length > 0, `${where}: a tool call has no id`);
    assert.ok(typeof call.name === "string" && call.name.length > 0, `${where}: a tool call has no name`);
    parseArguments(call.arguments, `${where}: tool call ${call.name}`);
  }
  const first = calls[0];
  assert.ok(first);
  assert.equal(first.name, expect.name, `${where}: the tool called`);
  if (expect.arguments !== undefined) assert.deepEqual(parseArguments(first.arguments, where), expect.arguments, `${where}: the tool call's arguments`);
}

function assertWarnings(actual: readonly string[], expected: readonly (string | RegExp)[]): void {
  const matches = actual.length === expected.length && expected.every((want, i) => {
    const got = actual[i] ?? "";
    return typeof want === "string" ? got === want : want.test(got);
  });
  assert.ok(matches, `warnings reported through CallOptions.warn: ${JSON.stringify(actual)}, expected ${expected.map(String).join(", ") || "none"}`);
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    assert.ok(performance.now() < deadline, `${what}: not within ${ms} ms`);
    await sleep(5);
  }
}
