import type { ChatRequest } from "../../core/request.ts";
import { extractFeatures } from "./extract-features.ts";
import { TASK_TYPES, type Classification, type Complexity, type Features, type TaskType } from "./types.ts";
import { COMPLEXITY_TERMS, COMPLEXITY_THRESHOLDS, LENGTH_FACTOR, TYPE_COMPLEXITY_PRIOR, TYPE_WEIGHTS, type StepTerm, type Term } from "./weights.ts";

interface Contribution {
  feature: keyof Features;
  value: number | boolean;
  points: number;
}

/**
 * Assigns a task type and a complexity to a request for `model: auto`. Pure and deterministic:
 * the same request always gets the same answer, and the answer carries the features, every
 * type's score and the reasons behind the choice. Reads a bounded part of long requests.
 */
export function classifyRequest(request: ChatRequest): Classification {
  const features = extractFeatures(request);
  const scores = {} as Record<TaskType, number>;
  const contributions = {} as Record<TaskType, Contribution[]>;
  let best: TaskType = "chat";
  for (const type of TASK_TYPES) {
    const { bias, terms } = TYPE_WEIGHTS[type];
    const parts = terms.map((t) => contribution(t, features)).filter((c) => c.points !== 0);
    contributions[type] = parts;
    scores[type] = round(bias + parts.reduce((sum, c) => sum + c.points, 0));
    if (scores[type] > scores[best]) best = type;
  }

  const complexityParts = COMPLEXITY_TERMS.map((t) => contribution(t, features))
    .map((c) => (c.feature === "lastUserChars" ? { ...c, points: c.points * LENGTH_FACTOR[best] } : c))
    .filter((c) => c.points !== 0);
  const prior = TYPE_COMPLEXITY_PRIOR[best];
  const complexityScore = round(prior + complexityParts.reduce((sum, c) => sum + c.points, 0));
  const complexity: Complexity = complexityScore >= COMPLEXITY_THRESHOLDS.high ? "high" : complexityScore >= COMPLEXITY_THRESHOLDS.medium ? "medium" : "low";

  const runnerUp = TASK_TYPES.filter((t) => t !== best).reduce((a, b) => (scores[b] > scores[a] ? b : a));
  const reasons = [
    `task_type ${best} (score ${scores[best]}; runner-up ${runnerUp} ${scores[runnerUp]})${describe(contributions[best])}`,
    `complexity ${complexity} (score ${complexityScore}; medium ≥ ${COMPLEXITY_THRESHOLDS.medium}, high ≥ ${COMPLEXITY_THRESHOLDS.high}): ${best} prior +${prior}${describe(complexityParts)}`,
  ];
  if (features.scannedChars < features.totalChars) {
    reasons.push(`read ${features.scannedChars} of ${features.totalChars} characters (bounded scan)`);
  }
  return { taskType: best, complexity, scores, complexityScore, features, reasons };
}

function contribution(term: Term | StepTerm, features: Features): Contribution {
  const raw = features[term.feature];
  const value = typeof raw === "boolean" ? (raw ? 1 : 0) : raw;
  let points = 0;
  if ("steps" in term) {
    for (const [threshold, p] of term.steps) if (value >= threshold) points = p;
  } else {
    points = term.weight * Math.min(value / (term.scale ?? 1), term.cap ?? Number.POSITIVE_INFINITY);
  }
  return { feature: term.feature, value: raw, points };
}

/** The three largest contributions, strongest first, e.g. ": codeFences=2 +2, codeHits=3 +2.1". */
function describe(parts: Contribution[]): string {
  const top = [...parts].sort((a, b) => Math.abs(b.points) - Math.abs(a.points) || (a.feature < b.feature ? -1 : 1)).slice(0, 3);
  if (top.length === 0) return "";
  return `: ${top.map((c) => `${c.feature}=${c.value} ${c.points >= 0 ? "+" : ""}${round(c.points)}`).join(", ")}`;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
