/**
 * How much of a request is read. Everything past these bounds is counted by length only, so the
 * cost of classifying does not grow with the prompt: a 1 MB paste reads the same few kilobytes.
 */
export const SCAN_LIMITS = {
  lastUserHead: 3000,
  lastUserTail: 1000,
  /** Instruction zone at each end of the last user turn; phrases are searched only here. */
  zone: 300,
  systemHead: 1500,
  historyHead: 400,
  historyTail: 200,
  /** Earlier turns read (most recent first); older ones count toward depth only. */
  historyMessages: 12,
  tools: 64,
  schemaProperties: 64,
} as const;
