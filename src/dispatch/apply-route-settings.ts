import { GatewayError } from "../core/errors.ts";
import type { Config } from "../config/schema.ts";
import type { ChatRequest } from "../core/request.ts";
import type { Plan } from "../router/plan.ts";
import { routeOf } from "../config/route-of.ts";

/**
 * The route's settings applied to a request: its default temperature when the client gave
 * none, and its `max_output_tokens` cap (a larger ask is clamped with a warning, or rejected when
 * the route says `on_max_output_tokens: reject`).
 */
export function applyRouteSettings(config: Config, plan: Plan, request: ChatRequest, warnings: string[]): ChatRequest {
  const route = routeOf(config, plan.route);
  if (!route) return request;
  let next = request;
  if (route.temperature !== undefined && request.temperature === undefined) {
    next = { ...next, temperature: route.temperature };
  }
  const cap = route.max_output_tokens;
  if (cap !== undefined) {
    if (next.maxOutputTokens === undefined) {
      next = { ...next, maxOutputTokens: cap };
    } else if (next.maxOutputTokens > cap) {
      if (route.on_max_output_tokens === "reject") {
        throw new GatewayError("bad_request", `max_tokens ${next.maxOutputTokens} is above route ${plan.route}'s limit of ${cap} output tokens; ask for at most ${cap}.`, {
          param: "max_tokens",
          code: "max_tokens_above_route_limit",
        });
      }
      warnings.push(`max_tokens ${next.maxOutputTokens} clamped to route ${plan.route}'s max_output_tokens ${cap}`);
      next = { ...next, maxOutputTokens: cap };
    }
  }
  return next;
}
