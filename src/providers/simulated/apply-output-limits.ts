import type { ChatRequest } from "../../core/request.ts";
import type { Draft } from "./draft-answer.ts";
import { LENGTH, STOP } from "./draft-answer.ts";
import { cutToTokens, estimateTokens } from "./estimate-tokens.ts";

export interface LimitedAnswer extends Draft {
  reasoningTokens: number;
}

/** Tokens of what the client sees: text, tool names and arguments. */
export function visibleTokens(draft: Draft): number {
  let tokens = estimateTokens(draft.content ?? "");
  for (const call of draft.toolCalls) tokens += estimateTokens(call.name) + estimateTokens(call.arguments);
  return tokens;
}

/**
 * Stop sequences end the text early. `maxOutputTokens` counts hidden reasoning too, as OpenAI's
 * `max_completion_tokens` does: reasoning spends the budget first, the visible answer gets the rest.
 */
export function applyOutputLimits(draft: Draft, request: ChatRequest, plannedReasoning: number): LimitedAnswer {
  let { content, finishReason } = draft;
  if (content !== null) {
    const text = content;
    const hits = (request.stop ?? []).filter((s) => s.length > 0).map((s) => text.indexOf(s)).filter((i) => i >= 0);
    if (hits.length > 0) [content, finishReason] = [text.slice(0, Math.min(...hits)), STOP];
  }
  const budget = request.maxOutputTokens;
  if (budget === undefined) return { content, toolCalls: draft.toolCalls, finishReason, reasoningTokens: plannedReasoning };
  const reasoningTokens = Math.min(plannedReasoning, budget);
  if (plannedReasoning > reasoningTokens) finishReason = LENGTH;
  let remaining = budget - reasoningTokens;
  if (content !== null && estimateTokens(content) > remaining) [content, finishReason] = [cutToTokens(content, remaining), LENGTH];
  const toolCalls = draft.toolCalls.map((call) => {
    const argTokens = Math.max(0, remaining - estimateTokens(call.name));
    remaining = Math.max(0, argTokens - estimateTokens(call.arguments));
    if (estimateTokens(call.arguments) <= argTokens) return call;
    finishReason = LENGTH;
    return { ...call, arguments: cutToTokens(call.arguments, argTokens) };
  });
  return { content, toolCalls, finishReason, reasoningTokens };
}
