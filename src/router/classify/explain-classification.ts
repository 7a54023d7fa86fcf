import { TASK_TYPES, type Classification, type Complexity, type Features, type TaskType } from "./types.ts";

/** One feature of the request that was non-zero or true. */
export interface ExplainedFeature {
  name: keyof Features;
  value: number | boolean;
}

/**
 * A `model: auto` decision as a receipt records it and `switchyard explain` shows it: the
 * outcome, every score, the features that fired and the rules behind the choice. Plain JSON data.
 */
export interface ClassificationExplanation {
  taskType: TaskType;
  complexity: Complexity;
  /** Every task type's score (the highest won; ties go to the earlier type). */
  scores: Record<TaskType, number>;
  /** The complexity points before the thresholds were applied. */
  complexityScore: number;
  /** The features that were non-zero or true, in the order Features declares them; false and 0 are left out. */
  topFeatures: ExplainedFeature[];
  /** The rules that fired, in words: the largest contributions to the type and to the complexity. */
  reasons: string[];
}

/**
 * A classification reduced to what explains it, small enough for a receipt row: the features
 * that are zero or false are left out, and every number is rounded to 3 decimals. Pure; reads
 * only what classifyRequest already returned, so it costs the classifier nothing.
 */
export function explainClassification(c: Classification): ClassificationExplanation {
  const scores = {} as Record<TaskType, number>;
  for (const type of TASK_TYPES) scores[type] = round3(c.scores[type]);
  const topFeatures: ExplainedFeature[] = [];
  for (const name of Object.keys(c.features) as (keyof Features)[]) {
    const value = c.features[name];
    if (value === false || value === 0) continue;
    topFeatures.push({ name, value: typeof value === "number" ? round3(value) : value });
  }
  return {
    taskType: c.taskType,
    complexity: c.complexity,
    scores,
    complexityScore: round3(c.complexityScore),
    topFeatures,
    reasons: [...c.reasons],
  };
}

/** Rounded to 3 decimals; -0 reads as 0. */
function round3(x: number): number {
  return Math.round(x * 1000) / 1000 || 0;
}
