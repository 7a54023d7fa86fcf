import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatRequest, Message, ToolDefinition } from "../../core/request.ts";
import { markLastCacheable } from "./mark-last-cacheable.ts";

const EPHEMERAL = { type: "ephemeral" } as const;
const HOUR = { type: "ephemeral", ttl: "1h" } as const;
const request = (messages: Message[], tools?: ToolDefinition[]): ChatRequest => ({ model: "m", messages, stream: false, extra: {}, ...(tools && { tools }) });

test("the last user message is marked: a string becomes one marked text part, parts get the mark on the last", () => {
  assert.deepEqual(markLastCacheable(request([{ role: "system", content: "s" }, { role: "user", content: "hi" }]), EPHEMERAL).messages, [
    { role: "system", content: "s" },
    { role: "user", content: [{ type: "text", text: "hi", cacheControl: EPHEMERAL }] },
  ]);
  const parts = markLastCacheable(request([{ role: "user", content: [{ type: "text", text: "a" }, { type: "image", url: "https://x/y.png" }] }]), HOUR);
  assert.deepEqual(parts.messages, [{ role: "user", content: [{ type: "text", text: "a" }, { type: "image", url: "https://x/y.png", cacheControl: HOUR }] }]);
});

test("a tool result after the last user message is the one marked; an assistant prefill is passed over", () => {
  const messages: Message[] = [
    { role: "user", content: "weather?" },
    { role: "assistant", content: null, toolCalls: [{ id: "t", name: "w", arguments: "{}" }] },
    { role: "tool", toolCallId: "t", content: "18°C" },
    { role: "assistant", content: "It is" },
  ];
  const marked = markLastCacheable(request(messages), EPHEMERAL);
  assert.deepEqual(marked.messages[2], { role: "tool", toolCallId: "t", content: "18°C", cacheControl: EPHEMERAL });
  assert.deepEqual(marked.messages.filter((_, i) => i !== 2), messages.filter((_, i) => i !== 2));
  assert.equal(messages[2]?.role === "tool" && messages[2].cacheControl, undefined, "the input is not changed");
});

test("an item with its own breakpoint keeps it", () => {
  const own = request([{ role: "user", content: [{ type: "text", text: "a", cacheControl: HOUR }] }]);
  assert.deepEqual(markLastCacheable(own, EPHEMERAL).messages, own.messages);
});

test("without user or tool messages: the last system message, else the last tool, else nothing", () => {
  assert.deepEqual(markLastCacheable(request([{ role: "system", content: "a" }, { role: "system", content: "b" }, { role: "assistant", content: "x" }]), EPHEMERAL).messages, [
    { role: "system", content: "a" },
    { role: "system", content: "b", cacheControl: EPHEMERAL },
    { role: "assistant", content: "x" },
  ]);
  assert.deepEqual(markLastCacheable(request([{ role: "assistant", content: "x" }], [{ name: "f" }, { name: "g" }]), EPHEMERAL).tools, [{ name: "f" }, { name: "g", cacheControl: EPHEMERAL }]);
  const bare = request([{ role: "assistant", content: "x" }]);
  assert.equal(markLastCacheable(bare, EPHEMERAL), bare);
});
