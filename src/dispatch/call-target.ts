import { GatewayError, toGatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import type { ProviderAdapter } from "../providers/provider.ts";
import type { Target } from "../router/plan.ts";
import { adaptPrompt } from "./adapt-prompt.ts";
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

/** The core request as a target receives it: its upstream model id, and its model's prompt adapter. */
export function requestFor(runtime: Runtime, request: ChatRequest, target: Target): ChatRequest {
  const model = Object.hasOwn(runtime.config.models, target.modelId) ? runtime.config.models[target.modelId] : undefined;
  const adapted = adaptPrompt(request, model);
  return adapted.model === target.upstreamModel ? adapted : { ...adapted, model: target.upstreamModel };
}

/** Normalises whatever an attempt threw, naming the provider. */
export function attemptError(err: unknown, target: Target, clientSignal: AbortSignal): GatewayError {
  if (clientSignal.aborted) return new GatewayError("client_closed", "the client closed the connection", { provider: target.provider });
  const error = toGatewayError(err, target.provider);
  return error;
}
