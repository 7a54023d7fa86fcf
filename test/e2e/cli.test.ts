import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { json, startFakeUpstream } from "../support/fake-upstream.ts";

const BIN = fileURLToPath(new URL("../../bin/switchyard.js", import.meta.url));

/** The environment of a fresh machine: no provider keys. */
function cleanEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_DATA: dataDir };
  for (const key of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY"]) delete env[key];
  return env;
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startCli(args: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [BIN, "start", "--port", "0", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 15_000);
    const check = (): void => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", check);
    child.on("exit", () => reject(new Error(`gateway exited:\n${out}`)));
  });
  return { child, url, output: () => out, exited };
}

describe("the switchyard command", () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "switchyard-cli-"));
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts on a fresh machine with simulated providers, answers, flushes receipts on SIGTERM and exits 0", async () => {
    const gw = await startCli([], cleanEnv(dataDir));
    assert.match(gw.output(), /simulated/i);
    assert.match(gw.output(), /sim-mini/);
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "none", maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: "sim-mini", messages: [{ role: "user", content: "hello" }] })
      .withResponse();
    assert.ok(data.choices[0]?.message.content);
    const requestId = response.headers.get("x-switchyard-request-id") ?? "";
    gw.child.kill("SIGTERM");
    assert.equal(await gw.exited, 0);

    const listed = spawnSync(process.execPath, [BIN, "receipts", "--last", "5", "--json"], { env: cleanEnv(dataDir), encoding: "utf8" });
    assert.equal(listed.status, 0, listed.stderr);
    const receipts = JSON.parse(listed.stdout) as { requestId: string; simulated: boolean }[];
    assert.equal(receipts[0]?.requestId, requestId);
    assert.equal(receipts[0]?.simulated, true);

    const table = spawnSync(process.execPath, [BIN, "receipts", "--last", "5"], { env: cleanEnv(dataDir), encoding: "utf8" });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, new RegExp(requestId.slice(0, 8)));
    assert.match(table.stdout, /sim-mini/);
  });

  it("lets a request in flight finish on SIGTERM before exiting", async () => {
    const configPath = path.join(dataDir, "slow.yaml");
    writeFileSync(
      configPath,
      `providers:\n  simulated: { type: simulated, latency_scale: 1 }\nmodels:\n  sim-frontier: { provider: simulated, price: { input: 5, output: 30 } }\n`,
    );
    const gw = await startCli(["--config", configPath], cleanEnv(dataDir));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "none", maxRetries: 0 });
    const pending = client.chat.completions.create({ model: "sim-frontier", messages: [{ role: "user", content: "Write a short plan." }] });
    await new Promise((r) => setTimeout(r, 150));
    gw.child.kill("SIGTERM");
    const answer = await pending;
    assert.ok(answer.choices[0]?.message.content);
    assert.equal(await gw.exited, 0);
  });

  it("check reports every config error at once, with file, line and path, and exits 1", () => {
    const configPath = path.join(dataDir, "bad.yaml");
    writeFileSync(
      configPath,
      [
        "providers:",
        "  openai: { type: openai, api_key: sk-x }",
        "models:",
        "  gpt-5.4: { provider: openai, prise: { input: 1 } }",
        "  gpt-5.4-mini: { provider: opena }",
        "lanes:",
        "  cheap: [gpt-5.4-mini, nonexistent-model]",
        "",
      ].join("\n"),
    );
    const result = spawnSync(process.execPath, [BIN, "check", "--config", configPath], { env: cleanEnv(dataDir), encoding: "utf8" });
    assert.equal(result.status, 1);
    const out = result.stdout + result.stderr;
    assert.match(out, /bad\.yaml:4/);
    assert.match(out, /prise/);
    assert.match(out, /bad\.yaml:5/);
    assert.match(out, /opena/);
    assert.match(out, /bad\.yaml:7/);
    assert.match(out, /nonexistent-model/);
  });

  it("start refuses a config whose provider key variable is unset, naming the variable", async () => {
    const configPath = path.join(dataDir, "keys.yaml");
    writeFileSync(configPath, 'providers:\n  openai: { type: openai, api_key: "${OPENAI_API_KEY}" }\nmodels:\n  gpt-5.4: { provider: openai }\n');
    const result = spawnSync(process.execPath, [BIN, "start", "--config", configPath, "--port", "0"], { env: cleanEnv(dataDir), encoding: "utf8", timeout: 15_000 });
    assert.equal(result.status, 1);
    assert.match(result.stdout + result.stderr, /OPENAI_API_KEY/);
  });

  it("check --online flags a model id the provider does not serve, with the closest ones it does", async () => {
    const up = await startFakeUpstream(
      json({ object: "list", data: ["gpt-4.1-nano", "gpt-4.1-mini", "gpt-5.4"].map((id) => ({ id, object: "model", owned_by: "openai" })) }),
    );
    try {
      const configPath = path.join(dataDir, "online.yaml");
      writeFileSync(
        configPath,
        [
          "providers:",
          `  openai: { type: openai, base_url: "${up.url}/v1", api_key: "\${OPENAI_API_KEY}" }`,
          "models:",
          "  nano: { provider: openai, upstream: gpt-4.1-nano }",
          "  typo: { provider: openai, upstream: gpt-4.1-nanoo }",
          "",
        ].join("\n"),
      );
      const env = { ...cleanEnv(dataDir), OPENAI_API_KEY: "sk-online" };
      const result = await new Promise<{ status: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, "check", "--config", configPath, "--online"], { env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (status) => resolve({ status, out }));
      });
      assert.equal(result.status, 1, result.out);
      assert.match(result.out, /gpt-4\.1-nanoo/);
      assert.match(result.out, /gpt-4\.1-nano\b/);
      assert.match(result.out, /online\.yaml:5/);
      assert.equal(up.requests[0]?.path, "/v1/models");
      assert.equal(up.requests[0]?.headers.authorization, "Bearer sk-online");
    } finally {
      await up.close();
    }
  });
});
