import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { test } from "node:test";
import OpenAI from "openai";
import { chatRequestSchema } from "./chat-request-schema.ts";
import { isPlainChatRequest } from "./check-chat-request.ts";

/*
 * The fast path may say "no" to anything, but its "yes" must be zod's: the schema accepts the body
 * and returns it unchanged. Realistic bodies must get a "yes", or the fast path is never used.
 */

const WEATHER = { type: "object", properties: { location: { type: "string" } }, required: ["location"] };
const tool = (name: string, parameters: Record<string, unknown> = WEATHER): Record<string, unknown> => ({
  type: "function",
  function: { name, description: `the ${name} tool`, parameters },
});
const CONVERSATION = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Hello!" },
  { role: "assistant", content: "Hi. What can I do for you?" },
  { role: "user", content: "How are you?" },
];
const ROUND_TRIP = [
  { role: "user", content: "Weather in San Francisco?" },
  { role: "assistant", content: null, tool_calls: [{ id: "call_0", type: "function", function: { name: "weather", arguments: '{"location":"San Francisco"}' } }] },
  { role: "tool", tool_call_id: "call_0", content: "18°C and sunny" },
];
const ask = (content: string): Record<string, unknown>[] => [{ role: "user", content }];
const RECIPE = { type: "object", properties: { name: { type: "string" }, steps: { type: "array", items: { type: "string" } } }, required: ["name", "steps"], additionalProperties: false };

const REALISTIC: Record<string, unknown>[] = [
  { model: "gpt-4o", messages: ask("hi") },
  { model: "auto", messages: CONVERSATION, stream: true, stream_options: { include_usage: true } },
  { model: "m", messages: CONVERSATION, temperature: 0.2, top_p: 0.9, max_tokens: 256, stop: ["END"], seed: 7, user: "u-1", n: 1 },
  { model: "m", messages: CONVERSATION, temperature: 0, top_p: 1, max_completion_tokens: 1, stop: "\n\n", seed: -3, stream: false },
  { model: "m", messages: CONVERSATION, temperature: 2, top_p: 0, stop: ["a", "b", "c", "d"], metadata: { team: "search", run: "42" } },
  { model: "m", messages: ROUND_TRIP, tools: [tool("weather")], tool_choice: "auto", parallel_tool_calls: true },
  { model: "m", messages: ask("x"), tools: [tool("a", { type: "object", properties: {} }), tool("b")], tool_choice: { type: "function", function: { name: "a" } } },
  { model: "m", messages: ask("x"), tools: [{ type: "function", function: { name: "f", strict: true, parameters: WEATHER } }], tool_choice: "required" },
  { model: "m", messages: ask("x"), tools: [{ type: "function", function: { name: "f" } }], tool_choice: "none" },
  { model: "m", messages: ask("x"), response_format: { type: "json_object" } },
  { model: "m", messages: ask("x"), response_format: { type: "text" } },
  { model: "m", messages: ask("x"), response_format: { type: "json_schema", json_schema: { name: "recipe", schema: RECIPE, strict: true, description: "a recipe" } } },
  { model: "m", messages: ask("x"), reasoning_effort: "high", max_completion_tokens: 4096 },
  { model: "m", messages: [{ role: "developer", content: [{ type: "text", text: "Rules." }] }, { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] }] },
  { model: "m", messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } }] }] },
  { model: "m", messages: [{ role: "user", name: "ann", content: "hi" }, { role: "assistant", content: "hello", refusal: null, reasoning_content: "thinking", name: "bot" }, { role: "user", content: "again" }] },
  { model: "m", messages: [{ role: "assistant", content: [{ type: "text", text: "partial" }], tool_calls: [] }, { role: "tool", tool_call_id: "c", content: [{ type: "text", text: "r" }] }] },
  // Nulls where the schema allows them (clients that send every key).
  { model: "m", messages: ask("x"), stream: null, stream_options: null, max_tokens: null, max_completion_tokens: null, temperature: null, top_p: null, stop: null, seed: null, reasoning_effort: null, metadata: null, n: null, cache_control: null },
  // Unknown top-level keys pass through.
  { model: "m", messages: ask("x"), frequency_penalty: 0.5, presence_penalty: 0, logit_bias: { "50256": -100 }, logprobs: true, top_logprobs: 2, service_tier: "auto", store: false, modalities: ["text"], prediction: { type: "content", content: "x" } },
  // OpenRouter / LiteLLM prompt caching.
  {
    model: "m",
    cache_control: { type: "ephemeral" },
    messages: [
      { role: "system", content: [{ type: "text", text: "Long rules.", cache_control: { type: "ephemeral", ttl: "1h" } }] },
      { role: "user", content: "q", cache_control: { type: "ephemeral", ttl: "5m" } },
    ],
    tools: [{ type: "function", function: { name: "f", parameters: WEATHER, cache_control: { type: "ephemeral" } }, cache_control: { type: "ephemeral" } }],
  },
];

/** What the official SDK puts on the wire for the calls the e2e tests make (test/e2e/*.test.ts). */
async function sdkBodies(): Promise<unknown[]> {
  const bodies: unknown[] = [];
  const capture: typeof fetch = (_input, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    return Promise.reject(new Error("captured"));
  };
  const client = new OpenAI({ apiKey: "sk-test", baseURL: "http://127.0.0.1:9/v1", fetch: capture, maxRetries: 0 });
  const sdkTool = (name: string, parameters: Record<string, unknown> = WEATHER): OpenAI.ChatCompletionFunctionTool => ({
    type: "function",
    function: { name, description: `the ${name} tool`, parameters },
  });
  const conversation: OpenAI.ChatCompletionMessageParam[] = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hello!" },
    { role: "assistant", content: "Hi. What can I do for you?" },
    { role: "user", content: "How are you?" },
  ];
  const user = (content: string): OpenAI.ChatCompletionMessageParam[] => [{ role: "user", content }];
  const roundTrip: OpenAI.ChatCompletionMessageParam[] = [
    { role: "user", content: "Weather in San Francisco?" },
    { role: "assistant", content: null, tool_calls: [{ id: "toolu_01", type: "function", function: { name: "weather", arguments: '{"location":"San Francisco"}' } }] },
    { role: "tool", tool_call_id: "toolu_01", content: "18°C and sunny" },
  ];
  const recipe = { type: "json_schema" as const, json_schema: { name: "recipe", schema: RECIPE, strict: true } };
  const calls: (() => Promise<unknown>)[] = [
    () => client.chat.completions.create({ model: "default", messages: user("Say hello to the gateway in one sentence.") }),
    () => client.chat.completions.create({ model: "sonnet", messages: conversation }),
    () => client.chat.completions.create({ model: "sonnet", messages: user("Hello!"), stream: true, stream_options: { include_usage: true } }),
    () => client.chat.completions.stream({ model: "sonnet", messages: user("Weather in San Francisco?"), tools: [sdkTool("json")], tool_choice: "auto" }).finalChatCompletion(),
    () => client.chat.completions.stream({ model: "sonnet", messages: user("Update the issue list."), tools: [sdkTool("updateIssueList", { type: "object", properties: {} })] }).finalChatCompletion(),
    () => client.chat.completions.parse({ model: "sonnet", messages: user("A lasagna recipe."), response_format: recipe }),
    () => client.chat.completions.stream({ model: "sonnet", messages: user("Three characters."), response_format: { type: "json_schema", json_schema: { name: "characters", schema: { type: "object" } } } }).finalChatCompletion(),
    () => client.chat.completions.create({ model: "sonnet", messages: roundTrip, tools: [sdkTool("weather")] }),
    () => client.chat.completions.create({ model: "sonnet", messages: user("And divided by 5?"), reasoning_effort: "high", stream: true }),
    () => client.chat.completions.create({ model: "flash", messages: conversation, temperature: 0.2, top_p: 0.9, max_tokens: 256, stop: ["END"], seed: 7 }),
    () => client.chat.completions.stream({
      model: "flash",
      messages: user("Read the theme, then screens A, B and C."),
      tools: [sdkTool("read_theme", { type: "object", properties: {} }), sdkTool("read_screen", { type: "object", properties: { id: { type: "string" } } })],
      reasoning_effort: "high",
      stream_options: { include_usage: true },
    }).finalChatCompletion(),
  ];
  for (const call of calls) {
    await assert.rejects(call());
  }
  assert.equal(bodies.length, calls.length, "every call reached fetch");
  return bodies;
}

/** Zod's verdict matches the fast path's "yes". */
function assertVouched(body: unknown, label: string): void {
  const parsed = chatRequestSchema.safeParse(body);
  assert.ok(parsed.success, `${label}: the fast path accepted a body zod rejects: ${describe(body)}\n${parsed.error?.message ?? ""}`);
  assert.ok(isDeepStrictEqual(parsed.data, body), `${label}: zod's output differs from the body: ${describe(body)}`);
}

test("the fast path accepts realistic requests, and zod returns each of them unchanged", () => {
  for (const [i, body] of REALISTIC.entries()) {
    assert.equal(isPlainChatRequest(body), true, `realistic #${i}: ${JSON.stringify(body)}`);
    assertVouched(body, `realistic #${i}`);
    // As they arrive: parsed from JSON.
    assert.equal(isPlainChatRequest(JSON.parse(JSON.stringify(body))), true, `realistic #${i} from JSON`);
  }
});

test("the fast path accepts the bodies the official openai SDK sends in the e2e tests", async () => {
  for (const [i, body] of (await sdkBodies()).entries()) {
    assert.equal(isPlainChatRequest(body), true, `SDK body #${i}: ${JSON.stringify(body)}`);
    assertVouched(body, `SDK body #${i}`);
  }
});

test("the fast path says no to what zod rejects or would change", () => {
  const proto = (json: string): unknown => JSON.parse(json);
  const bad: unknown[] = [
    null, [], "x", {},
    { model: "", messages: ask("x") },
    { model: "m", messages: [] },
    { model: "m", messages: [{ role: "robot", content: "x" }] },
    { model: "m", messages: [{ role: "user", content: "x", extra: 1 }] }, // stripped by zod
    { model: "m", messages: [{ role: "tool", tool_call_id: "c", content: "x", name: "n" }] }, // `name` is not a tool message key
    { model: "m", messages: [{ role: "assistant", content: "x", annotations: [] }] }, // as the API returns it
    { model: "m", messages: [{ role: "assistant", content: null, tool_calls: null }] },
    { model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "u", detail: "max" } }] }] },
    { model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "u", format: "png" } }] }] },
    { model: "m", messages: ask("x"), stream_options: { include_usage: true, include_obfuscation: false } },
    { model: "m", messages: ask("x"), temperature: 2.01 },
    { model: "m", messages: ask("x"), top_p: Number.NaN },
    { model: "m", messages: ask("x"), max_tokens: 1.5 },
    { model: "m", messages: ask("x"), max_tokens: 2 ** 53 },
    { model: "m", messages: ask("x"), seed: Infinity },
    { model: "m", messages: ask("x"), stop: ["a", "b", "c", "d", "e"] },
    { model: "m", messages: ask("x"), n: 2 },
    { model: "m", messages: ask("x"), user: null },
    { model: "m", messages: ask("x"), tools: null },
    { model: "m", messages: ask("x"), tools: [{ type: "function", function: { name: "" } }] },
    { model: "m", messages: ask("x"), tools: [{ type: "function", function: { name: "f", parameters: [] } }] },
    { model: "m", messages: ask("x"), tool_choice: { type: "function", function: { name: "f", arguments: "" } } },
    { model: "m", messages: ask("x"), response_format: { type: "json_schema", json_schema: { name: "n", schema: RECIPE, extra: true } } },
    { model: "m", messages: ask("x"), metadata: { n: 1 } },
    { model: "m", messages: ask("x"), cache_control: { type: "ephemeral", ttl: "2h" } },
    // zod rebuilds these with assignment and loses the key.
    proto('{"model":"m","messages":[{"role":"user","content":"x"}],"__proto__":{"a":1}}'),
    proto('{"model":"m","messages":[{"role":"user","content":"x"}],"metadata":{"__proto__":"x"}}'),
    proto('{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"__proto__":{}}}}]}'),
    Object.assign(Object.create(null) as object, { model: "m", messages: ask("x") }),
  ];
  for (const body of bad) {
    assert.equal(isPlainChatRequest(body), false, describe(body));
    const parsed = chatRequestSchema.safeParse(body);
    assert.ok(!parsed.success || !isDeepStrictEqual(parsed.data, body), `zod keeps ${describe(body)} as it is: the check could accept it`);
  }
});

// ---- Property test: mutate valid bodies, and every "yes" must be zod's. ----

/** mulberry32: small, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = unknown;
type Container = Record<string, unknown> | unknown[];

/** A deep copy that keeps own `__proto__` keys as keys. */
function clone(value: Json): Json {
  if (Array.isArray(value)) return value.map(clone);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, { value: clone((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

const WEIRD: Json[] = [
  null, undefined, true, false, 0, -0, 1, -1, 0.5, 1.5, 2, 2.5, 3, 4, 5, 1e308, -1e308, 2 ** 53, 2 ** 53 - 1, Number.NaN, Infinity, -Infinity,
  "", "x", "NaN", "1", "Infinity", "true", "null", "auto", "none", "required", "function", "text", "json_object", "json_schema", "ephemeral", "5m", "1h",
  "system", "developer", "user", "assistant", "tool", "robot", "function", "high", "xhigh", "image_url", "low",
  [], [""], ["a", "b"], ["a", "b", "c", "d", "e"], [1], [null], {}, { a: 1 }, { type: "ephemeral" }, { type: "ephemeral", ttl: "1h" }, { type: "ephemeral", x: 1 },
  { type: "text", text: "t" }, { type: "image_url", image_url: { url: "u" } }, { role: "user", content: "c" }, { name: "n" },
  Object.create(null) as Json,
];
const KEYS = [
  "role", "content", "name", "type", "text", "function", "arguments", "id", "parameters", "strict", "description", "schema", "include_usage", "cache_control",
  "ttl", "tool_calls", "tool_call_id", "refusal", "reasoning_content", "detail", "url", "image_url", "json_schema", "model", "messages", "extra", "__proto__",
  "stream", "temperature", "n", "metadata", "stop", "seed", "user", "tools", "tool_choice", "response_format",
];

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

/** Every container in the body, with the body itself. */
function containers(value: Json, out: Container[] = []): Container[] {
  if (Array.isArray(value)) {
    out.push(value);
    for (const item of value) containers(item, out);
  } else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    out.push(record);
    for (const key of Object.keys(record)) containers(record[key], out);
  }
  return out;
}

const TOP_KEYS = [
  "model", "messages", "stream", "stream_options", "tools", "tool_choice", "parallel_tool_calls", "response_format", "max_tokens",
  "max_completion_tokens", "temperature", "top_p", "stop", "seed", "user", "reasoning_effort", "metadata", "n", "cache_control", "__proto__",
];

function mutate(body: Json, rand: () => number): void {
  if (rand() < 0.3) {
    // The top-level fields, often: each has its own rule.
    Object.defineProperty(body, pick(rand, TOP_KEYS), { value: clone(pick(rand, WEIRD)), enumerable: true, writable: true, configurable: true });
    return;
  }
  const target = pick(rand, containers(body));
  const weird = (): Json => clone(pick(rand, WEIRD));
  if (Array.isArray(target)) {
    const r = rand();
    if (r < 0.25) target.length = 0;
    else if (r < 0.5 && target.length > 0) target.splice(Math.floor(rand() * target.length), 1);
    else if (r < 0.7 && target.length > 0) target.push(clone(pick(rand, target)));
    else if (target.length > 0) target[Math.floor(rand() * target.length)] = weird();
    else target.push(weird());
    return;
  }
  const keys = Object.keys(target);
  const r = rand();
  const define = (key: string, value: Json): void => {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  };
  if (r < 0.25 && keys.length > 0) delete target[pick(rand, keys)];
  else if (r < 0.65 && keys.length > 0) define(pick(rand, keys), weird());
  else define(pick(rand, KEYS), weird());
}

test("property: whenever the fast path says yes, zod accepts the body and returns it unchanged", () => {
  const rand = prng(0x5eed);
  const seeds = REALISTIC;
  let yes = 0;
  let zodKeeps = 0;
  const runs = 6000;
  for (let i = 0; i < runs; i++) {
    const body = clone(pick(rand, seeds));
    const rounds = 1 + Math.floor(rand() * 3);
    for (let r = 0; r < rounds; r++) mutate(body, rand);
    const parsed = chatRequestSchema.safeParse(body);
    const kept = parsed.success && isDeepStrictEqual(parsed.data, body);
    if (kept) zodKeeps++;
    if (isPlainChatRequest(body)) {
      yes++;
      assert.ok(kept, `run ${i}: the fast path accepted ${describe(body)}; zod ${parsed.success ? "changed it" : `rejected it: ${parsed.error.issues[0]?.message ?? ""}`}`);
    }
  }
  // The mutations must exercise both answers, or the test proves little.
  assert.ok(yes > runs / 10, `only ${yes} of ${runs} mutated bodies were accepted`);
  assert.ok(runs - yes > runs / 2, `only ${runs - yes} of ${runs} mutated bodies were refused`);
  // Conservative, not useless: most bodies zod keeps unchanged take the fast path.
  assert.ok(yes > zodKeeps * 0.8, `the fast path accepted ${yes} of the ${zodKeeps} bodies zod keeps unchanged`);
});

function describe(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v === undefined ? "<undefined>" : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
