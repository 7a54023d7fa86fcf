import type { ReasoningEffort } from "../../core/request.ts";

/*
 * `reasoning_effort` → `generationConfig.thinkingConfig`, as data.
 * https://ai.google.dev/gemini-api/docs/thinking
 * - Gemini 3 takes a `thinkingLevel`; the levels differ per model (3 Pro: low and high; the
 *   Flash models add medium; `minimal` is refused by some), so an effort is snapped to the
 *   nearest level the model family takes, rounding up on a tie.
 * - Gemini 2.5 (and model names this table does not know, since Gemini 3 still accepts it)
 *   takes a `thinkingBudget` in tokens. 2.5 Pro cannot turn thinking off (128–32768);
 *   Flash and Flash-Lite can (0, or up to 24576).
 * - Older models (1.x, 2.0, Gemma) do not think.
 */

type Level = "minimal" | "low" | "medium" | "high";
const LEVELS: readonly Level[] = ["minimal", "low", "medium", "high"];
const LEVEL_FOR: Readonly<Record<ReasoningEffort, Level>> = { none: "minimal", minimal: "minimal", low: "low", medium: "medium", high: "high", xhigh: "high" };

const BUDGET_FOR: Readonly<Record<ReasoningEffort, number>> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 32768 };

interface Family {
  match: RegExp;
  levels?: readonly Level[];
  budget?: { min: number; max: number };
}
const FAMILIES: readonly Family[] = [
  { match: /gemini-3[\d.]*-pro/, levels: ["low", "high"] },
  { match: /gemini-3/, levels: ["low", "medium", "high"] },
  { match: /gemini-2\.5-pro/, budget: { min: 128, max: 32768 } },
  { match: /gemini-(1\.|2\.0)|gemma/ },
];
const DEFAULT_BUDGET = { min: 0, max: 24576 };

export interface ThinkingConfigChoice {
  config?: Record<string, unknown>;
  /** Set when the effort was approximated or could not be honoured. */
  warning?: string;
}

export function geminiThinkingConfig(model: string, effort: ReasoningEffort): ThinkingConfigChoice {
  const family = FAMILIES.find((f) => f.match.test(model));
  const include = effort === "none" ? {} : { includeThoughts: true };
  if (family?.levels) {
    const level = nearestLevel(LEVEL_FOR[effort], family.levels);
    const approximated = effort === "none" || effort === "xhigh" || level !== LEVEL_FOR[effort];
    return {
      config: { thinkingLevel: level, ...include },
      ...(approximated && { warning: `reasoning_effort ${effort} sent to ${model} as thinkingLevel ${level}${effort === "none" ? " (its thinking cannot be turned off)" : ""}` }),
    };
  }
  if (family && !family.budget) {
    return effort === "none" ? {} : { warning: `reasoning_effort ${effort} ignored: ${model} does not think` };
  }
  const { min, max } = family?.budget ?? DEFAULT_BUDGET;
  const wanted = BUDGET_FOR[effort];
  const budget = Math.min(max, Math.max(min, wanted));
  return {
    config: { thinkingBudget: budget, ...include },
    ...(budget !== wanted && {
      warning: `reasoning_effort ${effort} sent to ${model} as thinkingBudget ${budget}${effort === "none" ? " (its thinking cannot be turned off)" : ""}`,
    }),
  };
}

function nearestLevel(wanted: Level, levels: readonly Level[]): Level {
  const rank = LEVELS.indexOf(wanted);
  let best: Level = levels[levels.length - 1] ?? "high";
  let bestDistance = Infinity;
  for (const level of levels) {
    const distance = Math.abs(LEVELS.indexOf(level) - rank);
    // Levels are in ascending order, so `<=` keeps the higher one on a tie.
    if (distance <= bestDistance) {
      best = level;
      bestDistance = distance;
    }
  }
  return best;
}
