import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import { FEEDBACK_OUTCOMES, type Feedback } from "../ledger/feedback.ts";
import type { Receipt } from "../ledger/receipt.ts";
import type { Authenticator } from "./authenticate.ts";
import { readBody } from "./read-body.ts";
import type { Handler } from "./router.ts";
import { sendError, sendJson } from "./send.ts";

/** Where feedback goes: the batched ledger writer (never blocks, never throws). */
export interface FeedbackSink {
  writeFeedback(feedback: Feedback): void;
}

export interface FeedbackHandlerOptions {
  sink: FeedbackSink;
  /** A receipt, including one not yet flushed: a request's feedback applies to its task. */
  receipt: (requestId: string) => Promise<Receipt | null>;
  maxBodyBytes: number;
  auth?: Authenticator | undefined;
  wallClockMs: () => number;
}

export const MAX_FEEDBACK_NOTE_CHARS = 2000;
const MAX_ID_CHARS = 1024;

/** What each field takes, for messages that say what to send. */
const EXPECTED: Record<string, string> = {
  task_id: `the task's x-switchyard-task-id, a string of 1 to ${MAX_ID_CHARS} characters`,
  request_id: "a request's x-switchyard-request-id",
  outcome: FEEDBACK_OUTCOMES.join(", "),
  human_takeover: "true or false",
  human_edit_minutes: "a number of minutes, 0 or more",
  note: `a string of at most ${MAX_FEEDBACK_NOTE_CHARS} characters`,
};

const feedbackSchema = z.strictObject({
  task_id: z.string().min(1).max(MAX_ID_CHARS).nullish(),
  request_id: z.string().min(1).max(MAX_ID_CHARS).nullish(),
  outcome: z.enum(FEEDBACK_OUTCOMES as [Feedback["outcome"], ...Feedback["outcome"][]]),
  human_takeover: z.boolean().nullish(),
  human_edit_minutes: z.number().min(0).max(1_000_000).nullish(),
  note: z.string().max(MAX_FEEDBACK_NOTE_CHARS).nullish(),
});

type FeedbackBody = z.infer<typeof feedbackSchema>;

/**
 * POST /v1/feedback: the outcome of a task, for reports — `{task_id | request_id, outcome,
 * human_takeover?, human_edit_minutes?, note?}`. Given for a request, it applies to that request's
 * task (or to the request alone when it was sent without a task id). Written through the batched
 * ledger writer; every report is kept, the latest per task counts.
 */
export function createFeedbackHandler(options: FeedbackHandlerOptions): Handler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const key = (await options.auth?.authenticate(req.headers)) ?? null;
      const body = parseFeedback(await readBody(req, options.maxBodyBytes));
      let taskId = body.task_id ?? null;
      const requestId = body.request_id ?? null;
      if (requestId !== null) {
        const receipt = await options.receipt(requestId);
        if (!receipt) {
          throw new GatewayError("not_found", `No request with id '${requestId}' is on record. Send the x-switchyard-request-id of a request this gateway served, or the task's task_id.`, {
            code: "receipt_not_found",
            param: "request_id",
          });
        }
        taskId = receipt.taskId;
      }
      const feedback: Feedback = {
        id: `fb_${randomUUID().replaceAll("-", "")}`,
        recordedAt: options.wallClockMs(),
        taskId,
        requestId,
        outcome: body.outcome,
        humanTakeover: body.human_takeover ?? null,
        humanEditMinutes: body.human_edit_minutes ?? null,
        note: body.note ?? null,
        keyId: key?.id ?? null,
      };
      options.sink.writeFeedback(feedback);
      sendJson(res, 200, {
        object: "feedback",
        id: feedback.id,
        task_id: feedback.taskId,
        request_id: feedback.requestId,
        outcome: feedback.outcome,
        recorded_at: new Date(feedback.recordedAt).toISOString(),
      });
    } catch (err) {
      const error = toGatewayError(err);
      if (error.kind === "internal") console.error("[switchyard] /v1/feedback failed:", err);
      sendError(res, error);
    }
  };
}

/** Validates a feedback body; a bad one is a 400 naming the field and what it takes. */
export function parseFeedback(raw: Buffer): FeedbackBody {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    throw badRequest(undefined, "The request body must be a JSON object: {task_id or request_id, outcome, human_takeover?, human_edit_minutes?, note?}.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest(undefined, "The request body must be a JSON object: {task_id or request_id, outcome, human_takeover?, human_edit_minutes?, note?}.");
  }
  const parsed = feedbackSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === "unrecognized_keys") {
      const field = issue.keys[0] ?? "";
      throw badRequest(field, `Unknown parameter '${field}'. /v1/feedback takes task_id or request_id, outcome, human_takeover, human_edit_minutes and note.`);
    }
    const field = String(issue?.path[0] ?? "");
    const missing = !Object.hasOwn(value, field);
    throw badRequest(field, `${missing ? "Missing required parameter" : "Invalid value for"} '${field}': expected ${EXPECTED[field] ?? "something else"}.`);
  }
  const body = parsed.data;
  const hasTask = body.task_id !== undefined && body.task_id !== null;
  const hasRequest = body.request_id !== undefined && body.request_id !== null;
  if (hasTask === hasRequest) {
    throw badRequest(
      hasTask ? "request_id" : "task_id",
      hasTask
        ? "Send exactly one of 'task_id' and 'request_id', not both: feedback for a request applies to its task."
        : "Missing required parameter: 'task_id' (the x-switchyard-task-id of the task) or 'request_id' (a request's x-switchyard-request-id).",
    );
  }
  return body;
}

function badRequest(param: string | undefined, message: string): GatewayError {
  return new GatewayError("bad_request", message, { code: "invalid_request_error", ...(param && { param }) });
}
