import type { BalanceStrategy } from "../config/schema.ts";
import type { Classification } from "./classify/types.ts";
import { KeyTree } from "../core/key-tree.ts";

/** One model a request may be sent to. */
export interface Target {
  /** Configured model id (`models.<id>`), or `<provider>/<upstream>` for direct calls. */
  modelId: string;
  /** Configured provider name. */
  provider: string;
  /** The model id sent upstream. */
  upstreamModel: string;
  /**
   * Set on the deployments of a model that has several: how dispatch orders them (the others
   * stay in the chain as fallbacks) and this one's weight.
   */
  balance?: { strategy: BalanceStrategy; weight: number };
}

/** A deployment's identity for breakers and latency windows: `<provider>/<upstream model>`. */
export function deploymentKey(target: Target): string {
  const parts = [target.provider, target.upstreamModel];
  let key = deploymentKeys.get(parts);
  if (key === undefined) {
    key = `${target.provider}/${target.upstreamModel}`;
    deploymentKeys.set(parts, key);
  }
  return key;
}

/**
 * The keys made so far, so that a request looks its deployment up with the same string each time
 * (its hash computed once) instead of joining and hashing a new one. Bounded: clients choose
 * `<provider>/<model>` names.
 */
const deploymentKeys = new KeyTree<string>(2, 10_000);

/** What the router decided for a request: where it may go, in order, and why. */
export interface Plan {
  route: string | null;
  lane: string | null;
  alias: string | null;
  /** The fallback chain, first choice first. Never empty. */
  targets: Target[];
  /** How the model field was read, for receipts and `explain`. */
  resolvedBy: "auto" | "route" | "alias" | "model" | "provider_model";
  /** For `auto`: the rule that fired (its index in `auto.rules`) and the signals it saw. */
  auto?: AutoDecision;
}

/** How `model: auto` decided: the signals it saw, where they came from, and the rule that fired. */
export interface AutoDecision {
  rule: number;
  taskType: string | null;
  complexity: string | null;
  /** `header`: both signals came from the client; `classifier`: at least one was classified. */
  source?: "header" | "classifier";
  /** The classifier's scores and the features behind them, when it ran. */
  classification?: Classification;
}
