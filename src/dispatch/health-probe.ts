import type { Config } from "../config/schema.ts";
import { deploymentsOf } from "../config/deployments.ts";
import { toGatewayError, type ErrorKind } from "../core/errors.ts";
import type { ProviderAdapter } from "../providers/provider.ts";
import { deploymentKey } from "../router/plan.ts";
import type { DeploymentHealth } from "../state/deployment-health.ts";

export type ProbeResult = "success" | ErrorKind;

export interface HealthProbeOptions {
  config: Config;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  health: Pick<DeploymentHealth, "record" | "snapshot">;
  isSimulated(provider: string): boolean;
  intervalMs: number;
  /** Bound on one provider's model-list call. */
  timeoutMs: number;
  /** Each provider's result, for metrics. */
  onResult?: (provider: string, result: ProbeResult) => void;
}

export interface HealthProbe {
  /** Probes every provider once now (the timer's work); resolves when all have answered. */
  runOnce(): Promise<Map<string, ProbeResult>>;
  /** Stops the timer and abandons a round under way; records nothing more. */
  stop(): void;
}

/**
 * Active health checks: every interval, each real provider whose adapter can list its models is
 * asked to (bounded by `timeoutMs`), and the outcome is recorded on every known deployment of
 * that provider as if a request had ended that way — so a provider that is down opens its
 * breakers before client traffic has to find out. The first round runs at once. The timer never
 * keeps the process alive, a round never overlaps the next, and nothing here throws.
 */
export function startHealthProbe(options: HealthProbeOptions): HealthProbe {
  const probe = createHealthProbe(options);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void probe.runOnce().finally(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  };
  schedule(0);
  return {
    runOnce: probe.runOnce,
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      probe.stop();
    },
  };
}

/** The probe without a timer: `runOnce` does one round. */
export function createHealthProbe(options: HealthProbeOptions): HealthProbe {
  const stopping = new AbortController();
  const targets = [...options.adapters].filter(([name, adapter]) => adapter.listModels !== undefined && !options.isSimulated(name));

  const probeOne = async (name: string, adapter: ProviderAdapter): Promise<ProbeResult | null> => {
    const call = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      call.abort();
    }, options.timeoutMs);
    timer.unref();
    const onStop = (): void => call.abort();
    stopping.signal.addEventListener("abort", onStop, { once: true });
    let result: ProbeResult;
    try {
      await adapter.listModels?.({ signal: call.signal });
      result = "success";
    } catch (err) {
      // Our own deadline shows up as a cancelled call: it is the provider's timeout.
      result = timedOut ? "timeout" : toGatewayError(err, name).kind;
    } finally {
      clearTimeout(timer);
      stopping.signal.removeEventListener("abort", onStop);
    }
    if (stopping.signal.aborted) return null;
    for (const key of deploymentKeys(options, name)) options.health.record(key, undefined, result);
    options.onResult?.(name, result);
    return result;
  };

  return {
    async runOnce() {
      const results = new Map<string, ProbeResult>();
      await Promise.all(
        targets.map(async ([name, adapter]) => {
          try {
            const result = await probeOne(name, adapter);
            if (result !== null) results.set(name, result);
          } catch (err) {
            console.error(`[switchyard] health probe of provider ${name} failed:`, err);
          }
        }),
      );
      return results;
    },
    stop: () => stopping.abort(),
  };
}

/** A provider's configured deployments, plus any `<provider>/<model>` ones traffic has reached. */
function deploymentKeys(options: HealthProbeOptions, provider: string): Set<string> {
  const keys = new Set<string>();
  for (const [id, model] of Object.entries(options.config.models)) {
    for (const d of deploymentsOf(id, model)) if (d.provider === provider) keys.add(deploymentKey({ modelId: id, provider, upstreamModel: d.upstream }));
  }
  const prefix = `${provider}/`;
  for (const d of options.health.snapshot().deployments) if (d.deployment.startsWith(prefix)) keys.add(d.deployment);
  return keys;
}
