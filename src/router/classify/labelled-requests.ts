import { readFileSync } from "node:fs";
import { z } from "zod";
import type { ChatRequest } from "../../core/request.ts";
import { parseChatRequest } from "../../wire/openai/parse-chat-request.ts";
import { COMPLEXITIES, TASK_TYPES, type Complexity, type TaskType } from "./types.ts";

/** One labelled example: the request as the OpenAI edge produces it, and its hand-given labels. */
export interface LabelledRequest {
  line: number;
  src: string;
  request: ChatRequest;
  taskType: TaskType;
  complexity: Complexity;
}

const lineSchema = z.object({
  src: z.string(),
  task_type: z.enum(TASK_TYPES),
  complexity: z.enum(COMPLEXITIES),
  messages: z.array(z.unknown()).min(1),
  tools: z.array(z.unknown()).optional(),
  tool_choice: z.unknown().optional(),
  response_format: z.unknown().optional(),
});

export const LABELLED_REQUESTS_PATH = new URL("./labelled-requests.jsonl", import.meta.url);

/**
 * Reads the labelled set. Each line is written in the OpenAI Chat Completions shape and goes
 * through the real OpenAI edge parser, so the classifier sees exactly what it sees in production.
 */
export function loadLabelledRequests(path: URL = LABELLED_REQUESTS_PATH): LabelledRequest[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const out: LabelledRequest[] = [];
  for (const [index, text] of lines.entries()) {
    if (text.trim() === "") continue;
    const row = lineSchema.parse(JSON.parse(text));
    const { src, task_type, complexity, ...body } = row;
    const { request } = parseChatRequest({ model: "auto", ...body });
    out.push({ line: index + 1, src, request, taskType: task_type, complexity });
  }
  return out;
}

/** The deterministic held-out third: every third example by line order. Never tuned on. */
export function isHeldOut(example: LabelledRequest): boolean {
  return example.line % 3 === 0;
}
