import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../config/load-config.ts";
import { CONTEXT_WINDOWS_DATE } from "./context-windows.ts";
import { buildPriceList } from "./price-list.ts";
import { PRICE_TABLE_DATE } from "./price-table.ts";

const CONFIG = `
providers:
  openai: { type: openai, api_key: sk-test }
  azure: { type: openai-compatible, base_url: https://acme.openai.azure.com/openai/v1, api_key: az-test }
  vllm: { type: openai-compatible, base_url: http://localhost:8000/v1 }
models:
  gpt-5.4: { provider: openai }
  gpt-4o:
    context_window: 64000
    deployments:
      - { provider: openai, upstream: gpt-4o-2024-08-06 }
      - { provider: azure, upstream: acme-gpt4o, price: { input: 2.75, output: 11, cached_input: 1.375 } }
  llama: { provider: vllm, upstream: meta-llama/Llama-3.3-70B-Instruct }
`;

test("every deployment's price and window, and where each came from", () => {
  const { config } = parseConfigText({ text: CONFIG, file: "test.yaml", env: {} });
  const [gpt54, gpt4oOpenai, gpt4oAzure, llama, ...rest] = buildPriceList(config);
  assert.equal(rest.length, 0);

  assert.deepEqual(gpt54, {
    model: "gpt-5.4",
    deployment: null,
    provider: "openai",
    providerType: "openai",
    upstream: "gpt-5.4",
    price: {
      usdPerMillion: { input: 2.5, cachedInput: 0.25, cacheWrite: 2.5, output: 15, reasoning: null },
      longContext: { input: 5, cachedInput: 0.5, cacheWrite: 5, output: 22.5, reasoning: null, aboveInputTokens: 272_000 },
      source: "bundled:gpt-5.4",
      tableDate: PRICE_TABLE_DATE,
    },
    contextWindow: { tokens: 1_050_000, source: "bundled:gpt-5.4", tableDate: CONTEXT_WINDOWS_DATE },
  });

  // A dated upstream id matches the table without its date; the model's configured window wins.
  assert.deepEqual(gpt4oOpenai?.deployment, { index: 1, of: 2 });
  assert.equal(gpt4oOpenai?.price?.source, "bundled:gpt-4o");
  assert.deepEqual(gpt4oOpenai?.contextWindow, { tokens: 64_000, source: "config", tableDate: null });

  // A deployment's own price wins, and is exact to the micro-dollar.
  assert.deepEqual(gpt4oAzure?.deployment, { index: 2, of: 2 });
  assert.equal(gpt4oAzure?.providerType, "openai-compatible");
  assert.deepEqual(gpt4oAzure?.price, {
    usdPerMillion: { input: 2.75, cachedInput: 1.375, cacheWrite: 2.75, output: 11, reasoning: null },
    longContext: null,
    source: "config",
    tableDate: null,
  });

  // Nothing known: no price, no window — never a made-up zero.
  assert.equal(llama?.price, null);
  assert.equal(llama?.contextWindow, null);
});
