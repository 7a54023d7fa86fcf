/** How a task ended, as the client reports it on `POST /v1/feedback`. */
export type FeedbackOutcome = "completed" | "failed" | "abandoned";

export const FEEDBACK_OUTCOMES: readonly FeedbackOutcome[] = ["completed", "failed", "abandoned"];

/**
 * One outcome report. Every report is kept; the latest per task (by `recordedAt`, then by order
 * of writing) is the one reports count. Feedback given for a request applies to its receipt's
 * task, or — when the request carried no task id — to that request alone.
 */
export interface Feedback {
  /** `fb_` + random characters. */
  id: string;
  /** Unix milliseconds. */
  recordedAt: number;
  /** The task it applies to: the one given, or the task of the request given. */
  taskId: string | null;
  /** The request it was given for, when it was given for one. */
  requestId: string | null;
  outcome: FeedbackOutcome;
  humanTakeover: boolean | null;
  humanEditMinutes: number | null;
  note: string | null;
  /** The gateway key that reported it, when one was sent. */
  keyId: string | null;
}

/**
 * What joins feedback to receipts: the task id, or for a request sent without one, the request
 * itself. The NUL prefix keeps the two kinds from colliding (a client's task id is header text).
 */
export function taskKey(taskId: string | null, requestId: string | null): string {
  return taskId ?? `\u0000${requestId ?? ""}`;
}
