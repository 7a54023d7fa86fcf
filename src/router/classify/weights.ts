/**
 * The classifier's weights, all in one place. A type's score is its bias plus, for each term,
 * weight × min(feature / scale, cap) (booleans count as 1). The type with the highest score wins;
 * ties go to the earlier type in TASK_TYPES. Complexity is the sum of its own terms plus a prior
 * for the chosen type, cut by two thresholds. Tuned by hand on the train split only (see
 * eval-classifier.ts); the held-out third is never looked at while changing these numbers.
 */
import type { Features, TaskType } from "./types.ts";

type NumericFeature = { [K in keyof Features]: Features[K] extends number | boolean ? K : never }[keyof Features];

export interface Term {
  feature: NumericFeature;
  weight: number;
  /** The feature is divided by this before capping (e.g. characters → thousands). Default 1. */
  scale?: number;
  /** Upper bound of feature / scale, so one loud signal cannot drown the rest. */
  cap?: number;
}

export interface StepTerm {
  feature: NumericFeature;
  /** [threshold, points]: the points of the highest threshold reached. Ascending. */
  steps: ReadonlyArray<readonly [number, number]>;
}

/** Keyword hits are multiplied by where they were found: the ask is usually at the start or end of the last user turn. */
export const REGION_WEIGHTS = {
  /** First and last ZONE characters of the last user turn. */
  instructionZone: 2,
  /** The middle of the last user turn: often pasted material, not the ask. */
  lastUserBody: 0.4,
  system: 0.5,
  /** Earlier user and assistant turns: context, not the current ask. */
  history: 0.3,
} as const;

export const TYPE_WEIGHTS: Record<TaskType, { bias: number; terms: readonly Term[] }> = {
  // The fallback: a request with no other signal is conversation. Questions and social words add
  // a little so that chat still wins against a stray keyword of another type.
  chat: {
    bias: 1.0,
    terms: [
      { feature: "chatHits", weight: 0.9, cap: 3 },
      { feature: "questionMarks", weight: 0.2, cap: 2 },
      { feature: "assistantTurns", weight: 0.3, cap: 3 },
    ],
  },
  // An explicit ask ("summarize", "tl;dr", "key points") is nearly decisive; pasted long text
  // makes it likelier but never decides alone (long text is pasted for extraction too).
  summarization: {
    bias: 0,
    terms: [
      { feature: "summaryHits", weight: 2.6, cap: 3 },
      { feature: "lastUserChars", weight: 0.3, scale: 2000, cap: 2 },
    ],
  },
  // A JSON response format is the strongest structural sign of extraction; the words cover
  // extraction asked for in prose with no schema.
  extraction: {
    bias: 0,
    terms: [
      { feature: "extractionHits", weight: 1.5, cap: 4 },
      { feature: "jsonSchema", weight: 2.5 },
      { feature: "jsonObject", weight: 1.8 },
      { feature: "schemaProperties", weight: 0.1, cap: 8 },
    ],
  },
  classification: {
    bias: 0,
    terms: [
      { feature: "classificationHits", weight: 2.4, cap: 3 },
      // A response schema made of enums/booleans asks for a label, not for extracted values.
      { feature: "schemaEnums", weight: 3, cap: 2 },
    ],
  },
  // Code shows itself structurally (fences, code-shaped lines, stack traces, diffs) as much as in
  // words; each signal is capped so pasted code to *summarize* can still lose to the ask.
  code: {
    bias: 0,
    terms: [
      { feature: "codeHits", weight: 0.9, cap: 6 },
      { feature: "inlineCode", weight: 0.4, cap: 3 },
      { feature: "codeFences", weight: 1.0, cap: 2 },
      { feature: "codeLines", weight: 0.08, cap: 25 },
      { feature: "stackTraceLines", weight: 0.5, cap: 4 },
      { feature: "diffMarkers", weight: 0.8, cap: 3 },
    ],
  },
  // Maths, proofs, logic puzzles and planning/analysis: vocabulary plus operator density.
  reasoning: {
    bias: 0,
    terms: [
      { feature: "reasoningHits", weight: 1.1, cap: 5 },
      { feature: "mathSymbols", weight: 0.2, cap: 12 },
      // Word problems are mostly numbers: weak alone, decisive with "how many" or a "?".
      { feature: "numbers", weight: 0.12, cap: 10 },
      { feature: "planningHits", weight: 0.7, cap: 4 },
      { feature: "hardHits", weight: 0.3, cap: 3 },
      { feature: "multiStepHits", weight: 0.2, cap: 3 },
    ],
  },
  // Structural: tools offered, a forced tool call, or an agent loop already under way. Without
  // tools the -2 bias keeps action verbs alone from ever winning.
  tool_use: {
    bias: -2,
    terms: [
      // Tools offered usually mean they are meant to be used; a clear other ask still wins.
      { feature: "hasTools", weight: 3.3 },
      { feature: "toolChoiceRequired", weight: 3 },
      { feature: "toolChoiceNone", weight: -4 },
      { feature: "toolResults", weight: 1.2, cap: 3 },
      { feature: "lastIsToolResult", weight: 2 },
      { feature: "toolCallsInHistory", weight: 0.5, cap: 3 },
      { feature: "toolNameMentions", weight: 1.2, cap: 2 },
      { feature: "actionHits", weight: 0.6, cap: 3 },
    ],
  },
};

/** Points toward high complexity, whatever the type. */
export const COMPLEXITY_TERMS: readonly (Term | StepTerm)[] = [
  // Length of the ask in characters (~4 per token). Long input alone is weak evidence: see the
  // per-type LENGTH_FACTOR below.
  { feature: "lastUserChars", steps: [[120, 0.3], [400, 0.6], [1500, 0.9], [6000, 1.3]] },
  // A long system prompt is usually a long list of rules to follow.
  { feature: "systemChars", steps: [[150, 0.3], [600, 0.6]] },
  { feature: "constraintHits", weight: 0.25, cap: 6 },
  { feature: "multiStepHits", weight: 0.3, cap: 4 },
  // A numbered list of requirements is a spec.
  { feature: "numberedItems", weight: 0.15, cap: 8 },
  { feature: "reasoningHits", weight: 0.3, cap: 5 },
  { feature: "planningHits", weight: 0.3, cap: 4 },
  { feature: "hardHits", weight: 0.6, cap: 4 },
  { feature: "mathSymbols", weight: 0.05, cap: 12 },
  { feature: "stackTraceLines", weight: 0.1, cap: 5 },
  { feature: "diffMarkers", weight: 0.3, cap: 2 },
  { feature: "codeLines", weight: 0.02, cap: 40 },
  // Agent loops and long conversations carry state the model has to keep straight.
  { feature: "toolCount", steps: [[4, 0.3], [8, 0.6]] },
  { feature: "toolResults", weight: 0.25, cap: 4 },
  { feature: "messageCount", steps: [[6, 0.3], [12, 0.6]] },
  { feature: "schemaProperties", steps: [[6, 0.3], [12, 0.6]] },
  { feature: "chatHits", weight: -0.3, cap: 2 },
];

/** How much the length points count for each type: a long paste to summarize is not hard. */
export const LENGTH_FACTOR: Record<TaskType, number> = {
  chat: 1,
  summarization: 0.5,
  extraction: 0.5,
  classification: 0.3,
  code: 1,
  reasoning: 1,
  tool_use: 1,
};

/** The type's own starting point: labelling a ticket is rarely hard, a proof rarely easy. */
export const TYPE_COMPLEXITY_PRIOR: Record<TaskType, number> = {
  chat: 0,
  summarization: 0.3,
  extraction: 0.4,
  classification: 0,
  code: 0.6,
  reasoning: 0.7,
  tool_use: 0.6,
};

/** score < medium → low; < high → medium; otherwise high. */
export const COMPLEXITY_THRESHOLDS = { medium: 0.8, high: 2.4 } as const;
