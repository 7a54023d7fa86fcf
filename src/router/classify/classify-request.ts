import type { ChatRequest } from "../../core/request.ts";
import { extractFeatures } from "./extract-features.ts";
import { TASK_TYPES, type Classification, type Complexity, type Features, type TaskType } from "./types.ts";
import { COMPLEXITY_TERMS, COMPLEXITY_THRESHOLDS, LENGTH_FACTOR, TYPE_COMPLEXITY_PRIOR, TYPE_WEIGHTS, type StepTerm, type Term } from "./weights.ts";

/**
 * Assigns a task type and a complexity to a request for `model: auto`. Pure and deterministic:
 * the same request always gets the same answer, and the answer carries the features, every
 * type's score, the complexity score and the reasons behind the choice (see
 * explainClassification for a receipt-sized view). Reads a bounded part of long requests.
 */
export function classifyRequest(request: ChatRequest): Classification {
  const features = extractFeatures(request);
  const scores: Record<TaskType, number> = { chat: 0, summarization: 0, extraction: 0, classification: 0, code: 0, reasoning: 0, tool_use: 0 };
  let best: TaskType = "chat";
  for (const type of TASK_TYPES) {
    const { bias, terms } = TYPE_WEIGHTS[type];
    let sum = 0;
    for (const term of terms) sum += termPoints(term, features);
    scores[type] = round(bias + sum);
    if (scores[type] > scores[best]) best = type;
  }

  const lengthFactor = LENGTH_FACTOR[best];
  const prior = TYPE_COMPLEXITY_PRIOR[best];
  let complexitySum = 0;
  for (const term of COMPLEXITY_TERMS) {
    const points = termPoints(term, features);
    complexitySum += term.feature === "lastUserChars" ? points * lengthFactor : points;
  }
  const complexityScore = round(prior + complexitySum);
  const complexity: Complexity = complexityScore >= COMPLEXITY_THRESHOLDS.high ? "high" : complexityScore >= COMPLEXITY_THRESHOLDS.medium ? "medium" : "low";

  // The best of the others; ties go to the earlier type, as for the winner.
  let runnerUp: TaskType = best === TASK_TYPES[0] ? TASK_TYPES[1] : TASK_TYPES[0];
  for (const t of TASK_TYPES) if (t !== best && scores[t] > scores[runnerUp]) runnerUp = t;
  const reasons = [
    `task_type ${best} (score ${scores[best]}; runner-up ${runnerUp} ${scores[runnerUp]})${describe(TYPE_WEIGHTS[best].terms, features, 1)}`,
    `complexity ${complexity} (score ${complexityScore}; medium ≥ ${COMPLEXITY_THRESHOLDS.medium}, high ≥ ${COMPLEXITY_THRESHOLDS.high}): ${best} prior +${prior}${describe(COMPLEXITY_TERMS, features, lengthFactor)}`,
  ];
  if (features.scannedChars < features.totalChars) {
    reasons.push(`read ${features.scannedChars} of ${features.totalChars} characters (bounded scan)`);
  }
  return { taskType: best, complexity, scores, complexityScore, features, reasons };
}

/** weight × min(value / scale, cap) for a linear term; the highest step reached for a step term. */
function termPoints(term: Term | StepTerm, features: Features): number {
  const raw = features[term.feature];
  const value = typeof raw === "boolean" ? (raw ? 1 : 0) : raw;
  if ("steps" in term) {
    let points = 0;
    // Indexed, not destructured: destructuring the pairs allocates on every call.
    const steps = term.steps;
    for (let k = 0; k < steps.length; k++) if (value >= steps[k]![0]) points = steps[k]![1];
    return points;
  }
  return term.weight * Math.min(value / (term.scale ?? 1), term.cap ?? Number.POSITIVE_INFINITY);
}

/** Scratch for describe: the points of each term of one list (the scoring is synchronous). */
const termScratch = new Float64Array(Math.max(COMPLEXITY_TERMS.length, ...Object.values(TYPE_WEIGHTS).map((w) => w.terms.length)));

/**
 * The three largest contributions among the terms, strongest first (ties by feature name), e.g.
 * ": codeFences=2 +2, codeHits=3 +2.1". The lastUserChars term counts × lengthFactor, as in the
 * complexity score. Picks them without building or sorting a list.
 */
function describe(terms: readonly (Term | StepTerm)[], features: Features, lengthFactor: number): string {
  const points = termScratch;
  for (let k = 0; k < terms.length; k++) {
    const term = terms[k]!;
    points[k] = termPoints(term, features) * (term.feature === "lastUserChars" ? lengthFactor : 1);
  }
  let out = "";
  for (let n = 0; n < 3; n++) {
    let pick = -1;
    for (let k = 0; k < terms.length; k++) {
      if (points[k] === 0) continue;
      if (pick < 0 || larger(Math.abs(points[k]!), terms[k]!.feature, Math.abs(points[pick]!), terms[pick]!.feature)) pick = k;
    }
    if (pick < 0) break;
    const { feature } = terms[pick]!;
    const p = points[pick]!;
    points[pick] = 0; // described
    out += `${n === 0 ? ": " : ", "}${feature}=${features[feature]} ${p >= 0 ? "+" : ""}${round(p)}`;
  }
  return out;
}

function larger(a: number, aName: string, b: number, bName: string): boolean {
  return a > b || (a === b && aName < bName);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
