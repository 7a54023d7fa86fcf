import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseConfigText } from "./load-config.ts";

// The example config of DESIGN.md ("Config"), copied verbatim.
const DESIGN_EXAMPLE = `server: { port: 4141, host: 127.0.0.1 }
providers:
  # base_url is optional and written as the official SDKs take it: https://api.openai.com/v1,
  # https://api.anthropic.com, https://generativelanguage.googleapis.com
  openai:    { type: openai, api_key: "\${OPENAI_API_KEY}" }
  anthropic: { type: anthropic, api_key: "\${ANTHROPIC_API_KEY}" }
  gemini:    { type: gemini, api_key: "\${GEMINI_API_KEY}" }
  deepseek:  { type: openai-compatible, base_url: https://api.deepseek.com/v1, api_key: "\${DEEPSEEK_API_KEY}" }
models:                               # price: USD per 1M tokens; defaults come from the bundled price table
  gpt-5.5:         { provider: openai, price: { input: 5, output: 30, cached_input: 0.5 } }
  gpt-5.4:         { provider: openai }
  gpt-5.4-mini:    { provider: openai }
  claude-opus-4.7: { provider: anthropic, upstream: claude-opus-4-7 }
  deepseek-v4-pro: { provider: deepseek }
aliases:
  default:   "\${OPENAI_MODEL_DEFAULT:-gpt-5.4}"
  candidate: gpt-5.5
  rollback:  gpt-5.4
lanes:                                # an ordered list is a fallback chain
  cheap: [deepseek-v4-pro, gpt-5.4-mini]
  work:  [gpt-5.4, claude-sonnet-4.6]
  hard:  [gpt-5.5, claude-opus-4.7]
routes:
  agentic_coding: { lane: hard, max_output_tokens: 4096, timeout_ms: 120000, retries: 2 }
  general_qna:    { model: default }
  extraction:     { lane: cheap, validate: { json_schema: true }, escalate_to: work }
auto:                                 # what \`model: auto\` does
  rules:
    - { when: { task_type: code }, route: agentic_coding }
    - { when: { complexity: high }, lane: hard }
    - { when: { complexity: medium }, lane: work }
    - { lane: cheap }
budgets:
  daily_usd: 50
  per_request_tokens: 150000
  routes: { agentic_coding: { daily_tokens: 1200000 } }
  on_exceeded: downgrade              # or reject
  pace: { downgrade_when_ahead_by: 1.5, protect_priority: high }
rollouts:
  gpt55-coding:
    route: agentic_coding
    baseline: gpt-5.4
    candidate: gpt-5.5
    phases: [10, 30, 50, 100]         # percent of traffic on the candidate
    sticky_by: user
    rollback_when: { error_rate_above: 0.02, completion_drop_above: 0.05, min_requests: 200 }
resilience:
  retry: { attempts: 2, base_ms: 250, max_ms: 8000 }   # exponential, jittered, honours Retry-After
  timeout: { ttft_ms: 20000, total_ms: 120000 }
  breaker: { failure_rate: 0.5, min_requests: 10, window_s: 60, cooldown_s: 30 }
storage:
  ledger: sqlite:./.switchyard/ledger.db   # or postgres://…
  state: memory                             # or redis://…
`;

const KEYS = { OPENAI_API_KEY: "sk-o", ANTHROPIC_API_KEY: "sk-a", DEEPSEEK_API_KEY: "sk-d" };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfigText({ text: DESIGN_EXAMPLE, file: "switchyard.yaml", env });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail("expected a ConfigError");
}

test("DESIGN.md's example: the only error is the lane member that no model defines", () => {
  const err = errorOf(KEYS);
  assert.equal(err.issues.length, 1, err.format());
  const [issue] = err.issues;
  assert.equal(issue?.path, "lanes.work[1]");
  assert.equal(issue?.line, 21);
  assert.match(issue?.message ?? "", /`claude-sonnet-4\.6` is not a configured model .*did you mean `claude-opus-4\.7`/);
  // Accepted with warnings: gemini is unused and keyless; rollouts are not enforced yet.
  assert.deepEqual(
    err.warnings.map((w) => w.replace(/: .*/, "")),
    ["switchyard.yaml:7  providers.gemini.api_key", "switchyard.yaml:39  rollouts"],
  );
});

test("DESIGN.md's example, once the lane is fixed, loads (anthropic and gemini provider types accepted)", () => {
  const text = DESIGN_EXAMPLE.replace("claude-sonnet-4.6", "claude-opus-4.7");
  const { config } = parseConfigText({ text, file: "switchyard.yaml", env: KEYS });
  assert.equal(config.providers.anthropic?.type, "anthropic");
  assert.equal(config.providers.gemini?.type, "gemini");
  assert.equal(config.providers.gemini?.api_key, undefined);
  assert.equal(config.aliases.default, "gpt-5.4");
  assert.equal(config.models["claude-opus-4.7"]?.upstream, "claude-opus-4-7");
  assert.equal(config.auto?.rules.length, 4);
  assert.equal(config.resilience.timeout.idle_ms, 30_000);
  const withOverride = parseConfigText({ text, file: "switchyard.yaml", env: { ...KEYS, OPENAI_MODEL_DEFAULT: "gpt-5.5" } });
  assert.equal(withOverride.config.aliases.default, "gpt-5.5");
});

test("DESIGN.md's example with no keys set names every variable a provider in use needs", () => {
  const err = errorOf({});
  assert.deepEqual(
    err.issues.map((i) => `${i.line} ${i.path}: ${i.message}`).filter((m) => m.includes("environment variable")),
    [
      "5 providers.openai.api_key: environment variable OPENAI_API_KEY is not set",
      "6 providers.anthropic.api_key: environment variable ANTHROPIC_API_KEY is not set",
      "8 providers.deepseek.api_key: environment variable DEEPSEEK_API_KEY is not set",
    ],
  );
});
