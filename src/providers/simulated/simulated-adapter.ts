import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import type { StreamBatch, StreamChunk } from "../../core/stream-event.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { answerToChunks } from "./answer-to-chunks.ts";
import type { PacedChunk } from "./answer-to-chunks.ts";
import { findSimulatedModel, listSimulatedModelIds } from "./catalogue.ts";
import { paceTokens } from "./estimate-tokens.ts";
import { planAnswer } from "./plan-answer.ts";
import type { SimulatedAnswer } from "./plan-answer.ts";
import { createPromptCache } from "./prompt-cache.ts";
import { readSimMetadata, simulatedError } from "./read-sim-metadata.ts";
import { abortError, sleep } from "./sleep.ts";

export interface SimulatedAdapterOptions {
  /** The configured provider name. */
  name: string;
  /** Seed of the deterministic answers; the same seed and request give the same answer. */
  seed?: number;
  /** Multiplies every simulated delay; 0 answers at once without a single timer. */
  latencyScale?: number;
}

/** Simulated upstream errors arrive after this share of the model's time to first token. */
const ERROR_DELAY_SHARE = 0.25;

/**
 * A provider with no network behind it: deterministic answers, realistic latency, token usage
 * and failure rates per task, so routing, fallback, budgets and receipts can be seen working
 * (and cost per completed task measured) without an API key.
 */
export function createSimulatedAdapter(options: SimulatedAdapterOptions): ProviderAdapter {
  const { name } = options;
  const seed = options.seed ?? 0;
  const scale = options.latencyScale ?? 1;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`simulated provider ${name}: seed must be an integer`);
  if (!Number.isFinite(scale) || scale < 0) {
    throw new RangeError(`simulated provider ${name}: latencyScale must be a finite number ≥ 0`);
  }
  const promptCache = createPromptCache();

  async function prepare(request: ChatRequest, call: CallOptions): Promise<SimulatedAnswer> {
    if (call.signal.aborted) throw abortError(call.signal, name);
    const sim = readSimMetadata(request.metadata, name);
    const model = findSimulatedModel(request.model);
    if (model === undefined) {
      const served = listSimulatedModelIds().join(", ");
      throw new GatewayError("model_not_found", `simulated provider ${name} has no model "${request.model}"; it serves ${served}`, {
        provider: name,
        code: "model_not_found",
        param: "model",
        upstreamStatus: 404,
      });
    }
    if (request.reasoningEffort !== undefined && model.reasoning === null) {
      call.warn?.(`reasoning_effort is ignored: ${model.id} does not reason`);
    }
    if (sim.error !== undefined) {
      await sleep(model.ttftMs * ERROR_DELAY_SHARE * scale, call.signal, name);
      throw simulatedError(sim.error, name);
    }
    const answer = planAnswer({ request, model, seed, sim, provider: name });
    const cachedInputTokens = Math.min(promptCache.cachedTokens(model.id, request), answer.usage.inputTokens);
    return { ...answer, usage: { ...answer.usage, cachedInputTokens } };
  }

  /** Waits as the upstream would, failing as a timeout when that is longer than the call allows. */
  async function wait(ms: number, call: CallOptions): Promise<void> {
    const limit = call.timeoutMs > 0 ? call.timeoutMs : Number.POSITIVE_INFINITY;
    if (ms <= limit) return sleep(ms, call.signal, name);
    await sleep(limit, call.signal, name);
    throw new GatewayError("timeout", `simulated provider ${name} did not answer within ${limit} ms`, { provider: name });
  }

  /** Yields the chunks as their tokens fall due, together when several are due at once. */
  async function* paced(chunks: PacedChunk[], tokensPerSecond: number, signal: AbortSignal): AsyncGenerator<StreamBatch> {
    const start = performance.now();
    let due = 0;
    let batch: StreamChunk[] = [];
    for (const chunk of chunks) {
      if (scale > 0 && chunk.tokens > 0) {
        due += ((chunk.tokens / tokensPerSecond) * 1000) * scale;
        const wait = start + due - performance.now();
        if (wait > 0) {
          if (batch.length > 0) yield batch;
          batch = [];
          await sleep(wait, signal, name);
        }
      }
      if (signal.aborted) throw abortError(signal, name);
      batch.push({ events: chunk.events });
    }
    if (batch.length > 0) yield batch;
  }

  return {
    name,
    type: "simulated",

    async chat(request, call) {
      const answer = await prepare(request, call);
      const output = [answer.content ?? "", answer.reasoning ?? "", ...answer.toolCalls.map((c) => c.name + c.arguments)];
      const outputMs = (paceTokens(output.join("")) / answer.tokensPerSecond) * 1000;
      await wait((answer.ttftMs + outputMs) * scale, call);
      const result: ChatResult = {
        id: answer.id,
        model: answer.model,
        created: Math.floor(Date.now() / 1000),
        content: answer.content,
        ...(answer.reasoning !== undefined ? { reasoning: answer.reasoning } : {}),
        refusal: null,
        toolCalls: answer.toolCalls,
        finishReason: answer.finishReason,
        usage: answer.usage,
      };
      return result;
    },

    async chatStream(request, call) {
      const answer = await prepare(request, call);
      await wait(answer.ttftMs * scale, call);
      const chunks = answerToChunks(answer, Math.floor(Date.now() / 1000));
      return paced(chunks, answer.tokensPerSecond, call.signal);
    },

    async listModels() {
      return listSimulatedModelIds();
    },
  };
}
