import type { FinishReason } from "../../core/finish-reason.ts";
import type { ChatRequest, ToolCall } from "../../core/request.ts";
import { chooseTool, lastToolName } from "./choose-tool.ts";
import { composeAnswerText, composeOffTopicText } from "./compose-text.ts";
import { safeSlice } from "./estimate-tokens.ts";
import { generateFromSchema } from "./generate-from-schema.ts";
import type { SimulatedTask } from "./infer-task.ts";
import type { Rng } from "./prng.ts";
import type { PromptFacts } from "./prompt-facts.ts";

/** The visible answer before stop sequences and the output-token cap apply. */
export interface Draft {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
}

export interface DraftOptions {
  request: ChatRequest;
  task: SimulatedTask;
  outcome: "success" | "failure";
  facts: PromptFacts;
  rng: Rng;
  /** About how long a text answer should be. */
  targetTokens: number;
  toolCallId: string;
  /** Configured provider name, for errors. */
  provider: string;
}

export const STOP: FinishReason = { unified: "stop", raw: "stop" };
export const LENGTH: FinishReason = { unified: "length", raw: "length" };
const TOOL_CALLS: FinishReason = { unified: "tool_calls", raw: "tool_calls" };

/**
 * A good answer of the requested shape (tool call, JSON, text), or a visibly wrong one: tool
 * arguments or JSON that do not parse, text cut short or about something else.
 */
export function draftAnswer(options: DraftOptions): Draft {
  const { request, facts, rng, outcome } = options;
  const tool = chooseTool(request, facts, options.provider);
  if (tool !== null) {
    const schema = tool.parameters ?? { type: "object", properties: {} };
    const args = JSON.stringify(generateFromSchema(schema, { rng, facts }));
    const call = { id: options.toolCallId, name: tool.name };
    if (outcome === "success") return { content: null, toolCalls: [{ ...call, arguments: args }], finishReason: TOOL_CALLS };
    return { content: null, toolCalls: [{ ...call, arguments: truncateStrictly(args, rng) }], finishReason: LENGTH };
  }
  const format = request.responseFormat;
  if (format?.type === "json_schema" || format?.type === "json_object") {
    const value = format.type === "json_schema" ? generateFromSchema(format.schema, { rng, facts }) : jsonObjectAnswer(facts, rng);
    const json = JSON.stringify(value);
    return outcome === "success" ? text(json, STOP) : brokenJson(json, rng);
  }
  const { kind } = options.task;
  const textOptions = { kind, facts, rng, targetTokens: options.targetTokens, afterTool: lastToolName(request) };
  if (outcome === "success") return text(composeAnswerText(textOptions), STOP);
  // A code answer cut short is the realistic failure; a label has nothing to cut.
  const offTopic = kind === "classification" || (kind !== "code" && rng.chance(0.5));
  if (offTopic) return text(composeOffTopicText(facts, rng, options.targetTokens), STOP);
  return text(truncateStrictly(composeAnswerText(textOptions), rng), LENGTH);
}

function text(content: string, finishReason: FinishReason): Draft {
  return { content, toolCalls: [], finishReason };
}

function jsonObjectAnswer(facts: PromptFacts, rng: Rng): Record<string, unknown> {
  const [topic = "request", other = topic] = facts.words;
  return {
    topic,
    summary: `${topic} relates to ${other}.`,
    keywords: facts.words.slice(0, 3),
    ...(facts.names.length > 0 ? { names: facts.names } : {}),
    ...(facts.emails.length > 0 ? { emails: facts.emails } : {}),
    ...(facts.dates.length > 0 ? { dates: facts.dates } : {}),
    ...(facts.numbers.length > 0 ? { numbers: facts.numbers } : {}),
    confidence: Math.round(rng.between(0.6, 0.99) * 100) / 100,
  };
}

/** A strict prefix, cut at 30–70 % of the text. */
function truncateStrictly(full: string, rng: Rng): string {
  if (full.length < 2) return "";
  const end = Math.min(full.length - 1, Math.max(1, Math.floor(full.length * rng.between(0.3, 0.7))));
  return safeSlice(full, end) || full.slice(0, 1);
}

/** JSON that does not parse: cut short by the length limit, or wrapped in chatter. */
function brokenJson(json: string, rng: Rng): Draft {
  if (rng.chance(0.5)) {
    const cut = truncateStrictly(json, rng);
    // A prefix of a bare number can still parse; the chatter below never does.
    if (!parses(cut)) return text(cut, LENGTH);
  }
  return text(`Sure! Here is the JSON you asked for:\n${json}\nLet me know if you need anything else.`, STOP);
}

function parses(candidate: string): boolean {
  try {
    JSON.parse(candidate);
    return true;
  } catch {
    return false;
  }
}
