import type { ReasoningEffort } from "../../core/request.ts";

type BudgetedEffort = "low" | "medium" | "high" | "xhigh";

/**
 * The thinking budget (tokens) that stands for each reasoning effort: the same steps the
 * Anthropic adapter sends for an effort (providers/anthropic THINKING_BUDGET), so a budget that
 * comes in as one of them goes back out unchanged. Inbound, `budget_tokens` is read backwards
 * through it; the steps grow by powers of two, so the nearest effort is found on a log scale
 * (Claude Code's 4,000 / 10,000 / 31,999 read as medium / high / xhigh).
 */
export const THINKING_BUDGETS: Readonly<Record<BudgetedEffort, number>> = {
  low: 1024,
  medium: 4096,
  high: 16384,
  xhigh: 32768,
};

/** The effort whose budget is nearest to `budgetTokens` (log scale; a tie goes to the lower). */
export function effortForBudget(budgetTokens: number): ReasoningEffort {
  const target = Math.log2(Math.max(1, budgetTokens));
  let best: BudgetedEffort = "low";
  let bestDistance = Infinity;
  for (const [effort, budget] of Object.entries(THINKING_BUDGETS) as [BudgetedEffort, number][]) {
    const distance = Math.abs(Math.log2(budget) - target);
    if (distance < bestDistance - 1e-9) [best, bestDistance] = [effort, distance];
  }
  return best;
}
