import type { Config } from "../config/schema.ts";
import type { ResolvedPrice } from "../cost/resolve-price.ts";
import type { Receipt } from "../ledger/receipt.ts";
import type { ProviderAdapter } from "../providers/provider.ts";
import type { Target } from "../router/plan.ts";
import type { BudgetStore } from "../state/budget-store.ts";
import type { RateLimiter } from "../state/rate-limiter.ts";
import type { Estimator } from "./create-estimator.ts";
import type { Random } from "../router/random.ts";
import type { DeploymentHealth } from "../state/deployment-health.ts";
import type { ResponseStores } from "./response-stores.ts";

/** Where finished receipts go (the batched writer); must never block or throw. */
export interface ReceiptSink {
  write(receipt: Receipt): void;
}

/** Everything dispatch needs, wired once at start-up by main.ts. */
export interface Runtime {
  readonly config: Config;
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  /** Price of a target, resolved once per model (null when unknown). */
  priceOf(target: Target): ResolvedPrice | null;
  readonly receipts: ReceiptSink;
  /** Monotonic milliseconds, for durations. */
  monotonicMs(): number;
  /** Wall-clock Unix milliseconds, for timestamps. */
  wallClockMs(): number;
  /** Whether a provider is simulated (labelled as such wherever it appears). */
  isSimulated(provider: string): boolean;
  /** Breakers, recent latency and the retry budget of every deployment. */
  readonly health: DeploymentHealth;
  /** Jitter and weighted picks; seeded in tests. */
  readonly random: Random;
  /**
   * Finished responses: idempotent replays and the routes' response cache. Absent only in
   * harnesses that test dispatch alone: then idempotency keys and `cache` are not honoured.
   */
  readonly responses?: ResponseStores;
  /** A request's pre-flight estimate for one target. */
  readonly estimate: Estimator;
  /** A target's context window in tokens, or null when unknown. */
  contextWindowOf(target: Target): number | null;
  /** Budget counters: reserve before the call, settle after it. */
  readonly budgets: BudgetStore;
  readonly rateLimiter: RateLimiter;
}
