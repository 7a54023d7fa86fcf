import type { Config } from "../config/schema.ts";
import type { ChatRequest } from "../core/request.ts";
import type { Plan } from "../router/plan.ts";

/**
 * The route's settings applied to a request: its default temperature when the client gave
 * none, and its `max_output_tokens` cap (a larger ask is clamped, with a warning).
 */
export function applyRouteSettings(config: Config, plan: Plan, request: ChatRequest, warnings: string[]): ChatRequest {
  const route = plan.route === null ? undefined : config.routes[plan.route];
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
      warnings.push(`max_tokens ${next.maxOutputTokens} clamped to route ${plan.route}'s max_output_tokens ${cap}`);
      next = { ...next, maxOutputTokens: cap };
    }
  }
  return next;
}
