import type { ReceiptDraft } from "../dispatch/receipt-draft.ts";
import type { Target } from "../router/plan.ts";

export function idHeaders(requestId: string, idHeader: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { "x-switchyard-request-id": requestId };
  if (idHeader !== undefined) headers[idHeader] = requestId;
  return headers;
}

/** The `x-switchyard-*` response headers for what is known so far. */
export function responseHeaders(draft: ReceiptDraft, idHeader?: string): Record<string, string> {
  const headers = idHeaders(draft.meta.requestId, idHeader);
  const plan = draft.plan;
  if (plan?.route) headers["x-switchyard-route"] = headerSafe(plan.route);
  if (plan?.lane) headers["x-switchyard-lane"] = headerSafe(plan.lane);
  // A cached answer names the model that gave it, though no attempt was made this time.
  const target = draft.target;
  if (target && (draft.attempts.length > 0 || draft.cacheHit)) {
    let names = targetHeaders.get(target);
    if (names === undefined) {
      names = { model: headerSafe(target.modelId), provider: headerSafe(target.provider) };
      targetHeaders.set(target, names);
    }
    headers["x-switchyard-model"] = names.model;
    headers["x-switchyard-provider"] = names.provider;
    if (draft.runtime.isSimulated(target.provider)) headers["x-switchyard-simulated"] = "true";
  }
  headers["x-switchyard-attempts"] = String(draft.attempts.length);
  headers["x-switchyard-cache"] = draft.cacheHit ? "hit" : "miss";
  headers["x-switchyard-overhead-ms"] = draft.overheadMs().toFixed(2);
  if (draft.budgetNote !== null) headers["x-switchyard-budget"] = headerSafe(draft.budgetNote).slice(0, 500);
  if (draft.warnings.length > 0) headers["x-switchyard-warning"] = warningHeader(draft.warnings);
  return headers;
}

/** A target's names as header values, worked out once per target (plans, and so their targets, are shared). */
const targetHeaders = new WeakMap<Target, { model: string; provider: string }>();

/**
 * A value that can go in a header: printable ASCII only. Config names and `<provider>/<model>`
 * names (which clients choose) may hold anything; the receipt keeps them as they were.
 */
export function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, "?");
}

/** Warnings as one header value: printable ASCII, bounded (the receipt keeps them all). */
function warningHeader(warnings: readonly string[]): string {
  const text = headerSafe(warnings.join("; "));
  return text.length <= MAX_WARNING_HEADER ? text : `${text.slice(0, MAX_WARNING_HEADER - 40)}... (${warnings.length} warnings; see the receipt)`;
}

const MAX_WARNING_HEADER = 2000;
