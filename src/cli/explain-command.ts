import { readFileSync } from "node:fs";
import { GatewayError } from "../core/errors.ts";
import { explainRequest, type ExplainRuntime } from "../dispatch/explain-request.ts";
import { createPriceBook } from "../main.ts";
import { parseJsonBody } from "../server/read-body.ts";
import { createDeploymentHealth } from "../state/deployment-health.ts";
import { parseChatRequest } from "../wire/openai/parse-chat-request.ts";
import { formatExplanation } from "./format-explanation.ts";
import { loadCliConfig } from "./load-cli-config.ts";

export interface ExplainCommandOptions {
  config?: string;
  model?: string;
  file?: string;
  prompt?: string;
  taskType?: string;
  complexity?: "low" | "medium" | "high";
  json?: boolean;
}

/**
 * `switchyard explain`: what the gateway would do with a request — classification, rule, route,
 * chain — from the config alone: no server, no model call. Breakers show as a fresh gateway's.
 */
export async function runExplainCommand(opts: ExplainCommandOptions, stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<number> {
  const { config } = loadCliConfig(opts.config);
  try {
    const body = await requestBody(opts, stdin);
    const parsed = parseChatRequest(body);
    const runtime: ExplainRuntime = {
      config,
      health: createDeploymentHealth(config, () => performance.now()),
      priceOf: createPriceBook(config),
      random: Math.random,
      isSimulated: (provider) => config.providers[provider]?.type === "simulated",
      monotonicMs: () => performance.now(),
      wallClockMs: () => Date.now(),
    };
    const explanation = explainRequest(runtime, {
      requestedModel: parsed.requestedModel,
      request: parsed.request,
      taskType: opts.taskType ?? null,
      complexity: opts.complexity ?? null,
      warnings: parsed.warnings,
    });
    console.log(opts.json ? JSON.stringify(explanation, null, 2) : formatExplanation(explanation));
    return 0;
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    console.error(`switchyard explain: ${err.message}`);
    return 1;
  }
}

/** A Chat Completions body from --file, --prompt or stdin (a JSON body, or else the prompt's text). */
async function requestBody(opts: ExplainCommandOptions, stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<unknown> {
  if (opts.file !== undefined && opts.prompt !== undefined) throw new GatewayError("bad_request", "give either --file or --prompt, not both");
  let body: unknown;
  if (opts.file !== undefined) {
    body = parseJsonBody(readRequestFile(opts.file));
  } else if (opts.prompt !== undefined) {
    body = promptBody(opts.prompt);
  } else {
    if (stdin.isTTY === true) throw new GatewayError("bad_request", "give a request: --file body.json, --prompt \"text\", or pipe a body or prompt on stdin");
    const text = (await readAll(stdin)).toString("utf8");
    if (text.trim() === "") throw new GatewayError("bad_request", "stdin was empty: pipe a Chat Completions body or a prompt, or use --file / --prompt");
    body = text.trimStart().startsWith("{") ? parseJsonBody(Buffer.from(text)) : promptBody(text.trim());
  }
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (opts.model !== undefined) return { ...b, model: opts.model };
    if (b["model"] === undefined) return { ...b, model: "auto" };
  }
  return body;
}

function promptBody(text: string): unknown {
  return { messages: [{ role: "user", content: text }] };
}

function readRequestFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new GatewayError("bad_request", `cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(typeof part === "string" ? Buffer.from(part) : part);
  return Buffer.concat(parts);
}
