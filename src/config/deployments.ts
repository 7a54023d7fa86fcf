import type { BalanceStrategy, ModelConfig, PriceConfig } from "./schema.ts";

/** One place a configured model is served from. */
export interface Deployment {
  provider: string;
  /** The model id sent upstream. */
  upstream: string;
  /** Share of traffic under `balance: weighted`. */
  weight: number;
  /** The deployment's own price, else the model's (else the bundled table's). */
  price: PriceConfig | undefined;
}

/** A model's deployments in config order: its `deployments`, or the one its `provider` names. */
export function deploymentsOf(id: string, model: ModelConfig): Deployment[] {
  if (model.deployments) {
    return model.deployments.map((d) => ({ provider: d.provider, upstream: d.upstream ?? id, weight: d.weight ?? 1, price: d.price ?? model.price }));
  }
  return [{ provider: model.provider ?? "", upstream: model.upstream ?? id, weight: 1, price: model.price }];
}

/** How a request picks among a model's deployments; null when there is only one. */
export function balanceOf(model: ModelConfig): BalanceStrategy | null {
  return model.deployments !== undefined && model.deployments.length > 1 ? (model.balance ?? "weighted") : null;
}
