import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { json, startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { eventually, startTestGateway, type TestGateway } from "../support/test-gateway.ts";

const serverError = json({ error: { message: "The server had an error", type: "server_error", param: null, code: null } }, { status: 500 });

/** The value of the first sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return null;
}

async function getJson<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

async function metricsText(gw: TestGateway): Promise<string> {
  const res = await fetch(`${gw.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return res.text();
}

const chat = (gw: TestGateway, model: string): Promise<Response> =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });

interface BreakersView {
  deployments: { deployment: string; breaker: { status: string; requests: number; failures: number; probeAt: string | null } | null; latency: { count: number } }[];
  transitions: { deployment: string; from: string; to: string; at: string; reason: string; window?: { requests: number; failures: number } }[];
  retryBudget: { requests: number; retries: number; allowance: number; remaining: number };
}

describe("a failing upstream opens its breaker: /admin/breakers and /metrics show it", () => {
  let up: FakeUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startFakeUpstream(serverError);
    gw = await startTestGateway(`
providers:
  flaky: { type: openai-compatible, base_url: "${up.url}/v1", api_key: test }
models:
  m: { provider: flaky, price: { input: 1, output: 2 } }
  spare: { provider: flaky, upstream: spare-up }
resilience:
  breaker: { min_requests: 3, failure_rate: 0.5, window_s: 60, cooldown_s: 60 }
  retry: { attempts: 0 }
`);
  });
  after(async () => {
    await gw?.close();
    await up?.close();
  });

  it("three failures open it, the fourth request is not sent, and both views say so", async () => {
    const before = Date.now();
    for (let i = 0; i < 3; i++) assert.equal((await chat(gw, "m")).status, 502);
    assert.equal(up.calls, 3);
    const skipped = await chat(gw, "m");
    assert.equal(skipped.status, 503);
    await skipped.text();
    assert.equal(up.calls, 3, "an open breaker is skipped without calling the upstream");

    const { status, body } = await getJson<BreakersView>(`${gw.url}/admin/breakers`);
    assert.equal(status, 200);
    const m = body.deployments.find((d) => d.deployment === "flaky/m");
    assert.equal(m?.breaker?.status, "open");
    const probeAt = Date.parse(m?.breaker?.probeAt ?? "");
    assert.ok(probeAt >= before + 59_000 && probeAt <= Date.now() + 61_000, `probeAt ${m?.breaker?.probeAt}`);
    // Configured but never called: listed, closed and empty.
    assert.deepEqual(body.deployments.find((d) => d.deployment === "flaky/spare-up")?.breaker, { status: "closed", requests: 0, failures: 0, probeAt: null });
    assert.equal(body.transitions.length, 1);
    const t = body.transitions[0];
    assert.deepEqual({ deployment: t?.deployment, from: t?.from, to: t?.to, reason: t?.reason, window: t?.window }, { deployment: "flaky/m", from: "closed", to: "open", reason: "failure_rate", window: { requests: 3, failures: 3 } });
    const at = Date.parse(t?.at ?? "");
    assert.ok(at >= before - 1000 && at <= Date.now() + 1000, `at ${t?.at}`);
    assert.ok(body.retryBudget.requests >= 4 && body.retryBudget.allowance > 0, JSON.stringify(body.retryBudget));

    const text = await eventually(async () => {
      const t = await metricsText(gw);
      assert.equal(sample(t, "switchyard_requests_total", { model: "m", status: "error" }), 3);
      return t;
    });
    assert.equal(sample(text, "switchyard_circuit_breaker_state", { deployment: "flaky/m" }), 2);
    assert.equal(sample(text, "switchyard_circuit_breaker_transitions_total", { deployment: "flaky/m", from: "closed", to: "open" }), 1);
    assert.equal(sample(text, "switchyard_upstream_attempts_total", { provider: "flaky", model: "m", error_kind: "upstream_5xx" }), 3);
    // The skipped request tried no model: its receipt has none, and says "error" (the gateway could not serve it).
    assert.equal(sample(text, "switchyard_requests_total", { model: "", provider: "", status: "error" }), 1);
    assert.equal(sample(text, "switchyard_request_duration_seconds_count", { model: "m", status: "error" }), 3);
    assert.ok((sample(text, "switchyard_retry_budget_requests") ?? 0) >= 4);
    assert.ok(sample(text, "switchyard_retry_budget_allowance") !== null);
    assert.ok(sample(text, "process_cpu_user_seconds_total") !== null, "default process metrics are in the registry");
  });

  it("/admin routes answer 405 with Allow for the wrong method", async () => {
    const res = await fetch(`${gw.url}/admin/breakers`, { method: "POST" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET");
    await res.text();
  });
});

describe("/admin with server.admin_key set", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway(`
server: { admin_key: "\${ADMIN_KEY}" }
providers: { sim: { type: simulated, latency_scale: 0 } }
models: { m: { provider: sim } }
`, { ADMIN_KEY: "open-sesame" });
  });
  after(async () => {
    await gw?.close();
  });

  it("refuses a missing or wrong key with an OpenAI-shaped 401, even from loopback and on unknown admin paths", async () => {
    for (const [path, auth] of [["/admin/breakers", undefined], ["/admin/breakers", "Bearer nope"], ["//admin/breakers", undefined], ["/admin/nothing-here", undefined]] as const) {
      const { status, body, headers } = await getJson<{ error: { message: string; type: string; code: string } }>(`${gw.url}${path}`, auth ? { headers: { authorization: auth } } : {});
      assert.equal(status, 401, `${path} ${String(auth)}`);
      assert.equal(body.error.code, "invalid_admin_key");
      assert.match(body.error.message, /admin/);
      assert.match(headers.get("www-authenticate") ?? "", /^Bearer/);
    }
  });

  it("lets the right key through; /metrics needs none", async () => {
    const ok = await getJson<BreakersView>(`${gw.url}/admin/breakers`, { headers: { authorization: "Bearer open-sesame" } });
    assert.equal(ok.status, 200);
    assert.ok(ok.body.deployments.some((d) => d.deployment === "sim/m"));
    assert.match(await metricsText(gw), /switchyard_requests_total/);
  });
});

describe("POST /admin/explain: the routing decision, with no upstream call", () => {
  let up: FakeUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startFakeUpstream(serverError);
    gw = await startTestGateway(`
providers:
  up: { type: openai-compatible, base_url: "${up.url}/v1", api_key: test }
models:
  small: { provider: up }
  big: { provider: up }
lanes:
  cheap: [small, big]
  hard: [big, small]
routes:
  coding: { lane: hard, max_latency_ms: 5000 }
auto:
  rules:
    - { when: { task_type: code }, route: coding }
    - { when: { complexity: high }, lane: hard }
    - { lane: cheap }
`);
  });
  after(async () => {
    await gw?.close();
    await up?.close();
  });

  const explain = (body: unknown, headers: Record<string, string> = {}) =>
    getJson<{
      requestedModel: string;
      taskType: string;
      complexity: string;
      signals: { taskType: string; complexity: string } | null;
      classification: { taskType: string; scores: Record<string, number>; complexityScore: number; topFeatures: { name: string }[]; reasons: string[] } | null;
      rule: { index: number; rule: unknown } | null;
      route: string | null;
      lane: string | null;
      chain: { position: number; model: string; deployment: string; breaker: { status: string } | null; available: boolean; demoted: string | null }[];
      error?: { message: string };
    }>(`${gw.url}/admin/explain`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  it("classifies, names the rule and the route, and lists the chain in order", async () => {
    const prompt = "Fix this failing TypeScript function:\n```ts\nexport function add(a: number, b: number) { return a - b; }\n```\nThe unit test expects add(2, 2) === 4.";
    const { status, body } = await explain({ model: "auto", messages: [{ role: "user", content: prompt }] });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.taskType, "code");
    assert.deepEqual(body.signals, { taskType: "classifier", complexity: "classifier" });
    assert.equal(body.classification?.taskType, "code");
    assert.ok((body.classification?.scores["code"] ?? 0) > (body.classification?.scores["chat"] ?? 0));
    assert.ok((body.classification?.topFeatures.length ?? 0) > 0);
    assert.ok((body.classification?.reasons.length ?? 0) > 0);
    assert.deepEqual(body.rule, { index: 0, rule: { when: { task_type: "code" }, route: "coding" } });
    assert.equal(body.route, "coding");
    assert.equal(body.lane, "hard");
    assert.deepEqual(
      body.chain.map((s) => [s.position, s.model, s.deployment, s.breaker?.status, s.available, s.demoted]),
      [
        [1, "big", "up/big", "closed", true, null],
        [2, "small", "up/small", "closed", true, null],
      ],
    );
    assert.equal(up.calls, 0, "explain calls no upstream");
  });

  it("takes the signal headers as a real request does", async () => {
    const { status, body } = await explain({ model: "auto", messages: [{ role: "user", content: "hello" }] }, { "x-switchyard-task-type": "chat", "x-switchyard-complexity": "high" });
    assert.equal(status, 200);
    assert.deepEqual(body.signals, { taskType: "header", complexity: "header" });
    assert.equal(body.classification, null);
    assert.equal(body.rule?.index, 1);
    assert.equal(body.lane, "hard");
    assert.equal(up.calls, 0);
  });

  it("a bad body or an unknown model gets the same error as /v1/chat/completions", async () => {
    for (const bad of ["{not json", { model: "auto", messages: "hi" }, { model: "nope", messages: [{ role: "user", content: "x" }] }]) {
      const viaExplain = await explain(bad);
      const viaChat = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof bad === "string" ? bad : JSON.stringify(bad) });
      const chatBody = (await viaChat.json()) as { error: { message: string } };
      assert.equal(viaExplain.status, viaChat.status, JSON.stringify(bad));
      assert.ok(viaExplain.status === 400 || viaExplain.status === 404);
      assert.equal(viaExplain.body.error?.message, chatBody.error.message);
    }
    const badHeader = await explain({ model: "auto", messages: [{ role: "user", content: "x" }] }, { "x-switchyard-complexity": "extreme" });
    assert.equal(badHeader.status, 400);
    assert.equal(up.calls, 0);
  });
});

describe("active health probes", () => {
  let up: FakeUpstream;
  let gw: TestGateway;
  before(async () => {
    up = await startFakeUpstream((req) => (req.path.endsWith("/models") ? serverError : json({ error: { message: "unexpected" } }, { status: 400 })));
    gw = await startTestGateway(`
providers:
  down: { type: openai-compatible, base_url: "${up.url}/v1", api_key: test }
models:
  a: { provider: down }
  b: { provider: down, upstream: b-up }
resilience:
  breaker: { min_requests: 2, failure_rate: 0.5, window_s: 60, cooldown_s: 60 }
  health_probe: { interval_s: 1, timeout_ms: 500 }
`);
  });
  after(async () => {
    await gw?.close();
    await up?.close();
  });

  it("a provider whose model list fails records failures on its deployments until their breakers open", async () => {
    const body = await eventually(async () => {
      const { body } = await getJson<BreakersView>(`${gw.url}/admin/breakers`);
      for (const key of ["down/a", "down/b-up"]) assert.equal(body.deployments.find((d) => d.deployment === key)?.breaker?.status, "open", key);
      return body;
    }, 6_000);
    assert.ok(body.transitions.every((t) => t.reason === "failure_rate" && t.window?.failures === 2));
    assert.ok(up.requests.length >= 2 && up.requests.every((r) => r.method === "GET" && r.path === "/v1/models"), "only model lists were asked for");
    const text = await metricsText(gw);
    assert.ok((sample(text, "switchyard_health_probes_total", { provider: "down", result: "upstream_5xx" }) ?? 0) >= 2);
    assert.equal(sample(text, "switchyard_circuit_breaker_state", { deployment: "down/a" }), 2);
  });
});
