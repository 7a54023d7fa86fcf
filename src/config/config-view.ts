/**
 * The parts of a config the cross-checks read, taken leniently from the raw data: whatever is
 * well-formed enough is kept, so the cross-checks still run (and report) when the schema has
 * found problems elsewhere. Maps, not objects, so a model called `constructor` is just a name.
 */
export interface ConfigView {
  /** Top-level keys present in the file. */
  sections: Set<string>;
  providers: Map<string, { type: string | undefined; simulatedOnly: string[] }>;
  models: Map<string, { provider: string | undefined; upstream: string | undefined; deployments: (string | undefined)[]; balance: boolean }>;
  aliases: Map<string, string | undefined>;
  lanes: Map<string, (string | undefined)[]>;
  routes: Map<string, { model: string | undefined; lane: string | undefined; escalateTo: string | undefined; validate: boolean; bufferStream: boolean }>;
  autoRules: { route: string | undefined; lane: string | undefined; model: string | undefined; catchAll: boolean }[];
  storage: { ledger: string | undefined; state: string | undefined };
  budgets: { timeZone: string | undefined; routes: string[]; downgradeTo: { path: (string | number)[]; ref: string }[] };
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const entries = (v: unknown): [string, unknown][] => (isObj(v) ? Object.entries(v) : []);

export function viewConfig(data: unknown): ConfigView {
  const root = isObj(data) ? data : {};
  const view: ConfigView = {
    sections: new Set(Object.keys(root)),
    providers: new Map(),
    models: new Map(),
    aliases: new Map(),
    lanes: new Map(),
    routes: new Map(),
    autoRules: [],
    storage: { ledger: undefined, state: undefined },
    budgets: { timeZone: undefined, routes: [], downgradeTo: [] },
  };
  for (const [name, p] of entries(root.providers)) {
    const o = isObj(p) ? p : {};
    const simulatedOnly = ["seed", "latency_scale"].filter((k) => o[k] !== undefined);
    view.providers.set(name, { type: str(o.type), simulatedOnly });
  }
  for (const [id, m] of entries(root.models)) {
    const o = isObj(m) ? m : {};
    const deployments = Array.isArray(o.deployments) ? o.deployments.map((d) => (isObj(d) ? str(d.provider) : undefined)) : [];
    view.models.set(id, { provider: str(o.provider), upstream: str(o.upstream), deployments, balance: o.balance !== undefined });
  }
  for (const [name, target] of entries(root.aliases)) view.aliases.set(name, str(target));
  for (const [name, members] of entries(root.lanes)) view.lanes.set(name, Array.isArray(members) ? members.map(str) : []);
  for (const [name, r] of entries(root.routes)) {
    const o = isObj(r) ? r : {};
    view.routes.set(name, { model: str(o.model), lane: str(o.lane), escalateTo: str(o.escalate_to), validate: o.validate !== undefined, bufferStream: o.buffer_stream === true });
  }
  const auto = isObj(root.auto) ? root.auto : {};
  for (const rule of Array.isArray(auto.rules) ? auto.rules : []) {
    const o = isObj(rule) ? rule : {};
    const when = isObj(o.when) ? o.when : {};
    const catchAll = when.task_type === undefined && when.complexity === undefined;
    view.autoRules.push({ route: str(o.route), lane: str(o.lane), model: str(o.model), catchAll });
  }
  const budgets = isObj(root.budgets) ? root.budgets : {};
  view.budgets.timeZone = str(budgets.time_zone);
  const downgradeTo = str(budgets.downgrade_to);
  if (downgradeTo !== undefined) view.budgets.downgradeTo.push({ path: ["budgets", "downgrade_to"], ref: downgradeTo });
  for (const [name, r] of entries(budgets.routes)) {
    view.budgets.routes.push(name);
    const to = isObj(r) ? str(r.downgrade_to) : undefined;
    if (to !== undefined) view.budgets.downgradeTo.push({ path: ["budgets", "routes", name, "downgrade_to"], ref: to });
  }
  const storage = isObj(root.storage) ? root.storage : {};
  view.storage = { ledger: str(storage.ledger), state: str(storage.state) };
  return view;
}
