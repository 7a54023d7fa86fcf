import type { Receipt } from "../ledger/receipt.ts";
import type { Reservation } from "./admit-request.ts";
import type { Runtime } from "./runtime.ts";

/**
 * Replaces a request's reservation by what it really used, once its receipt is written: the
 * receipt's cost for USD budgets and its input + output tokens for token budgets. Where usage is
 * unknown although tokens were spent (a stream cut before its usage arrived), the estimate stays
 * charged: a budget errs on the side of the limit. Rate limits get the same correction.
 */
export function settleReservation(runtime: Runtime, reservation: Reservation, receipt: Receipt): void {
  const e = reservation.estimate;
  const estimatedTokens = e.inputTokens + e.outputTokens;
  const spentUnknown = receipt.inputTokens === null && (receipt.status === "truncated" || receipt.status === "client_closed");
  const tokens = spentUnknown ? estimatedTokens : (receipt.inputTokens ?? 0) + (receipt.outputTokens ?? 0);
  const usd = receipt.costMicroUsd ?? (spentUnknown ? (e.costMicroUsd ?? 0) : 0);
  const now = runtime.wallClockMs();
  for (const scope of reservation.rateScopes) runtime.rateLimiter.adjust(scope, tokens - estimatedTokens, now);
  if (reservation.ticket === null) return;
  const actual = reservation.lines.map(({ spec }) => (spec.unit === "usd" ? usd : tokens));
  void runtime.budgets.settle(reservation.ticket, actual).catch((err: unknown) => console.error("[switchyard] settling a budget reservation failed:", err));
}
