import { GatewayError } from "../core/errors.ts";
import type { Config } from "../config/schema.ts";
import { closestIds } from "../config/closest-ids.ts";
import { balanceOf, deploymentsOf } from "../config/deployments.ts";
import type { Classification } from "./classify/types.ts";
import type { AutoDecision, Plan, Target } from "./plan.ts";

/** Signals that steer `model: auto` (from headers today; from the classifier later). */
export interface AutoSignals {
  taskType: string | null;
  complexity: string | null;
  /** What the classifier made of the request, when it ran. */
  classification?: Classification;
}

const MAX_ALIAS_DEPTH = 8;

/**
 * Resolves the request's `model` field, in the order DESIGN.md gives: `auto`, a route, an alias,
 * a model id, `<provider>/<upstream model>`; anything else is a 404 naming the closest ids.
 * Never substitutes silently. Reads only the config, so a name other than `auto` resolves to the
 * same plan every time: it is worked out once per config and shared, frozen.
 */
export function resolveModel(config: Config, model: string, signals: AutoSignals): Plan {
  if (model === "auto") return resolveAuto(config, signals);
  let plans = plansOf.get(config);
  if (plans === undefined) {
    plans = new Map();
    plansOf.set(config, plans);
  }
  let plan = plans.get(model);
  if (plan === undefined) {
    plan = freezePlan(resolveNamed(config, model));
    // Clients choose `<provider>/<model>` names: past the bound, those are resolved afresh each time.
    if (plans.size < MAX_REMEMBERED_PLANS + Object.keys(config.models).length + Object.keys(config.routes).length + Object.keys(config.aliases).length) {
      plans.set(model, plan);
    }
  }
  return plan;
}

const plansOf = new WeakMap<Config, Map<string, Plan>>();
const MAX_REMEMBERED_PLANS = 10_000;

function freezePlan(plan: Plan): Plan {
  for (const target of plan.targets) {
    if (target.balance) Object.freeze(target.balance);
    Object.freeze(target);
  }
  Object.freeze(plan.targets);
  return Object.freeze(plan);
}

function resolveNamed(config: Config, model: string): Plan {
  const route = own(config.routes, model);
  if (route) {
    const plan = route.lane !== undefined ? laneTargets(config, route.lane) : refTargets(config, route.model ?? "", 0);
    return { ...plan, route: model, resolvedBy: "route" };
  }
  if (own(config.aliases, model) !== undefined) {
    const plan = refTargets(config, model, 0);
    return { ...plan, alias: model, resolvedBy: "alias" };
  }
  if (own(config.models, model) !== undefined) return { ...refTargets(config, model, 0), resolvedBy: "model" };
  const direct = providerModelTarget(config, model);
  if (direct) return { route: null, lane: null, alias: null, targets: [direct], resolvedBy: "provider_model" };
  throw modelNotFound(config, model);
}

function resolveAuto(config: Config, signals: AutoSignals): Plan {
  const rules = config.auto?.rules ?? [];
  if (rules.length === 0) {
    throw new GatewayError("model_not_found", "`model: auto` is not configured: add an `auto.rules` list to the config, or name a route, alias or model.", {
      code: "model_not_found",
      param: "model",
      status: 404,
    });
  }
  for (const [index, rule] of rules.entries()) {
    const when = rule.when ?? {};
    if (when.task_type !== undefined && when.task_type !== signals.taskType) continue;
    if (when.complexity !== undefined && when.complexity !== signals.complexity) continue;
    const auto: AutoDecision = {
      rule: index,
      taskType: signals.taskType,
      complexity: signals.complexity,
      source: signals.classification === undefined ? "header" : "classifier",
      ...(signals.classification !== undefined && { classification: signals.classification }),
    };
    if (rule.route !== undefined) return { ...resolveModel(config, rule.route, signals), auto, resolvedBy: "auto" };
    if (rule.lane !== undefined) return { ...laneTargets(config, rule.lane), auto, resolvedBy: "auto" };
    if (rule.model !== undefined) return { ...resolveModel(config, rule.model, signals), auto, resolvedBy: "auto" };
  }
  throw new GatewayError("model_not_found", "No `auto.rules` entry matched this request; add a last rule without `when` as the default.", {
    code: "model_not_found",
    param: "model",
    status: 404,
  });
}

type PartialPlan = Omit<Plan, "resolvedBy">;

/** Where a route's `escalate_to` leads: a lane's chain, or a route's plan. */
export function resolveEscalation(config: Config, name: string): Plan {
  if (own(config.lanes, name)) return { ...laneTargets(config, name), resolvedBy: "route" };
  return resolveModel(config, name, { taskType: null, complexity: null });
}

function laneTargets(config: Config, lane: string): PartialPlan {
  const members = own(config.lanes, lane);
  if (!members) throw new GatewayError("internal", `lane ${lane} is not configured`);
  const targets = members.flatMap((m) => refTargets(config, m, 0).targets);
  return { route: null, lane, alias: null, targets };
}

/** A reference to a model: an alias (possibly chained), a route, a model id, or provider/model. */
function refTargets(config: Config, ref: string, depth: number): PartialPlan {
  if (depth > MAX_ALIAS_DEPTH) throw new GatewayError("internal", `alias chain too deep at ${ref}`);
  const alias = own(config.aliases, ref);
  if (alias !== undefined) {
    return { ...refTargets(config, alias, depth + 1), alias: ref };
  }
  const route = own(config.routes, ref);
  if (route) {
    const plan = route.lane !== undefined ? laneTargets(config, route.lane) : refTargets(config, route.model ?? "", depth + 1);
    return { ...plan, route: ref };
  }
  const model = own(config.models, ref);
  if (model) {
    const strategy = balanceOf(model);
    const targets = deploymentsOf(ref, model).map((d): Target => ({
      modelId: ref,
      provider: d.provider,
      upstreamModel: d.upstream,
      ...(strategy !== null && { balance: { strategy, weight: d.weight } }),
    }));
    return { route: null, lane: null, alias: null, targets };
  }
  const direct = providerModelTarget(config, ref);
  if (direct) return { route: null, lane: null, alias: null, targets: [direct] };
  throw new GatewayError("internal", `model reference ${ref} does not resolve (the config check should have caught this)`);
}

function providerModelTarget(config: Config, ref: string): Target | null {
  const slash = ref.indexOf("/");
  if (slash <= 0 || slash === ref.length - 1) return null;
  const provider = ref.slice(0, slash);
  if (own(config.providers, provider) === undefined) return null;
  return { modelId: ref, provider, upstreamModel: ref.slice(slash + 1) };
}

/** Every name the `model` field accepts, for listings and suggestions. */
export function modelFieldNames(config: Config): string[] {
  const names = [...Object.keys(config.routes), ...Object.keys(config.aliases), ...Object.keys(config.models)];
  if ((config.auto?.rules.length ?? 0) > 0) names.unshift("auto");
  return [...new Set(names)];
}

function modelNotFound(config: Config, model: string): GatewayError {
  const names = modelFieldNames(config);
  const close = closestIds(model, names);
  const hint = close.length > 0 ? ` Did you mean ${close.map((c) => `'${c}'`).join(", ")}?` : "";
  const providers = Object.keys(config.providers);
  const direct = providers.length > 0 ? ` A configured provider's model can also be named directly as '<provider>/<model>' (providers: ${providers.join(", ")}).` : "";
  return new GatewayError("model_not_found", `The model '${model}' does not exist on this gateway.${hint}${direct}`, {
    code: "model_not_found",
    param: "model",
    status: 404,
  });
}

/** A config map's own entry: names such as `constructor` or `__proto__` are not inherited hits. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
