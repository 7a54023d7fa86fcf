import { GatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import { formatUsd } from "../cost/compute-cost.ts";
import { checkFits } from "../cost/context-window-check.ts";
import type { RequestEstimate } from "../cost/estimate-request.ts";
import { budgetSpecs, type BudgetSpec } from "../cost/budget-specs.ts";
import { pace } from "../cost/budget-window.ts";
import type { Plan, Target } from "../router/plan.ts";
import { resolveEscalation } from "../router/resolve-model.ts";
import type { BudgetLine } from "../state/budget-store.ts";
import type { KeyRecord } from "../state/key-store.ts";
import { orderChain } from "./order-plan.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { routeOf } from "../config/route-of.ts";

export interface AdmitInput {
  draft: ReceiptDraft;
  plan: Plan;
  request: ChatRequest;
  key: KeyRecord | null;
  priority: "low" | "normal" | "high" | null;
  /** `x-switchyard-max-cost-usd`, in micro-USD. */
  maxCostMicroUsd: number | null;
  stickyKey: string | null;
}

/** What the request holds once admitted: settled when its receipt is written. */
export interface Reservation {
  ticket: string | null;
  lines: readonly { spec: BudgetSpec; amount: number }[];
  estimate: RequestEstimate;
  /** Rate-limit scopes that counted the estimate's tokens. */
  rateScopes: readonly string[];
}

/**
 * The checks before a request may go upstream, in order: it must fit its target's context window
 * (targets it cannot fit are dropped from the chain), its estimate must stay under the per-request
 * caps, the pace of spending may move it to a cheaper lane, rate limits may turn it away, and a
 * reservation must fit every budget it counts against. A budget or cap that says `downgrade`
 * re-plans the request onto its cheaper lane once (and says so in a warning and the
 * `x-switchyard-budget` header); `reject` — or no cheaper lane — refuses it with what was spent
 * and when the budget resets. Returns the plan to run.
 */
export function admitRequest(input: AdmitInput): Plan | Promise<Plan> {
  // Most requests meet no budget, cap, limit or key: they pay for a length check, not an estimate.
  if (!limited(input)) return fitContext(input, input.plan);
  return admitLimited(input);
}

/** Whether any budget, cap, rate limit or key applies to this request. */
function limited(input: AdmitInput): boolean {
  const config = input.draft.runtime.config;
  if (config.budgets !== undefined || input.key !== null || input.maxCostMicroUsd !== null) return true;
  const route = routeOf(config, input.plan.route);
  return route?.max_cost_usd !== undefined || route?.rate_limit !== undefined;
}

async function admitLimited(input: AdmitInput): Promise<Plan> {
  const { draft } = input;
  let plan = fitContext(input, input.plan);
  let downgraded = false;
  const downgrade = (reason: string, to: string | undefined): boolean => {
    if (downgraded) return false;
    const next = downgradePlan(input, plan, to);
    if (!next) return false;
    downgraded = true;
    draft.warnings.push(`downgraded to ${next.lane ?? next.targets[0]?.modelId ?? "?"}: ${reason}`);
    draft.budgetNote = `downgraded: ${reason}`;
    plan = fitContext(input, next);
    return true;
  };

  let estimate = estimateFor(input, plan);
  for (const cap of perRequestCaps(input, estimate)) {
    if (cap.onExceeded === "downgrade" && downgrade(cap.reason, cap.downgradeTo)) {
      estimate = estimateFor(input, plan);
      if (perRequestCaps(input, estimate).length === 0) break;
    }
    throw new GatewayError("bad_request", `${cap.reason}. Shorten the prompt, lower max_tokens, or raise the cap.`, { code: "request_over_cap", status: 400 });
  }

  const budgets = draft.runtime.config.budgets;
  // Ahead of pace, requests below the protected priority move to a cheaper lane first.
  if (budgets?.pace && rank(input.priority ?? "normal") < rank(budgets.pace.protect_priority)) {
    const ahead = await paceAhead(input);
    if (ahead !== null && downgrade(ahead, budgets?.downgrade_to)) estimate = estimateFor(input, plan);
  }

  const rateScopes = takeRateLimits(input, plan, estimate);
  // A budget that sent the request to a cheaper lane still counts what it spends there, but no
  // longer stops it: the point of a downgrade is that the product keeps working, for less.
  const softened = new Set<string>();
  for (;;) {
    const specs = budgetSpecs({ budgets, route: plan.route ?? input.plan.route, key: input.key, taskId: draft.meta.taskId, nowMs: draft.runtime.wallClockMs() });
    const reservation = await reserve(input, specs, estimate, rateScopes, softened);
    if (reservation.ok) {
      draft.reservation = reservation.value;
      draft.estimatedCostMicroUsd = estimate.costMicroUsd;
      return plan;
    }
    const { spec, used } = reservation;
    if (spec.onExceeded === "downgrade" && downgrade(spentText(spec, used), spec.downgradeTo)) {
      softened.add(spec.key);
      estimate = estimateFor(input, plan);
      continue;
    }
    releaseRate(input, rateScopes, estimate);
    throw budgetExhausted(spec, used, draft.runtime.wallClockMs());
  }
}

function spentText(spec: BudgetSpec, used: number): string {
  return `${spec.name} is spent: ${describe(spec, used)} of ${describe(spec, spec.limit)}`;
}

/** The 429 for a spent budget: which, how much, and when it resets (as retry-after too). */
function budgetExhausted(spec: BudgetSpec, used: number, nowMs: number): GatewayError {
  const resets = spec.window ? ` It resets at ${new Date(spec.window.endMs).toISOString()}.` : "";
  return new GatewayError("budget_exceeded", `Budget exhausted: ${spentText(spec, used)}.${resets}`, {
    code: "budget_exceeded",
    ...(spec.window && { retryAfterMs: Math.max(1000, spec.window.endMs - nowMs) }),
  });
}

/**
 * Embeddings count against the same budgets: nothing is estimated (their cost is small and known
 * only from the provider's usage), so they are refused only once a budget is already spent, and
 * settled to their real cost when their receipt is written.
 */
export async function admitEmbeddings(draft: ReceiptDraft, plan: Plan, key: KeyRecord | null): Promise<void> {
  const runtime = draft.runtime;
  if (runtime.config.budgets === undefined && key === null) return;
  const zero: RequestEstimate = { model: plan.targets[0]?.modelId ?? "", inputTokens: 0, minInputTokens: 0, outputTokens: 0, outputCap: "request", outputInWindow: 0, method: "length", exact: false, costMicroUsd: 0, contextWindow: null };
  const specs = budgetSpecs({ budgets: runtime.config.budgets, route: plan.route, key, taskId: draft.meta.taskId, nowMs: runtime.wallClockMs() });
  const input: AdmitInput = { draft, plan, request: { model: "", messages: [], stream: false, extra: {} }, key, priority: null, maxCostMicroUsd: null, stickyKey: null };
  const reserved = await reserve(input, specs, zero, [], new Set());
  if (reserved.ok) {
    draft.reservation = reserved.value;
    return;
  }
  throw budgetExhausted(reserved.spec, reserved.used, runtime.wallClockMs());
}

function estimateFor(input: AdmitInput, plan: Plan): RequestEstimate {
  const first = plan.targets[0];
  if (!first) throw new GatewayError("internal", "a plan without targets reached admission");
  return input.draft.runtime.estimate(input.request, first, capsOf(input));
}

/** The limits an estimate is held to: near one, it is counted exactly rather than from length. */
function capsOf(input: AdmitInput): { tokens?: number; costMicroUsd?: number } {
  const budgets = input.draft.runtime.config.budgets;
  return {
    ...(budgets?.per_request_tokens !== undefined && { tokens: budgets.per_request_tokens }),
    ...(input.maxCostMicroUsd !== null && { costMicroUsd: input.maxCostMicroUsd }),
  };
}

/** Drops the targets a prompt cannot fit; none left is a 400 that says by how much. */
function fitContext(input: AdmitInput, plan: Plan): Plan {
  const runtime = input.draft.runtime;
  if (surelyFits(input.request, plan.targets, runtime)) return plan;
  const fits: Target[] = [];
  let refusal: string | null = null;
  for (const target of plan.targets) {
    const why = checkFits(runtime.estimate(input.request, target, capsOf(input)));
    if (why === null) fits.push(target);
    else refusal ??= why;
  }
  if (fits.length === plan.targets.length) return plan;
  if (fits.length === 0) {
    throw new GatewayError("context_length", `The request does not fit: ${refusal ?? "it is too long"}.`, { code: "context_length_exceeded", param: "messages", status: 400 });
  }
  input.draft.warnings.push(`skipped the targets the prompt does not fit (${refusal ?? ""})`);
  return { ...plan, targets: fits };
}

/**
 * A bound no tokenizer exceeds: at most two tokens per UTF-16 unit in o200k, times 1.5 for the
 * providers whose tokenizers count more. A prompt under every known window by that bound needs no
 * estimate to be let through.
 */
function surelyFits(request: ChatRequest, targets: readonly Target[], runtime: AdmitInput["draft"]["runtime"]): boolean {
  let chars = 0;
  for (const m of request.messages) {
    const content = m.content;
    if (typeof content === "string") chars += content.length;
    else if (content !== null) return false;
    if (m.role === "assistant" && m.toolCalls) return false;
  }
  if (request.tools !== undefined) return false;
  const upper = chars * 3 + 16 * request.messages.length + (request.maxOutputTokens ?? 0);
  for (const target of targets) {
    const window = runtime.contextWindowOf(target);
    if (window !== null && upper > window) return false;
  }
  return true;
}

interface CapBreach {
  reason: string;
  onExceeded: "downgrade" | "reject";
  downgradeTo: string | undefined;
}

function perRequestCaps(input: AdmitInput, e: RequestEstimate): CapBreach[] {
  const config = input.draft.runtime.config;
  const b = config.budgets;
  const route = routeOf(config, input.plan.route);
  const out: CapBreach[] = [];
  const tokens = e.inputTokens + e.outputTokens;
  if (b?.per_request_tokens !== undefined && tokens > b.per_request_tokens) {
    out.push({ reason: `the request may use ${tokens} tokens (prompt ${e.inputTokens} + output cap ${e.outputTokens}), above budgets.per_request_tokens ${b.per_request_tokens}`, onExceeded: b.on_exceeded, downgradeTo: b.downgrade_to });
  }
  const usdCaps: { name: string; micro: number; onExceeded: "downgrade" | "reject" }[] = [];
  if (input.maxCostMicroUsd !== null) usdCaps.push({ name: "x-switchyard-max-cost-usd", micro: input.maxCostMicroUsd, onExceeded: route?.on_max_cost ?? "reject" });
  if (route?.max_cost_usd !== undefined) usdCaps.push({ name: `route ${input.plan.route}'s max_cost_usd`, micro: Math.round(route.max_cost_usd * 1e6), onExceeded: route.on_max_cost ?? "reject" });
  if (b?.per_request_usd !== undefined) usdCaps.push({ name: "budgets.per_request_usd", micro: Math.round(b.per_request_usd * 1e6), onExceeded: b.on_exceeded });
  for (const cap of usdCaps) {
    if (e.costMicroUsd !== null && e.costMicroUsd > cap.micro) {
      out.push({ reason: `the request may cost up to $${formatUsd(e.costMicroUsd)}, above ${cap.name} $${formatUsd(cap.micro)}`, onExceeded: cap.onExceeded, downgradeTo: b?.downgrade_to });
    }
  }
  return out;
}

const rank = (p: "low" | "normal" | "high"): number => (p === "low" ? 0 : p === "normal" ? 1 : 2);

/** Why spending is ahead of its pace (the first daily or monthly USD budget that is), or null. */
async function paceAhead(input: AdmitInput): Promise<string | null> {
  const runtime = input.draft.runtime;
  const b = runtime.config.budgets;
  if (!b?.pace) return null;
  const now = runtime.wallClockMs();
  for (const spec of budgetSpecs({ budgets: b, route: input.plan.route, key: null, taskId: null, nowMs: now })) {
    if (spec.window === null) continue;
    const usage = await runtime.budgets.usage(spec.key, now);
    const p = pace({ window: spec.window, nowMs: now, spent: usage.settled + usage.reserved, limit: spec.limit });
    if (p.ratio > b.pace.downgrade_when_ahead_by) {
      return `${spec.name} is spending ${p.ratio.toFixed(2)}× its even pace (${describe(spec, usage.settled + usage.reserved)} of ${describe(spec, spec.limit)} with ${Math.round(p.elapsedShare * 100)}% of the ${spec.window.period} gone)`;
    }
  }
  return null;
}

function takeRateLimits(input: AdmitInput, plan: Plan, e: RequestEstimate): string[] {
  const runtime = input.draft.runtime;
  const config = runtime.config;
  const now = runtime.wallClockMs();
  const tokens = e.inputTokens + e.outputTokens;
  const scopes: { scope: string; name: string; rpm?: number | undefined; tpm?: number | undefined }[] = [];
  const routeName = plan.route ?? input.plan.route;
  const route = routeOf(config, routeName);
  if (route?.rate_limit) scopes.push({ scope: `route:${routeName}`, name: `route ${routeName}`, rpm: route.rate_limit.requests_per_minute, tpm: route.rate_limit.tokens_per_minute });
  if (input.key && (input.key.rateLimit.requests_per_minute !== undefined || input.key.rateLimit.tokens_per_minute !== undefined)) {
    scopes.push({ scope: `key:${input.key.id}`, name: `key ${input.key.name}`, rpm: input.key.rateLimit.requests_per_minute, tpm: input.key.rateLimit.tokens_per_minute });
  }
  const taken: string[] = [];
  for (const s of scopes) {
    const decision = runtime.rateLimiter.take(s.scope, { requestsPerMinute: s.rpm, tokensPerMinute: s.tpm }, tokens, now);
    if (!decision.ok) {
      releaseRate(input, taken, e);
      const limit = decision.limit === "requests_per_minute" ? `${s.rpm} requests per minute` : `${s.tpm} tokens per minute`;
      throw new GatewayError("rate_limited", `Rate limit of ${s.name} reached: ${limit}. Retry after ${Math.ceil(decision.retryAfterMs / 1000)} s.`, {
        code: "rate_limit_exceeded",
        retryAfterMs: decision.retryAfterMs,
      });
    }
    taken.push(s.scope);
  }
  return taken;
}

function releaseRate(input: AdmitInput, scopes: readonly string[], e: RequestEstimate): void {
  const runtime = input.draft.runtime;
  for (const scope of scopes) runtime.rateLimiter.adjust(scope, -(e.inputTokens + e.outputTokens), runtime.wallClockMs());
}

type Reserved = { ok: true; value: Reservation } | { ok: false; spec: BudgetSpec; used: number };

async function reserve(input: AdmitInput, specs: readonly BudgetSpec[], e: RequestEstimate, rateScopes: readonly string[], softened: ReadonlySet<string>): Promise<Reserved> {
  const draft = input.draft;
  const lines: { spec: BudgetSpec; amount: number }[] = [];
  for (const spec of specs) {
    if (spec.unit === "tokens") lines.push({ spec, amount: e.inputTokens + e.outputTokens });
    else if (e.costMicroUsd !== null) lines.push({ spec, amount: e.costMicroUsd });
    else draft.warnings.push(`${spec.name}: this model's price is unknown, so the request is not counted against USD budgets`);
  }
  if (lines.length === 0) return { ok: true, value: { ticket: null, lines, estimate: e, rateScopes } };
  const storeLines: BudgetLine[] = lines.map(({ spec, amount }) => ({
    key: spec.key,
    limit: softened.has(spec.key) ? Number.POSITIVE_INFINITY : spec.limit,
    amount,
    expiresAtMs: spec.expiresAtMs,
  }));
  const result = await draft.runtime.budgets.reserve(storeLines, draft.runtime.wallClockMs());
  if (result.ok) return { ok: true, value: { ticket: result.ticket, lines, estimate: e, rateScopes } };
  const failed = lines[result.line] as { spec: BudgetSpec };
  return { ok: false, spec: failed.spec, used: result.used };
}

/** The cheaper plan a downgrade moves to: the budget's `downgrade_to`, else the cheapest lane that is cheaper. */
function downgradePlan(input: AdmitInput, plan: Plan, to: string | undefined): Plan | null {
  const runtime = input.draft.runtime;
  const config = runtime.config;
  const price = (t: Target | undefined): number => {
    const p = t ? runtime.priceOf(t) : null;
    return p === null ? Number.POSITIVE_INFINITY : p.input + p.output;
  };
  let name = to;
  if (name === undefined) {
    const current = price(plan.targets[0]);
    let best: { lane: string; price: number } | null = null;
    for (const lane of Object.keys(config.lanes)) {
      const p = price(resolveEscalation(config, lane).targets[0]);
      if (p < current && (best === null || p < best.price)) best = { lane, price: p };
    }
    name = best?.lane;
  }
  if (name === undefined) return null;
  const next = resolveEscalation(config, name);
  if (next.targets.length === 0 || next.targets[0]?.modelId === plan.targets[0]?.modelId) return null;
  const ordered = { ...next, route: plan.route, targets: orderChain(input.draft, next, input.stickyKey) };
  return ordered;
}

function describe(spec: BudgetSpec, amount: number): string {
  return spec.unit === "usd" ? `$${formatUsd(amount)}` : `${amount} tokens`;
}
