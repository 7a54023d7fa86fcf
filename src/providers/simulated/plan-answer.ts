import { GatewayError } from "../../core/errors.ts";
import type { FinishReason } from "../../core/finish-reason.ts";
import type { ChatRequest, ToolCall } from "../../core/request.ts";
import type { Usage } from "../../core/usage.ts";
import { applyOutputLimits, visibleTokens } from "./apply-output-limits.ts";
import { SIMULATED_DIFFICULTIES } from "./catalogue.ts";
import type { SimulatedDifficulty, SimulatedModel, SimulatedTaskKind } from "./catalogue.ts";
import { composeReasoningSummary } from "./compose-text.ts";
import { draftAnswer } from "./draft-answer.ts";
import { estimateInputTokens } from "./estimate-tokens.ts";
import { inferTask } from "./infer-task.ts";
import type { SimulatedTask } from "./infer-task.ts";
import { deriveRng, hashString } from "./prng.ts";
import { extractPromptFacts } from "./prompt-facts.ts";
import type { SimMetadata } from "./read-sim-metadata.ts";

/** Everything a simulated call answers, decided up front; the adapter only adds time. */
export interface SimulatedAnswer {
  id: string;
  /** The reported model version. */
  model: string;
  content: string | null;
  reasoning?: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** Unscaled delay before the first byte, hidden reasoning included. */
  ttftMs: number;
  tokensPerSecond: number;
  task: SimulatedTask;
  /** Whether the draw gave a good answer (a cut by `maxOutputTokens` or `stop` aside). */
  outcome: "success" | "failure";
}

export interface PlanAnswerOptions {
  request: ChatRequest;
  model: SimulatedModel;
  seed: number;
  /** The `sim_*` overrides read from the request's metadata. */
  sim: SimMetadata;
  /** Configured provider name, for errors. */
  provider: string;
}

/** Typical answer length, in tokens, at medium difficulty. */
const ANSWER_TOKENS: Readonly<Record<SimulatedTaskKind, number>> = {
  chat: 60,
  summarization: 70,
  extraction: 40,
  classification: 4,
  code: 120,
  reasoning: 140,
  tool_use: 40,
};
const DIFFICULTY_LENGTH: Readonly<Record<SimulatedDifficulty, number>> = { low: 0.7, medium: 1, high: 1.6 };
const DIFFICULTY_REASONING: Readonly<Record<SimulatedDifficulty, number>> = { low: 0.5, medium: 1, high: 1.5 };
const MAX_SUCCESS_RATE = 0.995;

/** The whole answer as a pure function of (seed, model, request content). */
export function planAnswer(options: PlanAnswerOptions): SimulatedAnswer {
  const { request, model, sim } = options;
  const inputTokens = estimateInputTokens(request);
  checkLimits(options, inputTokens);
  // Only what a model would read shapes the answer: metadata (and its sim_* overrides) is left out.
  const read = JSON.stringify([request.messages, request.tools, request.toolChoice, request.responseFormat, request.seed]);
  const base = hashString(read, hashString(`${options.seed}|${model.id}`));

  const inferred = inferTask(request);
  const task: SimulatedTask = { kind: sim.taskKind ?? inferred.kind, difficulty: sim.difficulty ?? inferred.difficulty };
  const effort = model.reasoning === null ? undefined : request.reasoningEffort;
  const bonus = effort === undefined ? 0 : (model.reasoning?.successBonus[effort] ?? 0);
  const tableRate = model.successRates[task.kind][SIMULATED_DIFFICULTIES.indexOf(task.difficulty)] ?? 0;
  const rate = Math.min(MAX_SUCCESS_RATE, tableRate + bonus);
  const outcome = sim.outcome ?? (deriveRng(base, "outcome").chance(rate) ? "success" : "failure");

  const rng = deriveRng(base, "answer");
  const facts = extractPromptFacts(request);
  const length = ANSWER_TOKENS[task.kind] * DIFFICULTY_LENGTH[task.difficulty] * model.verbosity;
  const targetTokens = Math.max(1, Math.round(length * rng.between(0.8, 1.2)));
  const toolCallId = `call_sim_${deriveRng(base, "tool-call").hex(20)}`;
  const draft = draftAnswer({ request, task, outcome, facts, rng, targetTokens, toolCallId, provider: options.provider });

  let plannedReasoning = 0;
  if (effort !== undefined && model.reasoning !== null) {
    const spread = deriveRng(base, "reasoning").between(0.75, 1.25);
    plannedReasoning = Math.round(model.reasoning.tokens[effort] * DIFFICULTY_REASONING[task.difficulty] * spread);
  }
  const answer = applyOutputLimits(draft, request, plannedReasoning);

  const timing = deriveRng(base, "timing");
  const { jitter } = model;
  const tokensPerSecond = model.tokensPerSecond * timing.between(1 - jitter.throughput, 1 + jitter.throughput);
  const thinkingMs = (answer.reasoningTokens / tokensPerSecond) * 1000;
  const ttftMs = model.ttftMs * timing.between(1 - jitter.ttft, 1 + jitter.ttft) + thinkingMs;
  return {
    id: `simcmpl-${deriveRng(base, "id").hex(24)}`,
    model: model.version,
    content: answer.content,
    ...(answer.reasoningTokens > 0 ? { reasoning: composeReasoningSummary(facts) } : {}),
    toolCalls: answer.toolCalls,
    finishReason: answer.finishReason,
    usage: {
      inputTokens,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: visibleTokens(answer) + answer.reasoningTokens,
      reasoningTokens: answer.reasoningTokens,
    },
    ttftMs,
    tokensPerSecond,
    task,
    outcome,
  };
}

/** The checks a real upstream makes before it starts: output cap and context window. */
function checkLimits({ request, model, provider }: PlanAnswerOptions, inputTokens: number): void {
  const maxOutput = request.maxOutputTokens;
  if (maxOutput !== undefined && maxOutput > model.maxOutputTokens) {
    const message = `max output tokens is too large: ${maxOutput}; ${model.id} supports at most ${model.maxOutputTokens}`;
    throw new GatewayError("bad_request", message, { provider, param: "max_tokens", upstreamStatus: 400 });
  }
  const needed = inputTokens + (maxOutput ?? 0);
  if (needed > model.contextWindow) {
    const message = `${model.id}'s context window is ${model.contextWindow} tokens; the request needs about ${needed}`;
    throw new GatewayError("context_length", message, {
      provider,
      code: "context_length_exceeded",
      param: "messages",
      upstreamStatus: 400,
    });
  }
}
