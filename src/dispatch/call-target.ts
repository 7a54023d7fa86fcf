import { GatewayError, toGatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import type { ProviderAdapter } from "../providers/provider.ts";
import type { Target } from "../router/plan.ts";
import type { Runtime } from "./runtime.ts";

/** The adapter for a target, or an error saying the provider is not available. */
export function adapterFor(runtime: Runtime, target: Target): ProviderAdapter {
  const adapter = runtime.adapters.get(target.provider);
  if (!adapter) {
    throw new GatewayError("internal", `provider '${target.provider}' is configured but has no adapter in this version`, {
      provider: target.provider,
    });
  }
  return adapter;
}

/** The core request as a target receives it: its upstream model id. */
export function requestFor(request: ChatRequest, target: Target): ChatRequest {
  return request.model === target.upstreamModel ? request : { ...request, model: target.upstreamModel };
}

/** Normalises whatever an attempt threw, naming the provider. */
export function attemptError(err: unknown, target: Target, clientSignal: AbortSignal): GatewayError {
  if (clientSignal.aborted) return new GatewayError("client_closed", "the client closed the connection", { provider: target.provider });
  const error = toGatewayError(err, target.provider);
  return error;
}
