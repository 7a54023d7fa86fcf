import { deploymentsOf } from "./config/deployments.ts";
import { preloadO200k } from "./cost/estimate-o200k.ts";
import { createAuthenticator, type Authenticator } from "./server/authenticate.ts";
import type { KeyStore } from "./state/key-store.ts";
import { keyStorePathFor, openSqliteKeyStore } from "./state/sqlite-key-store.ts";
import { createEstimator } from "./dispatch/create-estimator.ts";
import { MemoryBudgetStore } from "./state/memory-budget-store.ts";
import { MemoryRateLimiter } from "./state/rate-limiter.ts";
import { createDeploymentHealth } from "./state/deployment-health.ts";
import type { AddressInfo } from "node:net";
import type { Config, ProviderConfig } from "./config/schema.ts";
import { resolvePrice, type ResolvedPrice } from "./cost/resolve-price.ts";
import { startHealthProbe, type HealthProbe } from "./dispatch/health-probe.ts";
import { GatewayMetrics } from "./dispatch/metrics.ts";
import { KeyTree } from "./core/key-tree.ts";
import { createMemoryResponseStores } from "./dispatch/response-stores.ts";
import type { Runtime } from "./dispatch/runtime.ts";
import { ReceiptWriter } from "./ledger/receipt-writer.ts";
import { seedBudgets } from "./dispatch/seed-budgets.ts";
import { LEDGER_SLICE_SIZE, openWorkerReceiptStore } from "./ledger/worker-receipt-store.ts";
import { createAnthropicAdapter } from "./providers/anthropic/anthropic-adapter.ts";
import { createGeminiAdapter } from "./providers/gemini/gemini-adapter.ts";
import { createOpenAIAdapter } from "./providers/openai/openai-adapter.ts";
import type { ProviderAdapter } from "./providers/provider.ts";
import { createSimulatedAdapter } from "./providers/simulated/simulated-adapter.ts";
import type { Target } from "./router/plan.ts";
import { createGatewayServer, type GatewayServer } from "./server/gateway-server.ts";
import { GatewayError } from "./core/errors.ts";

/** The one place that wires concrete parts together. */

export interface StartOptions {
  config: Config;
  /** Path of the SQLite ledger file. */
  ledgerPath: string;
  port?: number;
  host?: string;
  /** The gateway keys; default: `keys.db` beside the ledger. */
  keyStore?: KeyStore;
}

export interface RunningGateway {
  url: string;
  address: AddressInfo;
  server: GatewayServer;
  writer: ReceiptWriter;
  runtime: Runtime;
  metrics: GatewayMetrics;
  /** Active health checks, when `resilience.health_probe` is set. */
  healthProbe: HealthProbe | null;
  /** Graceful stop: drain in-flight requests (bounded), flush receipts, close pools. */
  close(): Promise<void>;
  /** Gateway keys at the edge. */
  auth: Authenticator;
}

/** The adapter for one configured provider, or null where this version has none for its type. */
export function createAdapter(name: string, p: ProviderConfig): ProviderAdapter | null {
  switch (p.type) {
    case "openai":
    case "openai-compatible":
      return createOpenAIAdapter({
        name,
        type: p.type,
        ...(p.base_url !== undefined && { baseUrl: p.base_url }),
        ...(p.api_key !== undefined && { apiKey: p.api_key }),
        ...(p.headers !== undefined && { headers: p.headers }),
        ...(p.api_version !== undefined && { apiVersion: p.api_version }),
      });
    case "simulated":
      return createSimulatedAdapter({
        name,
        ...(p.seed !== undefined && { seed: p.seed }),
        ...(p.latency_scale !== undefined && { latencyScale: p.latency_scale }),
      });
    case "anthropic":
      return createAnthropicAdapter({
        name,
        ...(p.base_url !== undefined && { baseUrl: p.base_url }),
        ...(p.api_key !== undefined && { apiKey: p.api_key }),
        ...(p.headers !== undefined && { headers: p.headers }),
        ...(p.anthropic_version !== undefined && { anthropicVersion: p.anthropic_version }),
        ...(p.structured_output !== undefined && { structuredOutput: p.structured_output }),
      });
    case "gemini":
      return createGeminiAdapter({
        name,
        ...(p.base_url !== undefined && { baseUrl: p.base_url }),
        ...(p.api_key !== undefined && { apiKey: p.api_key }),
        ...(p.headers !== undefined && { headers: p.headers }),
      });
    default: {
      const never: never = p.type;
      throw new Error(`unknown provider type ${String(never)}`);
    }
  }
}

/** Builds one adapter per configured provider; a model on a provider without one is an error. */
export function createAdapters(config: Config): Map<string, ProviderAdapter> {
  const adapters = new Map<string, ProviderAdapter>();
  for (const [name, p] of Object.entries(config.providers)) {
    const adapter = createAdapter(name, p);
    if (adapter) {
      adapters.set(name, adapter);
    } else if (Object.entries(config.models).some(([id, m]) => deploymentsOf(id, m).some((d) => d.provider === name))) {
      throw new GatewayError(
        "bad_request",
        `providers.${name}: provider type '${p.type}' is not available in this version of Switchyard; remove the models that use it or point them at an openai / openai-compatible provider.`,
      );
    }
  }
  return adapters;
}

const MAX_REMEMBERED_PRICES = 10_000;

/** Resolves every configured model's price once, so no request looks one up. */
export function createPriceBook(config: Config): (target: Target) => ResolvedPrice | null {
  const configured = Object.entries(config.models).flatMap(([id, m]) => deploymentsOf(id, m).map((d) => ({ id, d })));
  // Every configured deployment, and `<provider>/<model>` targets resolved on first use, then
  // remembered — a bounded number of them, since clients choose these names.
  const prices = new KeyTree<ResolvedPrice | null>(3, configured.length + MAX_REMEMBERED_PRICES);
  for (const { id, d } of configured) {
    prices.set([id, d.provider, d.upstream], resolvePrice({ modelId: id, upstreamModel: d.upstream, ...(d.price !== undefined && { configured: d.price }) }));
  }
  return (target) => {
    const keys = [target.modelId, target.provider, target.upstreamModel];
    let price = prices.get(keys);
    if (price === undefined) {
      price = resolvePrice({ modelId: target.modelId, upstreamModel: target.upstreamModel });
      prices.set(keys, price);
    }
    return price;
  };
}

export async function startGateway(options: StartOptions): Promise<RunningGateway> {
  const { config } = options;
  const adapters = createAdapters(config);
  const store = await openWorkerReceiptStore(options.ledgerPath);
  const keyStore = options.keyStore ?? openSqliteKeyStore(keyStorePathFor(options.ledgerPath));
  const auth = await createAuthenticator({ store: keyStore, required: config.keys.required });
  // The ledger thread's transactions do not hold up this event loop: large slices, few messages.
  const writer = new ReceiptWriter({ store, sliceSize: LEDGER_SLICE_SIZE });
  const simulated = new Set(Object.entries(config.providers).filter(([, p]) => p.type === "simulated").map(([n]) => n));
  const health = createDeploymentHealth(config, () => performance.now());
  const metrics = new GatewayMetrics({ config, health });
  const priceOf = createPriceBook(config);
  const runtime: Runtime = {
    config,
    adapters,
    priceOf,
    receipts: metrics.wrapSink(writer),
    monotonicMs: () => performance.now(),
    wallClockMs: () => Date.now(),
    isSimulated: (provider) => simulated.has(provider),
    health,
    random: Math.random,
    responses: createMemoryResponseStores(config, () => Date.now()),
    ...createEstimator(config, priceOf),
    budgets: new MemoryBudgetStore(),
    rateLimiter: new MemoryRateLimiter(),
  };
  const server = createGatewayServer({
    runtime,
    receipts: { get: (id) => writer.get(id), list: async (q) => { await writer.flush(); return store.list(q); } },
    metrics,
    auth,
    feedback: writer,
    reports: { report: async (q) => { await writer.flush(); return store.report(q); } },
  });
  let address: AddressInfo;
  try {
    // Today's and this month's spend so far, from the ledger: a restart must not reset budgets.
    await seedBudgets({ budgets: config.budgets, store: runtime.budgets, ledger: store, keys: await keyStore.list(), nowMs: runtime.wallClockMs() });
    address = await server.listen(options.port ?? config.server.port, options.host ?? config.server.host);
  } catch (err) {
    // A taken port (or an unreadable ledger): nothing was served, but the ledger thread and pools must not keep the process alive.
    await writer.close();
    auth.close();
    await keyStore.close();
    await Promise.all([...adapters.values()].map((a) => a.close?.()));
    throw err;
  }
  // The tokenizer takes about a second of CPU to load: in the background, and only where caps
  // make exact counts likely (otherwise the first estimate near a context window starts it).
  // Until it is there, estimates near a limit use the length estimate.
  if (config.budgets !== undefined || Object.values(config.routes).some((r) => r.max_cost_usd !== undefined)) void preloadO200k();
  const probeConfig = config.resilience.health_probe;
  const healthProbe = probeConfig
    ? startHealthProbe({
        config,
        adapters,
        health,
        isSimulated: runtime.isSimulated,
        intervalMs: probeConfig.interval_s * 1000,
        timeoutMs: probeConfig.timeout_ms,
        onResult: (provider, result) => metrics.observeProbe(provider, result === "success" ? "ok" : result),
      })
    : null;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${address.port}`,
    address,
    server,
    writer,
    runtime,
    metrics,
    healthProbe,
    auth,
    close() {
      closing ??= (async () => {
        healthProbe?.stop();
        await server.shutdown(config.server.shutdown_grace_ms);
        await writer.close();
        auth.close();
        await keyStore.close();
        await Promise.all([...adapters.values()].map((a) => a.close?.()));
      })();
      return closing;
    },
  };
}
