import type { Config } from "../config/schema.ts";
import type { ChatRequest } from "../core/request.ts";
import { contextWindowOf } from "../cost/context-window-of.ts";
import { estimateRequest, type RequestEstimate } from "../cost/estimate-request.ts";
import type { ResolvedPrice } from "../cost/resolve-price.ts";
import type { ProviderType } from "../cost/estimate-token-profile.ts";
import type { Target } from "../router/plan.ts";
import { KeyTree } from "../core/key-tree.ts";
import { deploymentsOf } from "../config/deployments.ts";

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
  // What an estimate needs of a target, from the config, the price book and the window table:
  // every configured deployment's, and a bounded number of the `<provider>/<model>` ones clients name.
  const configured = Object.entries(config.models).reduce((n, [id, m]) => n + deploymentsOf(id, m).length, 0);
  const facts = new KeyTree<TargetFacts>(3, configured + 10_000);
  const factsOf = (target: Target): TargetFacts => {
    const keys = [target.modelId, target.provider, target.upstreamModel];
    let f = facts.get(keys);
    if (f === undefined) {
      const model = Object.hasOwn(config.models, target.modelId) ? config.models[target.modelId] : undefined;
      f = {
        providerType: (Object.hasOwn(config.providers, target.provider) ? config.providers[target.provider]?.type : undefined) ?? "openai-compatible",
        price: priceOf(target),
        contextWindow: contextWindowOf(target.modelId, target.upstreamModel, model?.context_window)?.tokens ?? null,
        maxOutputTokens: model?.max_output_tokens,
      };
      facts.set(keys, f);
    }
    return f;
  };
  const estimate: Estimator = (request, target, caps) => {
    const f = factsOf(target);
    return estimateRequest({
      request,
      upstreamModel: target.upstreamModel,
      providerType: f.providerType,
      price: f.price,
      contextWindow: f.contextWindow,
      maxOutputTokens: f.maxOutputTokens,
      caps,
      modelId: target.modelId,
    });
  };
  return { estimate, contextWindowOf: (target) => factsOf(target).contextWindow };
}

interface TargetFacts {
  providerType: ProviderType;
  price: ResolvedPrice | null;
  contextWindow: number | null;
  maxOutputTokens: number | null | undefined;
}
