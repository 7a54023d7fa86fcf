import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ModelConfig } from "../config/schema.ts";
import type { ChatRequest, Message } from "../core/request.ts";
import { adaptPrompt } from "./adapt-prompt.ts";

const model = (system_prompt?: ModelConfig["system_prompt"]): ModelConfig => ({ provider: "p", ...(system_prompt && { system_prompt }) });

function request(messages: Message[]): ChatRequest {
  return { model: "m", messages, stream: false, temperature: 0.3, extra: { logprobs: true } };
}

const SYSTEM_A: Message = { role: "system", content: "You are terse.", cacheControl: { type: "ephemeral" } };
const SYSTEM_B: Message = { role: "system", content: "Answer in French." };
const USER: Message = { role: "user", content: "hello" };
const ASSISTANT: Message = { role: "assistant", content: "bonjour" };

describe("adaptPrompt", () => {
  it("no model config or no adapter: the very same request object", () => {
    const req = request([SYSTEM_A, USER]);
    assert.equal(adaptPrompt(req, undefined), req);
    assert.equal(adaptPrompt(req, model()), req);
  });

  const cases: { name: string; mode: "prepend" | "replace"; messages: Message[]; expected: Message[] }[] = [
    {
      name: "prepend: before the request's system messages, which are kept",
      mode: "prepend",
      messages: [SYSTEM_A, USER],
      expected: [{ role: "system", content: "ADAPTER" }, SYSTEM_A, USER],
    },
    {
      name: "prepend: a request without a system message gets one",
      mode: "prepend",
      messages: [USER, ASSISTANT, USER],
      expected: [{ role: "system", content: "ADAPTER" }, USER, ASSISTANT, USER],
    },
    {
      name: "replace: stands in for every system message, wherever it was",
      mode: "replace",
      messages: [SYSTEM_A, USER, SYSTEM_B, ASSISTANT],
      expected: [{ role: "system", content: "ADAPTER" }, USER, ASSISTANT],
    },
    {
      name: "replace: without system messages it is the same as prepend",
      mode: "replace",
      messages: [USER],
      expected: [{ role: "system", content: "ADAPTER" }, USER],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const req = request(c.messages);
      const before = structuredClone(req);
      const out = adaptPrompt(req, model({ mode: c.mode, text: "ADAPTER" }));
      assert.deepEqual(out.messages, c.expected);
      assert.deepEqual(req, before, "the client's request is not mutated");
      assert.notEqual(out, req);
      // Everything but the messages is kept.
      assert.deepEqual({ ...out, messages: [] }, { ...req, messages: [] });
    });
  }
});
