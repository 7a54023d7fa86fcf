import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { json, startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";

const BIN = fileURLToPath(new URL("../../bin/switchyard.js", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process, so the fake upstream could still answer (and count) a call. */
function run(args: string[], stdin = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY"]) delete env[key];
    const child = spawn(process.execPath, [BIN, "explain", ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

interface Explained {
  taskType: string;
  complexity: string;
  signals: { taskType: string; complexity: string };
  classification: { taskType: string; reasons: string[] } | null;
  rule: { index: number; rule: unknown };
  route: string | null;
  lane: string | null;
  chain: { model: string; deployment: string; breaker: { status: string } }[];
}

describe("switchyard explain", () => {
  let dir: string;
  let configPath: string;
  let up: FakeUpstream;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "switchyard-explain-"));
    up = await startFakeUpstream(json({ error: { message: "no calls expected" } }, { status: 500 }));
    configPath = path.join(dir, "switchyard.yaml");
    writeFileSync(
      configPath,
      `
providers:
  up: { type: openai-compatible, base_url: "${up.url}/v1", api_key: test }
models:
  small: { provider: up }
  big: { provider: up }
lanes:
  cheap: [small, big]
  hard: [big, small]
routes:
  coding: { lane: hard }
auto:
  rules:
    - { when: { task_type: code }, route: coding }
    - { when: { complexity: high }, lane: hard }
    - { lane: cheap }
`,
    );
  });
  after(async () => {
    await up?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const CODE_PROMPT = "Fix this failing TypeScript function:\n```ts\nexport function add(a: number, b: number) { return a - b; }\n```\nThe unit test expects add(2, 2) === 4.";

  it("--prompt --json: the same explanation as /admin/explain, without calling a model", async () => {
    const r = await run(["--config", configPath, "--prompt", CODE_PROMPT, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as Explained;
    assert.equal(e.taskType, "code");
    assert.equal(e.classification?.taskType, "code");
    assert.deepEqual(e.rule, { index: 0, rule: { when: { task_type: "code" }, route: "coding" } });
    assert.equal(e.route, "coding");
    assert.deepEqual(e.chain.map((s) => [s.model, s.deployment, s.breaker.status]), [["big", "up/big", "closed"], ["small", "up/small", "closed"]]);
    assert.equal(up.calls, 0);
  });

  it("human output: task type and complexity with scores, features, the rule, route and chain", async () => {
    const r = await run(["--config", configPath, "--prompt", CODE_PROMPT]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^task type\s+code \(classifier, score [\d.]+; runner-up \w+ -?[\d.]+\)$/m);
    assert.match(r.stdout, /^complexity\s+\w+ \(classifier, score -?[\d.]+\)$/m);
    assert.match(r.stdout, /^features\s+.*codeFences/m);
    assert.match(r.stdout, /^rule\s+auto\.rules\[0\]: \{ when: \{ task_type: code \}, route: coding \}$/m);
    assert.match(r.stdout, /^goes to\s+route coding, lane hard$/m);
    assert.match(r.stdout, /^chain\s+1\. big \(up\/big\)\s+breaker closed$/m);
    assert.match(r.stdout, /^\s+2\. small \(up\/small\)\s+breaker closed$/m);
    assert.equal(up.calls, 0);
  });

  it("reads a JSON body from --file or stdin, or a prompt from stdin; flags act as the signal headers", async () => {
    const bodyPath = path.join(dir, "body.json");
    writeFileSync(bodyPath, JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hello there" }] }));
    const fromFile = await run(["--config", configPath, "--file", bodyPath, "--complexity", "high", "--task-type", "chat", "--json"]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const e = JSON.parse(fromFile.stdout) as Explained;
    assert.deepEqual(e.signals, { taskType: "header", complexity: "header" });
    assert.equal(e.rule.index, 1);
    assert.equal(e.lane, "hard");

    const piped = await run(["--config", configPath, "--json"], JSON.stringify({ messages: [{ role: "user", content: "hello there" }] }));
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal((JSON.parse(piped.stdout) as Explained).lane, "cheap");

    const prompt = await run(["--config", configPath, "--json"], CODE_PROMPT);
    assert.equal(prompt.code, 0, prompt.stderr);
    assert.equal((JSON.parse(prompt.stdout) as Explained).route, "coding");

    const named = await run(["--config", configPath, "--model", "cheap-is-a-lane-not-a-model", "--prompt", "hi"]);
    assert.equal(named.code, 1);
    assert.match(named.stderr, /does not exist on this gateway/);
    assert.equal(up.calls, 0);
  });

  it("a bad body or a bad flag exits 1 with the gateway's message", async () => {
    const bad = await run(["--config", configPath], JSON.stringify({ messages: "hi" }));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /messages/);
    const notJson = await run(["--config", configPath], "{ not json");
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /not valid JSON/);
    const badFlag = await run(["--config", configPath, "--prompt", "x", "--complexity", "extreme"]);
    assert.notEqual(badFlag.code, 0);
    assert.match(badFlag.stderr, /low, medium, high/);
  });
});
