import type { PathSegment } from "./config-issue.ts";
import type { ConfigView } from "./config-view.ts";

/**
 * How a reference inside the config (an alias target, a lane member, a route's `model`) is
 * read. The order is the router's (`refTargets` in router/resolve-model.ts): alias, route, model,
 * then `<provider>/<upstream model>`.
 */
export type RefKind = "alias" | "route" | "model" | "direct" | "unknown";

export function refKind(view: ConfigView, ref: string): RefKind {
  if (view.aliases.has(ref)) return "alias";
  if (view.routes.has(ref)) return "route";
  if (view.models.has(ref)) return "model";
  return directProvider(view, ref) !== null ? "direct" : "unknown";
}

/** The provider of a `<provider>/<model>` reference, when that provider is configured. */
export function directProvider(view: ConfigView, ref: string): string | null {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) return null;
  const provider = ref.slice(0, slash);
  return view.providers.has(provider) ? provider : null;
}

/** Where an alias chain ends: a model, a direct call, a route; or nowhere (reported elsewhere). */
export type Resolution = { kind: "model" | "direct" | "route"; name: string } | { kind: "broken" };

export function followAliases(view: ConfigView, ref: string): Resolution {
  const seen = new Set<string>();
  let current = ref;
  for (;;) {
    const kind = refKind(view, current);
    if (kind === "route" || kind === "model" || kind === "direct") return { kind, name: current };
    if (kind === "unknown" || seen.has(current)) return { kind: "broken" };
    seen.add(current);
    const target = view.aliases.get(current);
    if (target === undefined) return { kind: "broken" };
    current = target;
  }
}

export interface ReferenceCycle {
  /** Where the cycle is reported: the first alias, route or lane of it met in file order. */
  path: PathSegment[];
  /** e.g. `alias a → alias b → alias a`. */
  chain: string;
}

type GraphNode = `${"alias" | "route" | "lane"} ${string}`;

/**
 * Cycles among aliases, routes and lanes (alias → alias, route → alias → route, lane member →
 * route → same lane, …): each would send the router round in circles.
 */
export function findReferenceCycles(view: ConfigView): ReferenceCycle[] {
  const refNode = (ref: string | undefined): GraphNode[] => {
    if (ref === undefined) return [];
    const kind = refKind(view, ref);
    return kind === "alias" ? [`alias ${ref}`] : kind === "route" ? [`route ${ref}`] : [];
  };
  const edges = (node: GraphNode): GraphNode[] => {
    const [type, ...rest] = node.split(" ");
    const name = rest.join(" ");
    if (type === "alias") return refNode(view.aliases.get(name));
    if (type === "lane") return (view.lanes.get(name) ?? []).flatMap(refNode);
    const route = view.routes.get(name);
    if (route?.lane !== undefined && view.lanes.has(route.lane)) return [`lane ${route.lane}`];
    return refNode(route?.model);
  };
  const pathOf = (node: GraphNode): PathSegment[] => {
    const [type, ...rest] = node.split(" ");
    const name = rest.join(" ");
    if (type === "alias") return ["aliases", name];
    if (type === "lane") return ["lanes", name];
    return ["routes", name, view.routes.get(name)?.lane !== undefined ? "lane" : "model"];
  };

  const cycles: ReferenceCycle[] = [];
  const state = new Map<GraphNode, "active" | "done">();
  const stack: GraphNode[] = [];
  const visit = (node: GraphNode): void => {
    state.set(node, "active");
    stack.push(node);
    for (const next of edges(node)) {
      const s = state.get(next);
      if (s === "active") {
        const loop = stack.slice(stack.indexOf(next));
        cycles.push({ path: pathOf(next), chain: [...loop, next].join(" → ") });
      } else if (s === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  const all: GraphNode[] = [
    ...[...view.aliases.keys()].map((n): GraphNode => `alias ${n}`),
    ...[...view.routes.keys()].map((n): GraphNode => `route ${n}`),
    ...[...view.lanes.keys()].map((n): GraphNode => `lane ${n}`),
  ];
  for (const node of all) if (!state.has(node)) visit(node);
  return cycles;
}
