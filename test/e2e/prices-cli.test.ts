import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/switchyard.js", import.meta.url));

/** The environment of a fresh machine: no provider keys. */
function cleanEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_DATA: dataDir };
  for (const key of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY"]) delete env[key];
  return env;
}

describe("switchyard prices", () => {
  let dataDir: string;
  let configPath: string;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "switchyard-prices-"));
    configPath = path.join(dataDir, "switchyard.yaml");
    writeFileSync(
      configPath,
      [
        "providers:",
        "  openai: { type: openai, api_key: sk-test }",
        "  azure: { type: openai-compatible, base_url: https://acme.openai.azure.com/openai/v1, api_key: az-test }",
        "  anthropic: { type: anthropic, api_key: sk-ant-test }",
        "  vllm: { type: openai-compatible, base_url: http://localhost:8000/v1 }",
        "models:",
        "  gpt-5.5: { provider: openai }",
        "  gpt-4o:",
        "    deployments:",
        "      - { provider: openai }",
        "      - { provider: azure, upstream: acme-gpt4o, price: { input: 2.75, output: 11 } }",
        "  claude-opus-4.7: { provider: anthropic, upstream: claude-opus-4-7 }",
        "  llama: { provider: vllm, upstream: meta-llama/Llama-3.3-70B-Instruct, context_window: 131072 }",
        "",
      ].join("\n"),
    );
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, [BIN, "prices", ...args], { env: cleanEnv(dataDir), encoding: "utf8", timeout: 15_000 });

  it("lists the price and window in force for every model and deployment, with their sources", () => {
    const { status, stdout, stderr } = run(["--config", configPath]);
    assert.equal(status, 0, stderr);
    const line = (start: string): string => stdout.split("\n").find((l) => l.startsWith(start)) ?? assert.fail(`no line for ${start}:\n${stdout}`);
    assert.match(line("gpt-5.5 "), /openai\/gpt-5\.5\s+5\.00\s+0\.50\s+5\.00\s+30\.00\s+as output\s+bundled:gpt-5\.5 \(2026-08-21\)\s+1,050,000\s+bundled:gpt-5\.5/);
    assert.match(stdout, /above 272,000 input tokens, the whole request: input 10\.00, cached 1\.00, cache write 10\.00, output 45\.00/);
    assert.match(line("gpt-4o [1/2]"), /openai\/gpt-4o\s+2\.50\s+1\.25\s+2\.50\s+10\.00\s+as output\s+bundled:gpt-4o/);
    assert.match(line("gpt-4o [2/2]"), /azure\/acme-gpt4o\s+2\.75\s+2\.75\s+2\.75\s+11\.00\s+as output\s+config\s+128,000/);
    assert.match(line("claude-opus-4.7"), /5\.00\s+0\.50\s+6\.25\s+25\.00\s+as output\s+bundled:claude-opus-4-7 \(2026-08-21\)\s+1,000,000/);
    assert.match(line("llama"), /unknown — receipts will say cost unknown\s+131,072\s+config/);
  });

  it("--json prints the same list as data", () => {
    const { status, stdout, stderr } = run(["--config", configPath, "--json"]);
    assert.equal(status, 0, stderr);
    const list = JSON.parse(stdout) as { model: string; deployment: unknown; price: { usdPerMillion: { input: number }; source: string } | null; contextWindow: { tokens: number } | null }[];
    assert.deepEqual(
      list.map((e) => [e.model, e.price?.usdPerMillion.input ?? null, e.price?.source ?? null, e.contextWindow?.tokens ?? null]),
      [
        ["gpt-5.5", 5, "bundled:gpt-5.5", 1_050_000],
        ["gpt-4o", 2.5, "bundled:gpt-4o", 128_000],
        ["gpt-4o", 2.75, "config", 128_000],
        ["claude-opus-4.7", 5, "bundled:claude-opus-4-7", 1_000_000],
        ["llama", null, null, 131_072],
      ],
    );
  });

  it("without --config, lists the models start would serve (simulated on a fresh machine)", () => {
    const { status, stdout, stderr } = run([]);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /^sim-mini\s+simulated\/sim-mini\s+0\.15\s+0\.015\s+0\.15\s+0\.60\s+as output\s+config\s+128,000\s+config$/m);
  });
});
