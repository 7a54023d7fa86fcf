/** What the classifier decides for `model: auto`, and why. */

export const TASK_TYPES = ["chat", "summarization", "extraction", "classification", "code", "reasoning", "tool_use"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const COMPLEXITIES = ["low", "medium", "high"] as const;
export type Complexity = (typeof COMPLEXITIES)[number];

/**
 * Everything the scores are computed from: plain numbers and booleans, so a receipt or a log line
 * can carry them as they are. Keyword counts are weighted (the last user turn's instruction zone
 * counts most), hence fractional.
 */
export interface Features {
  messageCount: number;
  userTurns: number;
  assistantTurns: number;
  toolResults: number;
  toolCallsInHistory: number;
  lastIsToolResult: boolean;
  hasTools: boolean;
  toolCount: number;
  toolChoiceRequired: boolean;
  toolChoiceNone: boolean;
  /** Words of the last user turn that also appear in a tool's name (e.g. "weather" ↔ get_weather). */
  toolNameMentions: number;
  jsonSchema: boolean;
  jsonObject: boolean;
  schemaProperties: number;
  /** Schema properties that are enums or booleans, when they are at least half of them: a schema of labels is classification. */
  schemaEnums: number;
  lastUserChars: number;
  systemChars: number;
  totalChars: number;
  /** Characters actually read: bounded however long the request is. */
  scannedChars: number;
  codeFences: number;
  inlineCode: number;
  codeLines: number;
  stackTraceLines: number;
  diffMarkers: number;
  numberedItems: number;
  bulletItems: number;
  questionMarks: number;
  mathSymbols: number;
  /** Runs of digits in the last user turn. */
  numbers: number;
  multipleChoice: boolean;
  summaryHits: number;
  extractionHits: number;
  classificationHits: number;
  codeHits: number;
  reasoningHits: number;
  planningHits: number;
  chatHits: number;
  actionHits: number;
  constraintHits: number;
  multiStepHits: number;
  hardHits: number;
}

export interface Classification {
  taskType: TaskType;
  complexity: Complexity;
  scores: Record<TaskType, number>;
  /** The complexity points before thresholds were applied. */
  complexityScore: number;
  features: Features;
  /** The largest contributions to the chosen type and to the complexity, in words. */
  reasons: string[];
}
