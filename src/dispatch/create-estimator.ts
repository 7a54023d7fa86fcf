import type { Config } from "../config/schema.ts";
import type { ChatRequest } from "../core/request.ts";
import { computeCostMicroUsd } from "../cost/compute-cost.ts";
import type { ResolvedPrice } from "../cost/resolve-price.ts";
import type { Target } from "../router/plan.ts";
import type { RequestEstimate } from "./admit-request.ts";

/** Default output cap of an estimate when neither the request nor the model names one. */
const DEFAULT_OUTPUT_TOKENS = 4096;

/** The runtime's pre-flight estimate: prompt tokens from its length, the output cap, their cost. */
export function createEstimator(config: Config, priceOf: (t: Target) => ResolvedPrice | null): (request: ChatRequest, target: Target) => RequestEstimate {
  return (request, target) => {
    const model = Object.hasOwn(config.models, target.modelId) ? config.models[target.modelId] : undefined;
    let chars = 0;
    for (const m of request.messages) chars += typeof m.content === "string" ? m.content.length : JSON.stringify(m.content ?? "").length;
    const inputTokens = Math.ceil(chars / 4) + 4 * request.messages.length;
    const outputTokens = request.maxOutputTokens ?? model?.max_output_tokens ?? DEFAULT_OUTPUT_TOKENS;
    const usage = { inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    return { inputTokens, outputTokens, costMicroUsd: computeCostMicroUsd(usage, priceOf(target)), contextWindow: model?.context_window ?? null };
  };
}
