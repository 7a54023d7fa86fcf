import { isValidTimeZone } from "../cost/budget-window.ts";
import { closestIds } from "./closest-ids.ts";
import type { ConfigView } from "./config-view.ts";
import { directProvider, findReferenceCycles, followAliases, refKind } from "./references.ts";
import type { PathMessage } from "./schema-issues.ts";

export interface CrossCheckResult {
  errors: PathMessage[];
  warnings: PathMessage[];
}

const RESERVED = "auto";
const UNENFORCED_SECTIONS = ["rollouts", "telemetry"] as const;

/**
 * The checks a schema cannot make: every name a config uses is defined, references resolve
 * without cycles, names do not shadow each other, and sections this version does not act on are
 * called out.
 */
export function crossCheck(view: ConfigView): CrossCheckResult {
  const errors: PathMessage[] = [];
  const warnings: PathMessage[] = [];
  const error = (path: PathMessage["path"], message: string): void => void errors.push({ path, message });
  const warn = (path: PathMessage["path"], message: string): void => void warnings.push({ path, message });
  const modelFieldNames = [...view.routes.keys(), ...view.aliases.keys(), ...view.models.keys()];
  const hint = (name: string, candidates: Iterable<string>): string => {
    const close = closestIds(name, candidates);
    return close.length > 0 ? ` (did you mean ${close.map((c) => `\`${c}\``).join(", ")}?)` : "";
  };
  /** Why `ref` names nothing, or null when it names something the router can follow. */
  const unresolved = (ref: string, what: string): string | null => {
    if (refKind(view, ref) !== "unknown") return null;
    const slash = ref.indexOf("/");
    if (slash > 0 && directProvider(view, ref) === null && !view.models.has(ref)) {
      const provider = ref.slice(0, slash);
      return `\`${ref}\` names provider \`${provider}\`, which is not configured${hint(provider, view.providers.keys())}`;
    }
    const lane = view.lanes.has(ref) ? `; \`${ref}\` is a lane, which a route reaches with \`lane: ${ref}\`` : "";
    return `\`${ref}\` is not ${what}${lane}${hint(ref, modelFieldNames)}`;
  };
  const anyName = "a configured model, alias, route or `<provider>/<model>`";

  for (const section of ["routes", "aliases", "models"] as const) {
    const names = section === "routes" ? view.routes : section === "aliases" ? view.aliases : view.models;
    if (names.has(RESERVED)) error([section, RESERVED], "`auto` is reserved for automatic routing (`model: auto`); choose another name");
  }

  const checkProvider = (provider: string | undefined, path: PathMessage["path"]): void => {
    if (provider === undefined || view.providers.has(provider)) return;
    const known = view.providers.size > 0 ? hint(provider, view.providers.keys()) || ` (providers: ${[...view.providers.keys()].join(", ")})` : " (no providers are configured)";
    error(path, `provider \`${provider}\` is not configured${known}`);
  };
  for (const [id, model] of view.models) {
    checkProvider(model.provider, ["models", id, "provider"]);
    model.deployments.forEach((p, i) => checkProvider(p, ["models", id, "deployments", i, "provider"]));
    if (model.balance && model.deployments.length < 2) warn(["models", id, "balance"], "`balance` only matters for a model with two or more `deployments`");
    if (directProvider(view, id) !== null) warn(["models", id], `\`${id}\` looks like \`<provider>/<model>\`; the configured model is used, not a direct call to provider \`${id.split("/")[0]}\``);
  }
  if (view.models.size === 0) warn(["models"], "no models are configured, so every request will be answered with 404");

  for (const [name, target] of view.aliases) {
    if (target === undefined || target === RESERVED) {
      if (target === RESERVED) error(["aliases", name], "an alias cannot point to `auto`; a client asks for `auto` directly");
      continue;
    }
    const why = unresolved(target, anyName);
    if (why !== null) error(["aliases", name], why);
  }

  for (const [lane, members] of view.lanes) {
    const seen = new Set<string>();
    members.forEach((member, i) => {
      if (member === undefined) return;
      if (seen.has(member)) warn(["lanes", lane, i], `\`${member}\` appears more than once in lane \`${lane}\``);
      seen.add(member);
      const why = unresolved(member, "a configured model (or an alias of one)");
      if (why !== null) return error(["lanes", lane, i], why);
      const end = followAliases(view, member);
      if (end.kind === "route") {
        error(["lanes", lane, i], `\`${member}\` ${end.name === member ? "is" : "leads to"} route \`${end.name}\`; lane members are models (or aliases of models)`);
      }
    });
  }

  for (const [name, route] of view.routes) {
    if (route.model !== undefined) {
      const why = route.model === RESERVED ? "a route cannot use `auto`" : unresolved(route.model, anyName);
      if (why !== null) error(["routes", name, "model"], why);
    }
    if (route.lane !== undefined && !view.lanes.has(route.lane)) {
      error(["routes", name, "lane"], `lane \`${route.lane}\` is not configured${hint(route.lane, view.lanes.keys())}`);
    }
    const to = route.escalateTo;
    if (to !== undefined) {
      if (!view.lanes.has(to) && !view.routes.has(to)) {
        error(["routes", name, "escalate_to"], `\`${to}\` is neither a lane nor a route${hint(to, [...view.lanes.keys(), ...view.routes.keys()])}`);
      } else if (view.lanes.has(to) && view.routes.has(to)) {
        warn(["routes", name, "escalate_to"], `\`${to}\` is both a lane and a route; rename one so the escalation target is unambiguous`);
      } else if (to === route.lane || to === name) {
        warn(["routes", name, "escalate_to"], `escalating to \`${to}\` goes back to where the route started`);
      }
    }
  }

  for (const [name, route] of view.routes) {
    if (route.escalateTo !== undefined && !route.validate) {
      warn(["routes", name, "escalate_to"], "never used: escalation happens when an answer fails `validate`, and this route has no `validate`");
    }
    if (route.bufferStream && !route.validate) warn(["routes", name, "buffer_stream"], "only matters with `validate`: streams are buffered to be validated");
  }

  checkAutoRules(view, { error, warn, unresolved, hint });
  checkBudgets(view, { error, warn, unresolved, hint });

  for (const cycle of findReferenceCycles(view)) error(cycle.path, `reference cycle: ${cycle.chain}`);

  for (const name of view.routes.keys()) {
    if (name === RESERVED) continue;
    if (view.aliases.has(name)) warn(["routes", name], `\`${name}\` is both a route and an alias: a request for \`${name}\` reaches the route, but references inside the config follow the alias; rename one`);
    if (view.models.has(name)) warn(["routes", name], `\`${name}\` is both a route and a model: a request for \`${name}\` reaches the route, never the model directly; rename one`);
  }
  for (const name of view.aliases.keys()) {
    if (name !== RESERVED && view.models.has(name) && !view.routes.has(name)) {
      warn(["aliases", name], `\`${name}\` is both an alias and a model: the alias wins everywhere, so the model is reachable only through it; rename one`);
    }
  }

  for (const [name, provider] of view.providers) {
    if (provider.type !== undefined && provider.type !== "simulated" && provider.simulatedOnly.length > 0) {
      warn(["providers", name, provider.simulatedOnly[0] ?? ""], `${provider.simulatedOnly.join(", ")} only affect simulated providers; ignored for type ${provider.type}`);
    }
  }
  for (const section of UNENFORCED_SECTIONS) {
    if (view.sections.has(section)) warn([section], `the \`${section}\` section is accepted but not enforced by this version`);
  }
  checkStorage(view, error);
  return { errors, warnings };
}

interface RuleHelpers {
  error: (path: PathMessage["path"], message: string) => void;
  warn: (path: PathMessage["path"], message: string) => void;
  unresolved: (ref: string, what: string) => string | null;
  hint: (name: string, candidates: Iterable<string>) => string;
}

function checkAutoRules(view: ConfigView, h: RuleHelpers): void {
  const rules = view.autoRules;
  let catchAllAt: number | null = null;
  rules.forEach((rule, i) => {
    const path = ["auto", "rules", i];
    const targets = [rule.route, rule.lane, rule.model].filter((t) => t !== undefined);
    if (targets.length !== 1) h.error(path, "a rule needs exactly one of `route`, `lane` or `model`");
    if (rule.route !== undefined && !view.routes.has(rule.route)) {
      h.error([...path, "route"], `route \`${rule.route}\` is not configured${h.hint(rule.route, view.routes.keys())}`);
    }
    if (rule.lane !== undefined && !view.lanes.has(rule.lane)) {
      h.error([...path, "lane"], `lane \`${rule.lane}\` is not configured${h.hint(rule.lane, view.lanes.keys())}`);
    }
    if (rule.model !== undefined) {
      const why = rule.model === RESERVED ? "a rule cannot point back to `auto`" : h.unresolved(rule.model, "a configured model, alias, route or `<provider>/<model>`");
      if (why !== null) h.error([...path, "model"], why);
    }
    if (catchAllAt !== null && catchAllAt === i - 1) h.warn(path, `never used, nor any rule after it: rule ${catchAllAt} has no \`when\` and matches every request`);
    if (rule.catchAll && catchAllAt === null) catchAllAt = i;
  });
  if (rules.length > 0 && catchAllAt === null) {
    h.warn(["auto", "rules"], "no rule without `when`: a `model: auto` request that matches no rule gets a 404; end with a default rule such as `{ lane: cheap }`");
  }
}

function checkBudgets(view: ConfigView, h: RuleHelpers): void {
  const { timeZone, routes, downgradeTo } = view.budgets;
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
    h.error(["budgets", "time_zone"], `\`${timeZone}\` is not a time zone this runtime knows; use an IANA name such as \`UTC\` or \`Europe/Berlin\``);
  }
  for (const name of routes) {
    if (!view.routes.has(name)) h.error(["budgets", "routes", name], `route \`${name}\` is not configured${h.hint(name, view.routes.keys())}`);
  }
  for (const { path, ref } of downgradeTo) {
    if (view.lanes.has(ref)) continue;
    const why = h.unresolved(ref, "a lane, route, alias or model");
    if (why !== null) h.error(path, why);
  }
}

/**
 * Postgres and Redis are errors, not warnings: a config that names them is meant for several
 * replicas sharing receipts and budgets, and quietly running each replica on its own embedded
 * store would split the ledger and multiply the budgets.
 */
function checkStorage(view: ConfigView, error: RuleHelpers["error"]): void {
  const { ledger, state } = view.storage;
  if (ledger !== undefined) {
    // Same reading as ledger/resolve-data-dir.ts.
    const trimmed = ledger.trim();
    if (/^postgres(ql)?:\/\//i.test(trimmed)) {
      error(["storage", "ledger"], "Postgres is not supported by this version yet; use `sqlite:<path>` or leave `storage.ledger` out for the embedded store in ./.switchyard/");
    } else if (!/^sqlite:/i.test(trimmed) || /^sqlite:(\/\/)?$/i.test(trimmed)) {
      error(["storage", "ledger"], "expected `sqlite:<path>` (e.g. sqlite:./.switchyard/ledger.db)");
    }
  }
  if (state !== undefined && state !== "memory") {
    const message = /^rediss?:\/\//.test(state)
      ? "Redis is not supported by this version yet; use `memory` (one replica)"
      : "expected `memory`";
    error(["storage", "state"], message);
  }
}

/**
 * Providers some model depends on: named by a model's `provider`, or called directly as
 * `<provider>/<model>` from an alias, lane, route or auto rule.
 */
export function providersInUse(view: ConfigView): Set<string> {
  const used = new Set<string>();
  for (const model of view.models.values()) {
    for (const provider of [model.provider, ...model.deployments]) if (provider !== undefined) used.add(provider);
  }
  const refs = [
    ...view.aliases.values(),
    ...[...view.lanes.values()].flat(),
    ...[...view.routes.values()].map((r) => r.model),
    ...view.autoRules.map((r) => r.model),
  ];
  for (const ref of refs) {
    if (ref === undefined) continue;
    const provider = refKind(view, ref) === "direct" ? directProvider(view, ref) : null;
    if (provider !== null) used.add(provider);
  }
  return used;
}
