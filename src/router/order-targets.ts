import type { Random } from "./random.ts";
import type { Target } from "./plan.ts";

/** What is known of a deployment's recent behaviour (null: not enough yet). */
export interface DeploymentFacts {
  /** Median time to first token (streams). */
  ttftP50Ms: number | null;
  /** Median whole-answer latency. */
  latencyP50Ms?: number | null;
  /** p95 of whole-answer latency. */
  latencyP95Ms: number | null;
  /** Mean observed cost per 1k tokens, in micro-USD. */
  costPer1kMicroUsd: number | null;
  /** Listed price per 1M tokens (input + output), in micro-USD; null when unknown. */
  listPriceMicroUsd: number | null;
}

export interface OrderInput {
  targets: readonly Target[];
  facts: (target: Target) => DeploymentFacts;
  /** The route's guards. */
  maxLatencyMs?: number | undefined;
  maxCostPer1kMicroUsd?: number | undefined;
  random: Random;
  /** Task or session id: the same key always picks the same deployment under `weighted`. */
  stickyKey?: string | null | undefined;
}

export interface OrderResult {
  targets: Target[];
  /** Targets moved to the end of the chain by a guard, with why. */
  demoted: { target: Target; reason: string }[];
}

/**
 * The order a request tries its chain in. First each model with several deployments puts the one
 * its balance strategy picks first (the others stay right behind it as fallbacks); then the route's
 * latency and cost guards move deployments that break them to the end — demoted, not removed, so a
 * request still has somewhere to go. Pure: facts, randomness and the sticky key come in.
 */
export function orderTargets(input: OrderInput): OrderResult {
  const balanced = balanceGroups(input);
  if (input.maxLatencyMs === undefined && input.maxCostPer1kMicroUsd === undefined) return { targets: balanced, demoted: [] };
  const kept: Target[] = [];
  const demoted: OrderResult["demoted"] = [];
  for (const target of balanced) {
    const reason = guardBreach(input, input.facts(target));
    if (reason === null) kept.push(target);
    else demoted.push({ target, reason });
  }
  return { targets: [...kept, ...demoted.map((d) => d.target)], demoted };
}

function guardBreach(input: OrderInput, facts: DeploymentFacts): string | null {
  const { maxLatencyMs, maxCostPer1kMicroUsd } = input;
  if (maxLatencyMs !== undefined && facts.latencyP95Ms !== null && facts.latencyP95Ms > maxLatencyMs) {
    return `recent p95 latency ${Math.round(facts.latencyP95Ms)} ms is above max_latency_ms ${maxLatencyMs}`;
  }
  if (maxCostPer1kMicroUsd !== undefined && facts.costPer1kMicroUsd !== null && facts.costPer1kMicroUsd > maxCostPer1kMicroUsd) {
    return `recent cost $${(facts.costPer1kMicroUsd / 1e6).toFixed(6)} per 1k tokens is above max_cost_per_1k_tokens $${(maxCostPer1kMicroUsd / 1e6).toFixed(6)}`;
  }
  return null;
}

function balanceGroups(input: OrderInput): Target[] {
  const out: Target[] = [];
  const targets = input.targets;
  for (let i = 0; i < targets.length; ) {
    const first = targets[i] as Target;
    let end = i + 1;
    if (first.balance) {
      while (end < targets.length && targets[end]?.modelId === first.modelId && targets[end]?.balance) end += 1;
    }
    const group = targets.slice(i, end);
    out.push(...(group.length > 1 ? orderGroup(group, input) : group));
    i = end;
  }
  return out;
}

function orderGroup(group: Target[], input: OrderInput): Target[] {
  const strategy = group[0]?.balance?.strategy ?? "weighted";
  switch (strategy) {
    case "weighted": {
      const roll = input.stickyKey ? stickyUnit(input.stickyKey) : input.random();
      const chosen = weightedPick(group, roll);
      return [chosen, ...group.filter((t) => t !== chosen)];
    }
    case "least_latency":
      // Time to first token where streams measured it, else the whole answer's. Unknown latency
      // sorts first: a deployment nobody has measured yet gets tried.
      return stableSort(group, (t) => {
        const f = input.facts(t);
        return f.ttftP50Ms ?? f.latencyP50Ms ?? -1;
      });
    case "lowest_cost":
      return stableSort(group, (t) => input.facts(t).listPriceMicroUsd ?? Number.POSITIVE_INFINITY);
    default: {
      const never: never = strategy;
      return never;
    }
  }
}

/** The target whose cumulative weight first exceeds `roll` × total weight. */
export function weightedPick(group: readonly Target[], roll: number): Target {
  const total = group.reduce((sum, t) => sum + (t.balance?.weight ?? 1), 0);
  let point = roll * total;
  for (const target of group) {
    point -= target.balance?.weight ?? 1;
    if (point < 0) return target;
  }
  return group[group.length - 1] as Target;
}

/** A number in [0, 1) fixed by the key (FNV-1a), so a session keeps its deployment. */
export function stickyUnit(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // FNV-1a alone barely moves the high bits for a change in the last character, so `user-1` …
  // `user-9` would all land on one deployment; murmur3's finalizer spreads every bit.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4294967296;
}

function stableSort(group: Target[], score: (t: Target) => number): Target[] {
  return group.map((t, i) => ({ t, i, s: score(t) })).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.t);
}
