import type { Config } from "../config/schema.ts";
import type { ChatRequest } from "../core/request.ts";
import { contextWindowOf } from "../cost/context-window-of.ts";
import { estimateRequest, type RequestEstimate } from "../cost/estimate-request.ts";
import type { ResolvedPrice } from "../cost/resolve-price.ts";
import type { Target } from "../router/plan.ts";
import { KeyTree } from "../core/key-tree.ts";

export type Estimator = (request: ChatRequest, target: Target, caps?: { tokens?: number | undefined; costMicroUsd?: number | undefined }) => RequestEstimate;

export interface Estimation {
  estimate: Estimator;
  /** A target's context window in tokens (config, else the bundled table), or null when unknown. */
  contextWindowOf(target: Target): number | null;
}

/**
 * The runtime's pre-flight estimate of a request for one target: its provider's token profile,
 * the target's price and context window (config, else the bundled table), resolved once per
 * target and remembered.
 */
export function createEstimator(config: Config, priceOf: (t: Target) => ResolvedPrice | null): Estimation {
  const windows = new KeyTree<number | null>(2, 10_000);
  const windowOf = (target: Target): number | null => {
    const keys = [target.modelId, target.upstreamModel];
    let w = windows.get(keys);
    if (w === undefined) {
      const model = Object.hasOwn(config.models, target.modelId) ? config.models[target.modelId] : undefined;
      w = contextWindowOf(target.modelId, target.upstreamModel, model?.context_window)?.tokens ?? null;
      windows.set(keys, w);
    }
    return w;
  };
  const estimate: Estimator = (request, target, caps) => {
    const model = Object.hasOwn(config.models, target.modelId) ? config.models[target.modelId] : undefined;
    const providerType = config.providers[target.provider]?.type ?? "openai-compatible";
    return estimateRequest({
      request: request.model === target.upstreamModel ? request : { ...request, model: target.upstreamModel },
      providerType,
      price: priceOf(target),
      contextWindow: windowOf(target),
      maxOutputTokens: model?.max_output_tokens,
      caps,
      modelId: target.modelId,
    });
  };
  return { estimate, contextWindowOf: windowOf };
}
