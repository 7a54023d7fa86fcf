import type { ChatRequest } from "../../core/request.ts";
import type { SimulatedDifficulty, SimulatedTaskKind } from "./catalogue.ts";
import { messageText } from "./estimate-tokens.ts";

export interface SimulatedTask {
  kind: SimulatedTaskKind;
  difficulty: SimulatedDifficulty;
}

const SUMMARY = /summar|\btl;?dr\b/i;
const EXTRACT = /\bextract/i;
const CLASSIFY = /classif|\blabel|categor/i;
const CODE = /```|\b(function|bug|implement|refactor|compile|stack ?trace|typescript|javascript|python|regex|sql)\b/i;
const REASONING =
  /\b(prove|proof|plan|step[ -]by[ -]step|derive|solve|calculate|equation|integral|theorem)\b|\d+(\.\d+)?\s*[-+*/^×÷]\s*\d+/i;
const CONSTRAINT = /\b(must|exactly|at least|at most|without|only|ensure|constraints?|do not|don't|never|unless|no more than)\b/gi;
const STEP = /\b(then|after that|finally|first|second|third|next|and then)\b|^\s*\d+[.)]\s/gim;
const HARD = /\b(prove|rigorous|optimi[sz]e|edge cases?|concurren\w*|race conditions?|complexity|trade-?offs?|invariants?)\b/i;

/** A small, deterministic guess at what the request asks for and how hard it is. */
export function inferTask(request: ChatRequest): SimulatedTask {
  return { kind: inferKind(request), difficulty: inferDifficulty(request) };
}

function promptText(request: ChatRequest): string {
  const system = request.messages.filter((m) => m.role === "system").map(messageText);
  const lastUser = request.messages.findLast((m) => m.role === "user");
  return [...system, lastUser === undefined ? "" : messageText(lastUser)].join("\n");
}

function inferKind(request: ChatRequest): SimulatedTaskKind {
  if ((request.tools?.length ?? 0) > 0 && request.toolChoice !== "none") return "tool_use";
  const text = promptText(request);
  const format = request.responseFormat?.type;
  if (format === "json_schema" || format === "json_object" || EXTRACT.test(text)) return "extraction";
  if (SUMMARY.test(text)) return "summarization";
  if (CLASSIFY.test(text)) return "classification";
  if (CODE.test(text)) return "code";
  if (REASONING.test(text)) return "reasoning";
  return "chat";
}

function inferDifficulty(request: ChatRequest): SimulatedDifficulty {
  const text = promptText(request);
  const totalChars = request.messages.reduce((n, m) => n + messageText(m).length, 0);
  const turns = request.messages.filter((m) => m.role !== "system").length;
  let score = 0;
  score += totalChars >= 8000 ? 2 : totalChars >= 1500 ? 1 : 0;
  const constraints = text.match(CONSTRAINT)?.length ?? 0;
  score += constraints >= 5 ? 2 : constraints >= 2 ? 1 : 0;
  if ((text.match(STEP)?.length ?? 0) >= 3) score += 1;
  score += turns > 14 ? 2 : turns > 6 ? 1 : 0;
  if (HARD.test(text)) score += 1;
  return score >= 4 ? "high" : score >= 2 ? "medium" : "low";
}
