import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { json, sse, startFakeUpstream, type FakeUpstream, type RecordedRequest, type Reply } from "../support/fake-upstream.ts";
import { eventually, SIMULATED_CONFIG, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

/**
 * Routing through the real server and the official SDK: validation and escalation, load
 * balancing over deployments, route limits, prompt adapters and `model: auto`. Two fake
 * upstreams (providers `one` and `two`) answer by the upstream model id they are asked for.
 */

const PERSON_FORMAT = {
  type: "json_schema" as const,
  json_schema: {
    name: "person",
    strict: true,
    schema: {
      type: "object",
      properties: { name: { type: "string" }, age: { type: "integer" } },
      required: ["name", "age"],
      additionalProperties: false,
    },
  },
};

const CHEAP_USAGE = { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 };
const WORK_USAGE = { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 };
const CHEAP_GOOD = '{"name":"Ada","age":36}';
const CHEAP_BAD = 'Sure! {"name": "Ada", "age": ';
const WORK_GOOD = '{"name":"Ada Lovelace","age":36}';

function completion(model: string, content: string, usage = CHEAP_USAGE): Reply {
  return json({
    id: `chatcmpl-${model}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage,
  });
}

function lastUserText(req: RecordedRequest): string {
  const body = req.body as { messages: { role: string; content: unknown }[] };
  const users = body.messages.filter((m) => m.role === "user");
  const content = users.at(-1)?.content;
  return typeof content === "string" ? content : JSON.stringify(content);
}

/** The same answer as an OpenAI event stream, in two content chunks. */
function streamed(model: string, content: string, usage = CHEAP_USAGE): Reply {
  const chunk = (delta: object, finish: string | null, extra: object = {}): string =>
    JSON.stringify({ id: `chatcmpl-${model}`, object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
  const half = Math.ceil(content.length / 2);
  return sse([
    chunk({ role: "assistant", content: "" }, null),
    chunk({ content: content.slice(0, half) }, null),
    chunk({ content: content.slice(half) }, null),
    chunk({}, "stop"),
    JSON.stringify({ id: `chatcmpl-${model}`, object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [], usage }),
  ]);
}

/** One fake provider; `label` goes into its plain answers so a test sees who answered. */
function upstreamHandler(label: string) {
  return async (req: RecordedRequest): Promise<Reply> => {
    const model = (req.body as { model: string }).model;
    if ((req.body as { stream?: boolean }).stream === true && model === "json-cheap") return streamed(model, lastUserText(req).includes("BAD") ? CHEAP_BAD : CHEAP_GOOD);
    if (model === "json-cheap") return completion(model, lastUserText(req).includes("BAD") ? CHEAP_BAD : CHEAP_GOOD, CHEAP_USAGE);
    if (model.startsWith("json-work")) return completion(model, WORK_GOOD, WORK_USAGE);
    if (model.endsWith("-fail")) return json({ error: { message: "boom", type: "server_error" } }, { status: 500 });
    if (model.endsWith("-slow")) await sleep(150);
    return completion(model, `hello from ${label}`);
  };
}

const countFor = (up: FakeUpstream, model: string): number => up.requests.filter((r) => (r.body as { model?: string }).model === model).length;

describe("routing e2e (fake upstreams)", () => {
  let one: FakeUpstream;
  let two: FakeUpstream;
  let gw: TestGateway;

  before(async () => {
    one = await startFakeUpstream(upstreamHandler("one"));
    two = await startFakeUpstream(upstreamHandler("two"));
    gw = await startTestGateway(`
providers:
  one: { type: openai-compatible, base_url: "${one.url}/v1", api_key: k1 }
  two: { type: openai-compatible, base_url: "${two.url}/v1", api_key: k2 }
models:
  cheap-m: { provider: one, upstream: json-cheap, price: { input: 1, output: 2 } }
  work-m:  { provider: two, upstream: json-work, price: { input: 10, output: 20 } }
  weighted-m:
    price: { input: 1, output: 1 }
    deployments:
      - { provider: one, upstream: w-one, weight: 3 }
      - { provider: two, upstream: w-two, weight: 1 }
  sticky-m:
    deployments: [{ provider: one, upstream: s-one }, { provider: two, upstream: s-two }]
  latency-m:
    balance: least_latency
    deployments: [{ provider: one, upstream: l-slow }, { provider: two, upstream: l-fast }]
  failover-m:
    deployments: [{ provider: one, upstream: f-fail }, { provider: two, upstream: f-ok }]
  prepend-m: { provider: one, upstream: adapted-prepend, system_prompt: { mode: prepend, text: "Answer in French." } }
  balanced-work-m:
    price: { input: 10, output: 20 }
    deployments: [{ provider: one, upstream: json-work-a }, { provider: two, upstream: json-work-b }]
  broken-m: { provider: two, upstream: broken-fail, price: { input: 10, output: 20 } }
  replace-m: { provider: one, upstream: adapted-replace, system_prompt: { mode: replace, text: "You are Switchyard's test model." } }
lanes:
  cheap: [cheap-m]
  work: [work-m]
  broken: [broken-m]
  work-balanced: [balanced-work-m]
routes:
  extraction: { lane: cheap, validate: { json_schema: true }, escalate_to: work }
  extraction-buffered: { lane: cheap, validate: { json_schema: true }, escalate_to: work, buffer_stream: true }
  extraction-balanced: { lane: cheap, validate: { json_schema: true }, escalate_to: work-balanced }
  extraction-doomed: { lane: cheap, validate: { json_schema: true }, escalate_to: broken }
  strict-cap: { model: prepend-m, max_output_tokens: 100, on_max_output_tokens: reject }
  soft-cap: { model: prepend-m, max_output_tokens: 100 }
resilience:
  retry: { attempts: 0 }
`);
  });
  after(async () => {
    await gw?.close();
    await one?.close();
    await two?.close();
  });

  describe("validation and escalation", () => {
    it("an answer that fails json_schema is escalated: the client gets the valid one, the receipt counts both", async () => {
      const before = { one: one.calls, two: two.calls };
      const { data, response } = await gw.openai.chat.completions
        .create({ model: "extraction", messages: [{ role: "user", content: "Extract the person. BAD" }], response_format: PERSON_FORMAT })
        .withResponse();
      assert.equal(data.choices[0]?.message.content, WORK_GOOD);
      assert.deepEqual([one.calls - before.one, two.calls - before.two], [1, 1]);
      assert.equal(response.headers.get("x-switchyard-model"), "work-m");
      assert.equal(response.headers.get("x-switchyard-attempts"), "2");
      // cheap: 100 × $1 + 50 × $2 per 1M = 200 µUSD; work: 120 × $10 + 40 × $20 per 1M = 2000 µUSD.
      assert.equal(response.headers.get("x-switchyard-cost-usd"), "0.002200");
      assert.match(response.headers.get("x-switchyard-warning") ?? "", /cheap-m: answer failed validation \(the answer is not valid JSON/);

      const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
      assert.equal(receipt.status, "ok");
      assert.equal(receipt.validationFailures, 1);
      assert.equal(receipt.escalations, 1);
      assert.equal(receipt.costMicroUsd, 2200);
      assert.deepEqual(
        receipt.attempts.map((a) => [a.provider, a.model, a.upstreamModel, a.status, a.errorKind]),
        [
          ["one", "cheap-m", "json-cheap", 200, null],
          ["two", "work-m", "json-work", 200, null],
        ],
      );
      assert.equal(receipt.model, "work-m");
      assert.equal(receipt.route, "extraction");
      assert.deepEqual([receipt.inputTokens, receipt.outputTokens], [120, 40], "tokens are the answer's; cost includes both");
      assert.equal(receipt.retries, 0);
      assert.equal(receipt.fallbacks, 0);
      assert.equal(receipt.warnings.filter((w) => w.includes("failed validation")).length, 1);
    });

    it("a passing answer is not escalated", async () => {
      const before = { one: one.calls, two: two.calls };
      const { data, response } = await gw.openai.chat.completions
        .create({ model: "extraction", messages: [{ role: "user", content: "Extract the person." }], response_format: PERSON_FORMAT })
        .withResponse();
      assert.equal(data.choices[0]?.message.content, CHEAP_GOOD);
      assert.deepEqual([one.calls - before.one, two.calls - before.two], [1, 0]);
      assert.equal(response.headers.get("x-switchyard-cost-usd"), "0.000200");
      const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
      assert.deepEqual([receipt.validationFailures, receipt.escalations, receipt.attempts.length, receipt.costMicroUsd], [0, 0, 1, 200]);
      assert.equal(response.headers.get("x-switchyard-warning"), null);
    });

    it("an escalation that fails outright: the first answer is returned, with one warning", async () => {
      const { data, response } = await gw.openai.chat.completions
        .create({ model: "extraction-doomed", messages: [{ role: "user", content: "Extract the person. BAD" }], response_format: PERSON_FORMAT })
        .withResponse();
      assert.equal(data.choices[0]?.message.content, CHEAP_BAD);
      assert.equal(response.headers.get("x-switchyard-model"), "cheap-m");
      const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
      assert.equal(receipt.status, "ok");
      assert.deepEqual([receipt.validationFailures, receipt.escalations], [1, 1]);
      assert.deepEqual(receipt.attempts.map((a) => [a.model, a.errorKind]), [["cheap-m", null], ["broken-m", "upstream_5xx"]]);
      assert.equal(receipt.model, "cheap-m");
      assert.deepEqual([receipt.inputTokens, receipt.outputTokens, receipt.costMicroUsd], [100, 50, 200]);
      assert.equal(receipt.warnings.filter((w) => w.startsWith("escalation to broken failed")).length, 1, receipt.warnings.join("\n"));
    });

    it("an escalation to a model with deployments balances over them", async () => {
      const before = { a: countFor(one, "json-work-a"), b: countFor(two, "json-work-b") };
      for (let i = 0; i < 16; i += 1) {
        const { data } = await gw.openai.chat.completions
          .create({ model: "extraction-balanced", messages: [{ role: "user", content: "Extract the person. BAD" }], response_format: PERSON_FORMAT })
          .withResponse();
        assert.equal(data.choices[0]?.message.content, WORK_GOOD);
      }
      const a = countFor(one, "json-work-a") - before.a;
      const b = countFor(two, "json-work-b") - before.b;
      assert.equal(a + b, 16);
      assert.ok(a > 0 && b > 0, `json-work-a ${a}, json-work-b ${b}`);
    });

    it("stream: true on a buffer_stream route: escalated, and received as a normal stream", async () => {
      const before = { one: one.calls, two: two.calls };
      const { data: stream, response } = await gw.openai.chat.completions
        .create({
          model: "extraction-buffered",
          messages: [{ role: "user", content: "Extract the person. BAD" }],
          response_format: PERSON_FORMAT,
          stream: true,
          stream_options: { include_usage: true },
        })
        .withResponse();
      let text = "";
      let finish: string | null = null;
      let usage: { prompt_tokens: number; completion_tokens: number } | null = null;
      let chunks = 0;
      for await (const chunk of stream) {
        chunks += 1;
        text += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(text, WORK_GOOD);
      assert.equal(finish, "stop");
      assert.ok(chunks >= 2, `${chunks} chunks`);
      assert.deepEqual(usage && [usage.prompt_tokens, usage.completion_tokens], [120, 40]);
      assert.deepEqual([one.calls - before.one, two.calls - before.two], [1, 1]);
      // Both upstream calls were non-streaming: the answer was read whole to be validated.
      assert.deepEqual(
        [one.requests.at(-1), two.requests.at(-1)].map((r) => (r?.body as { stream?: boolean }).stream ?? false),
        [false, false],
      );
      assert.equal(response.headers.get("x-switchyard-model"), "work-m");
      const id = response.headers.get("x-switchyard-request-id") ?? "";
      const receipt = await eventually(() => gw.receipt(id));
      assert.equal(receipt.status, "ok");
      assert.equal(receipt.stream, true);
      assert.deepEqual([receipt.validationFailures, receipt.escalations, receipt.attempts.length, receipt.costMicroUsd], [1, 1, 2, 2200]);
    });

    it("stream: true without buffer_stream is not validated", async () => {
      const before = { one: one.calls, two: two.calls };
      const stream = await gw.openai.chat.completions.create({
        model: "extraction",
        messages: [{ role: "user", content: "Extract the person. BAD" }],
        response_format: PERSON_FORMAT,
        stream: true,
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      assert.equal(text, CHEAP_BAD);
      assert.deepEqual([one.calls - before.one, two.calls - before.two], [1, 0]);
    });
  });

  describe("load balancing over deployments", () => {
    it("weighted 3:1 over 80 requests gives roughly 3:1 calls", async () => {
      const before = { one: countFor(one, "w-one"), two: countFor(two, "w-two") };
      const providers = new Map<string, number>();
      for (let i = 0; i < 80; i += 1) {
        const { response } = await gw.openai.chat.completions.create({ model: "weighted-m", messages: [{ role: "user", content: `hi ${i}` }] }).withResponse();
        const p = response.headers.get("x-switchyard-provider") ?? "?";
        providers.set(p, (providers.get(p) ?? 0) + 1);
      }
      const onOne = countFor(one, "w-one") - before.one;
      const onTwo = countFor(two, "w-two") - before.two;
      assert.equal(onOne + onTwo, 80);
      assert.deepEqual([providers.get("one") ?? 0, providers.get("two") ?? 0], [onOne, onTwo]);
      // Expected 60:20; the standard deviation is about 3.9, so this is about ±4 of them.
      assert.ok(onOne >= 45 && onOne <= 75, `one: ${onOne}, two: ${onTwo}`);
    });

    it("x-switchyard-task-id is sticky: every request of one task hits one deployment", async () => {
      for (const task of ["task-alpha", "task-beta", "task-gamma", "task-delta"]) {
        const seen = new Set<string>();
        for (let i = 0; i < 8; i += 1) {
          const { response } = await gw.openai.chat.completions
            .create({ model: "sticky-m", messages: [{ role: "user", content: `step ${i}` }] }, { headers: { "x-switchyard-task-id": task } })
            .withResponse();
          seen.add(response.headers.get("x-switchyard-provider") ?? "?");
        }
        assert.equal(seen.size, 1, `${task} went to ${[...seen].join(", ")}`);
      }
      // Without a task id, x-switchyard-user is the key.
      const byUser = new Set<string>();
      for (let i = 0; i < 8; i += 1) {
        const { response } = await gw.openai.chat.completions
          .create({ model: "sticky-m", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-user": "user-7" } })
          .withResponse();
        byUser.add(response.headers.get("x-switchyard-provider") ?? "?");
      }
      assert.equal(byUser.size, 1);
      // Several task ids spread over both deployments (the pick is fixed by each id).
      const firsts = new Set<string>();
      for (let i = 0; i < 16; i += 1) {
        const { response } = await gw.openai.chat.completions
          .create({ model: "sticky-m", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-task-id": `spread-${i}` } })
          .withResponse();
        firsts.add(response.headers.get("x-switchyard-provider") ?? "?");
      }
      assert.deepEqual([...firsts].sort(), ["one", "two"]);
    });

    it("least_latency: each unmeasured deployment is tried, then the faster one is preferred", async () => {
      const before = { slow: countFor(one, "l-slow"), fast: countFor(two, "l-fast") };
      const answeredBy: string[] = [];
      for (let i = 0; i < 10; i += 1) {
        const { response } = await gw.openai.chat.completions.create({ model: "latency-m", messages: [{ role: "user", content: "hi" }] }).withResponse();
        answeredBy.push(response.headers.get("x-switchyard-provider") ?? "?");
      }
      assert.deepEqual(answeredBy.slice(0, 2).sort(), ["one", "two"], "both measured first");
      assert.deepEqual(answeredBy.slice(2), Array(8).fill("two"));
      assert.deepEqual([countFor(one, "l-slow") - before.slow, countFor(two, "l-fast") - before.fast], [1, 9]);
    });

    it("when one deployment fails, requests still succeed via the other", async () => {
      const before = { failed: countFor(one, "f-fail"), ok: countFor(two, "f-ok") };
      const ids: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        const { data, response } = await gw.openai.chat.completions.create({ model: "failover-m", messages: [{ role: "user", content: "hi" }] }).withResponse();
        assert.equal(data.choices[0]?.message.content, "hello from two");
        assert.equal(response.headers.get("x-switchyard-provider"), "two");
        ids.push(response.headers.get("x-switchyard-request-id") ?? "");
      }
      assert.equal(countFor(two, "f-ok") - before.ok, 20);
      const failed = countFor(one, "f-fail") - before.failed;
      assert.ok(failed >= 1 && failed <= 20, `failing deployment tried ${failed} times`);
      const receipts = await Promise.all(ids.map((id) => gw.receipt(id)));
      const fellBack = receipts.filter((r) => r.fallbacks === 1);
      assert.equal(fellBack.length, failed, "every request that tried the failing deployment fell back once");
      for (const r of fellBack) assert.deepEqual(r.attempts.map((a) => [a.upstreamModel, a.errorKind]), [["f-fail", "upstream_5xx"], ["f-ok", null]]);
    });
  });

  describe("route limits and prompt adapters", () => {
    it("on_max_output_tokens: reject → 400 naming the route's limit, nothing sent upstream", async () => {
      const before = one.calls;
      await assert.rejects(
        gw.openai.chat.completions.create({ model: "strict-cap", max_tokens: 500, messages: [{ role: "user", content: "hi" }] }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.BadRequestError, String(err));
          assert.equal(err.status, 400);
          assert.match(err.message, /max_tokens 500 is above route strict-cap's limit of 100 output tokens/);
          assert.equal(err.param, "max_tokens");
          assert.equal(err.code, "max_tokens_above_route_limit");
          return true;
        },
      );
      assert.equal(one.calls, before);
      const [receipt] = await gw.receipts(1);
      assert.equal(receipt?.status, "rejected");
      assert.equal(receipt?.httpStatus, 400);
    });

    it("reject: asking for the limit or less is fine", async () => {
      const { data } = await gw.openai.chat.completions.create({ model: "strict-cap", max_completion_tokens: 100, messages: [{ role: "user", content: "hi" }] }).withResponse();
      assert.equal(data.choices[0]?.message.content, "hello from one");
      assert.equal((one.requests.at(-1)?.body as { max_tokens?: number }).max_tokens, 100);
    });

    it("clamp (the default) → the upstream gets the limit, the client a warning header", async () => {
      const { response } = await gw.openai.chat.completions.create({ model: "soft-cap", max_tokens: 500, messages: [{ role: "user", content: "hi" }] }).withResponse();
      assert.equal((one.requests.at(-1)?.body as { max_tokens?: number }).max_tokens, 100);
      assert.equal(response.headers.get("x-switchyard-warning"), "max_tokens 500 clamped to route soft-cap's max_output_tokens 100");
      const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
      assert.deepEqual(receipt.warnings, ["max_tokens 500 clamped to route soft-cap's max_output_tokens 100"]);
    });

    it("a model's system_prompt (prepend) reaches the upstream before the client's system message", async () => {
      await gw.openai.chat.completions.create({
        model: "prepend-m",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "hi" },
        ],
      });
      const body = one.requests.at(-1)?.body as { model: string; messages: { role: string; content: unknown }[] };
      assert.equal(body.model, "adapted-prepend");
      assert.deepEqual(
        body.messages.map((m) => [m.role, m.content]),
        [
          ["system", "Answer in French."],
          ["system", "Be brief."],
          ["user", "hi"],
        ],
      );
    });

    it("a model's system_prompt (replace) stands in for the client's system messages", async () => {
      await gw.openai.chat.completions.create({
        model: "replace-m",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "hi" },
        ],
      });
      const body = one.requests.at(-1)?.body as { model: string; messages: { role: string; content: unknown }[] };
      assert.equal(body.model, "adapted-replace");
      assert.deepEqual(
        body.messages.map((m) => [m.role, m.content]),
        [
          ["system", "You are Switchyard's test model."],
          ["user", "hi"],
        ],
      );
    });
  });
});

describe("routing e2e: model auto (simulated providers)", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(SIMULATED_CONFIG);
  });
  after(async () => {
    await gw?.close();
  });

  it("headers give task type and complexity: source header, the rule that fired", async () => {
    const { response } = await gw.openai.chat.completions
      .create({ model: "auto", messages: [{ role: "user", content: "Write a haiku." }] }, { headers: { "x-switchyard-task-type": "code", "x-switchyard-complexity": "low" } })
      .withResponse();
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.status, "ok");
    assert.deepEqual(receipt.routing, { resolvedBy: "auto", rule: 1, source: "header" });
    assert.equal(receipt.taskType, "code");
    assert.equal(receipt.complexity, "low");
    assert.equal(receipt.route, "general");
    assert.equal(receipt.model, "sim-pro");
  });

  it("complexity high from the header picks the first rule", async () => {
    const { response } = await gw.openai.chat.completions
      .create({ model: "auto", messages: [{ role: "user", content: "hi" }] }, { headers: { "x-switchyard-task-type": "chat", "x-switchyard-complexity": "high" } })
      .withResponse();
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.deepEqual(receipt.routing, { resolvedBy: "auto", rule: 0, source: "header" });
    assert.equal(receipt.model, "sim-frontier");
  });

  it("without headers the classifier decides: source classifier, with scores and features", async () => {
    const { response } = await gw.openai.chat.completions
      .create({
        model: "auto",
        messages: [{ role: "user", content: "Fix the bug in this function:\n```ts\nfunction add(a: number, b: number) { return a - b; }\n```" }],
      })
      .withResponse();
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.status, "ok");
    const routing = receipt.routing;
    assert.equal(routing?.resolvedBy, "auto");
    assert.equal(routing?.source, "classifier");
    assert.equal(typeof routing?.rule, "number");
    assert.ok(routing?.scores && Object.keys(routing.scores).length > 0, JSON.stringify(routing));
    assert.ok(routing?.features && Object.keys(routing.features).length > 0, JSON.stringify(routing));
    assert.equal(typeof routing?.complexityScore, "number");
    assert.ok(receipt.taskType !== null && receipt.complexity !== null);
  });

  it("only one header: the classifier fills in the other, and the source says classifier", async () => {
    const { response } = await gw.openai.chat.completions
      .create({ model: "auto", messages: [{ role: "user", content: "hello there" }] }, { headers: { "x-switchyard-complexity": "high" } })
      .withResponse();
    const receipt = await gw.receipt(response.headers.get("x-switchyard-request-id") ?? "");
    assert.equal(receipt.routing?.source, "classifier");
    assert.equal(receipt.routing?.rule, 0);
    assert.equal(receipt.complexity, "high");
  });
});
