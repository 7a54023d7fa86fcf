import type { Config, RouteConfig } from "./schema.ts";

/** A configured route by name (own entries only: `constructor` is not a route), or undefined. */
export function routeOf(config: Config, name: string | null | undefined): RouteConfig | undefined {
  return name != null && Object.hasOwn(config.routes, name) ? config.routes[name] : undefined;
}
