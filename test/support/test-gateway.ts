import type { KeyStore } from "../../src/state/key-store.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import OpenAI from "openai";
import { parseConfigText } from "../../src/config/load-config.ts";
import type { Receipt } from "../../src/ledger/receipt.ts";
import { startGateway, type RunningGateway } from "../../src/main.ts";

export interface TestGateway {
  gateway: RunningGateway;
  url: string;
  /** An official OpenAI client pointed at the gateway (no retries, so tests see every error). */
  openai: OpenAI;
  /** The receipt of a request, once the writer has it. */
  receipt(requestId: string): Promise<Receipt>;
  /** The newest receipts, flushed to the ledger first. */
  receipts(limit?: number): Promise<Receipt[]>;
  close(): Promise<void>;
}

/**
 * Starts the real gateway (HTTP server on 127.0.0.1, port 0) from a YAML config text, with its
 * ledger in a fresh temp folder.
 */
export async function startTestGateway(yaml: string, env: Record<string, string> = {}, options: { keyStore?: KeyStore } = {}): Promise<TestGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), "switchyard-test-"));
  const { config } = parseConfigText({ text: yaml, file: "test.yaml", env });
  const gateway = await startGateway({ config, ledgerPath: path.join(dir, "ledger.db"), port: 0, host: "127.0.0.1", ...options });
  const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0, timeout: 20_000 });
  return {
    gateway,
    url: gateway.url,
    openai,
    async receipt(requestId) {
      const r = await gateway.writer.get(requestId);
      if (!r) throw new Error(`no receipt for ${requestId}`);
      return r;
    },
    async receipts(limit = 50) {
      await gateway.writer.flush();
      const res = await fetch(`${gateway.url}/v1/receipts?limit=${limit}`);
      const body = (await res.json()) as { data: Receipt[] };
      return body.data;
    },
    async close() {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` passes or the time is up (for receipts written after the response ends). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export const SIMULATED_CONFIG = `
providers:
  simulated: { type: simulated, seed: 7, latency_scale: 0 }
models:
  sim-mini:     { provider: simulated, price: { input: 0.15, output: 0.6, cached_input: 0.015 } }
  sim-pro:      { provider: simulated, price: { input: 1.25, output: 10, cached_input: 0.125 } }
  sim-frontier: { provider: simulated, price: { input: 5, output: 30, cached_input: 0.5 } }
aliases:
  default: sim-pro
lanes:
  cheap: [sim-mini, sim-pro]
routes:
  extraction: { lane: cheap, max_output_tokens: 512 }
  general: { model: default }
auto:
  rules:
    - { when: { complexity: high }, model: sim-frontier }
    - { when: { task_type: code }, route: general }
    - { lane: cheap }
`;
