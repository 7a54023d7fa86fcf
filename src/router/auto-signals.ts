import type { ChatRequest } from "../core/request.ts";
import { classifyRequest } from "./classify/classify-request.ts";
import type { AutoSignals } from "./resolve-model.ts";

/**
 * The task type and complexity `model: auto` routes on: the client's headers where given, the
 * built-in classifier for the rest. Other model names never pay for classification.
 */
export function autoSignals(model: string, request: ChatRequest, headers: AutoSignals): AutoSignals {
  if (model !== "auto" || (headers.taskType !== null && headers.complexity !== null)) return headers;
  const classified = classifyRequest(request);
  return {
    taskType: headers.taskType ?? classified.taskType,
    complexity: headers.complexity ?? classified.complexity,
    classification: classified,
  };
}
