import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { chatCompletionStreamEvents } from "../../../bench/fake-chat-responses.ts";
import { fixtureChunks, fixturePath, readFixture, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { initialOpenAIStreamState, parseOpenAIStreamMessage, stepOpenAIStream, type SseMessage } from "./openai-stream-step.ts";
import { plainContentDelta, type PlainDeltaMemo } from "./plain-content-delta.ts";

/**
 * Feeds messages to the step with the shortcut and to the full parse, from the same state each
 * time, and fails on the first message where they differ. Returns how many took the shortcut.
 */
function assertSameAsParsing(messages: readonly SseMessage[], label: string): number {
  let state = initialOpenAIStreamState("p");
  let shortcuts = 0;
  const memo: PlainDeltaMemo = {};
  for (const [i, message] of messages.entries()) {
    const fast = stepOpenAIStream(state, message, memo);
    const full = parseOpenAIStreamMessage(state, message);
    assert.deepEqual(fast, full, `${label}, message ${i}: ${message.data.slice(0, 160)}`);
    if (state.started && message.event === undefined && plainContentDelta(message.data) !== null) shortcuts++;
    state = full.state;
  }
  return shortcuts;
}

function sseMessages(text: string): EventSourceMessage[] {
  const out: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (m) => out.push(m) });
  parser.feed(text);
  return out;
}

const started = (data: string): { state: ReturnType<typeof initialOpenAIStreamState>; message: SseMessage } => ({
  state: { ...initialOpenAIStreamState("p"), started: true },
  message: { data },
});

test("the bench's stream: every text delta takes the shortcut, with the same events as parsing", () => {
  const messages = sseMessages(chatCompletionStreamEvents.join(""));
  const shortcuts = assertSameAsParsing(messages, "bench");
  // role chunk, 23 words, finish, usage, [DONE]: the 23 words are plain deltas.
  assert.equal(shortcuts, 23);
});

test("recorded streams: the shortcut changes no event or state, and takes the plain deltas of OpenAI, DeepSeek and Mistral", { skip: skipWithoutFixtures }, () => {
  const chunkFiles = [
    "openai/openai-text.chunks.txt",
    "openai/azure-model-router.1.chunks.txt",
    "deepseek/deepseek-text.chunks.txt",
    "deepseek/deepseek-reasoning.chunks.txt",
    "deepseek/deepseek-tool-call.chunks.txt",
    "openai-compatible/groq-tool-call.chunks.txt",
    "openai-compatible/mistral-text.chunks.txt",
    "openai-compatible/mistral-tool-call.chunks.txt",
    "openai-compatible/xai-tool-call.chunks.txt",
  ];
  const shortcutsBy = new Map<string, number>();
  for (const file of chunkFiles) shortcutsBy.set(file, assertSameAsParsing(fixtureChunks(file).map((data) => ({ data })), file));
  for (const file of ["openai/openai-text.chunks.txt", "deepseek/deepseek-text.chunks.txt", "openai-compatible/mistral-text.chunks.txt"]) {
    assert.ok((shortcutsBy.get(file) ?? 0) > 0, `${file}: no message took the shortcut`);
  }
  let rawShortcuts = 0;
  for (const dir of ["test_openai", "test_deepseek", "test_groq", "test_openrouter"]) {
    for (const name of readdirSync(fixturePath(`raw-sse/${dir}`)).filter((n) => n.endsWith(".sse"))) {
      rawShortcuts += assertSameAsParsing(sseMessages(readFixture(`raw-sse/${dir}/${name}`)), `raw-sse/${dir}/${name}`);
    }
  }
  assert.ok(rawShortcuts > 0, "no raw-sse message took the shortcut");
});

test("anything but a plain text delta is parsed: finish, usage, tools, reasoning, errors, odd shapes", () => {
  const base = (choice: string, extra = ""): string =>
    `{"id":"c","object":"chat.completion.chunk","created":5,"model":"m","choices":[${choice}]${extra}}`;
  const cases = [
    base(`{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}`),
    base(`{"index":0,"delta":{"content":"a"},"finish_reason":null}`, `,"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}`),
    base(`{"index":0,"delta":{"content":"a","tool_calls":[{"index":0,"id":"x","function":{"name":"f","arguments":""}}]}}`),
    base(`{"index":0,"delta":{"reasoning_content":"hm","content":"a"}}`),
    base(`{"index":0,"delta":{"content":"a","refusal":"no"}}`),
    base(`{"index":1,"delta":{"content":"a"}}`),
    base(`{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}`),
    base(`{"index":0,"delta":{"content":null}}`),
    base(`{"index":0,"delta":{"content":"a"}}`, `,"error":{"message":"boom","type":"server_error"}`),
    base(`{"index":0,"delta":{"content":"a"}}`, `,"x_groq":{"id":"r"}`),
    base(`{"index":0,"delta":{"content":"bad \\x escape"}}`),
    base(`{"index":0,"delta":{"content":"raw\ncontrol"}}`),
    `{"id":"c","created":05,"choices":[{"index":0,"delta":{"content":"a"}}]}`,
    `{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}]} `,
    `{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}],"choices":[]}`,
    `{"id":"c","choices":[{"index":0,"delta":{"content":"a"}}]`,
    "[DONE]",
  ];
  for (const data of cases) {
    assert.equal(plainContentDelta(data), null, data);
    const { state, message } = started(data);
    assert.deepEqual(stepOpenAIStream(state, message), parseOpenAIStreamMessage(state, message), data);
    // After a plain message with the same head, only the tail is matched: it must still refuse.
    const memo: PlainDeltaMemo = {};
    assert.equal(plainContentDelta(base(`{"index":0,"delta":{"content":"plain"}}`), memo), "plain");
    assert.equal(plainContentDelta(data, memo), null, `after a known head: ${data}`);
    assert.deepEqual(stepOpenAIStream(state, message, memo), parseOpenAIStreamMessage(state, message), data);
  }
});

test("the head of a stream's messages is matched once; a message with another head is matched whole", () => {
  const memo: PlainDeltaMemo = {};
  const message = (id: string, content: string): string => `{"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${content}"}}]}`;
  assert.equal(plainContentDelta(message("a", "one"), memo), "one");
  assert.equal(memo.head, '{"id":"a","object":"chat.completion.chunk","choices":[');
  assert.equal(plainContentDelta(message("a", "two"), memo), "two");
  assert.equal(plainContentDelta(message("b", "three"), memo), "three");
  assert.equal(memo.head, '{"id":"b","object":"chat.completion.chunk","choices":[');
  // A head that is a prefix of a longer, different one is not taken for it.
  assert.equal(plainContentDelta(`{"id":"b","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"x"}},{"index":1,"delta":{"content":"y"}}]}`, memo), null);
});

test("plain text deltas are decoded exactly, escapes included, whatever keys they look like", () => {
  const cases: Array<[string, string]> = [
    [`{"id":"c","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"ab"}`, "Hello"],
    [`{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`, ""],
    [`{"id": "c", "choices": [{"index": 0, "delta": {"content": "spaced"}, "finish_reason": null}]}`, "spaced"],
    [String.raw`{"id":"c","choices":[{"index":0,"delta":{"content":"\"usage\":{\"prompt_tokens\":9},\"finish_reason\":\"stop\""}}]}`, `"usage":{"prompt_tokens":9},"finish_reason":"stop"`],
    [String.raw`{"id":"c","choices":[{"index":0,"delta":{"content":"line\nbreak \u00e9 \ud83d\ude00 \\ \/"}}]}`, "line\nbreak é 😀 \\ /"],
  ];
  for (const [data, text] of cases) {
    assert.equal(plainContentDelta(data), text, data);
    const { state, message } = started(data);
    assert.deepEqual(stepOpenAIStream(state, message), parseOpenAIStreamMessage(state, message), data);
  }
});

test("before the stream has started, and for named events, every message is parsed", () => {
  const data = `{"id":"c","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"}}]}`;
  const first = stepOpenAIStream(initialOpenAIStreamState("p"), { data });
  assert.deepEqual(first.events, [
    { type: "start", id: "c", model: "m", created: 5 },
    { type: "text-delta", delta: "Hi" },
  ]);
  const named = stepOpenAIStream({ ...initialOpenAIStreamState("p"), started: true }, { event: "error", data });
  assert.equal(named.events[0]?.type, "error");
});
