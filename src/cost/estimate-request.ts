import type { ChatRequest, ReasoningEffort } from "../core/request.ts";
import { computeCostMicroUsd } from "./compute-cost.ts";
import { o200kCounter, type CountTokens } from "./estimate-o200k.ts";
import { estimateTextTokens } from "./estimate-text-tokens.ts";
import { tokenProfileOf, type ProviderType, type TokenProfile } from "./estimate-token-profile.ts";
import type { ResolvedPrice } from "./resolve-price.ts";

export interface EstimateRequestOptions {
  /** The request as it goes to the target (`model` is the upstream id, unless `upstreamModel` says otherwise). */
  request: ChatRequest;
  /** The model id the request goes upstream under, when `request.model` is still the client's. */
  upstreamModel?: string | undefined;
  providerType: ProviderType;
  /** The target's resolved price; null when unknown (the cost is then null too). */
  price: ResolvedPrice | null;
  /** The target's context window in tokens (see contextWindowOf); null when unknown. */
  contextWindow: number | null;
  /** `models.<id>.max_output_tokens`: the output cap when the request sets none. */
  maxOutputTokens?: number | null | undefined;
  /**
   * Limits the caller will hold the estimate to — `tokens` on input + output, `costMicroUsd` on
   * the cost. An estimate that comes near one (or near the context window) is counted exactly.
   */
  caps?: { tokens?: number | undefined; costMicroUsd?: number | undefined } | undefined;
  /** The configured model id, for messages; defaults to `request.model`. */
  modelId?: string | undefined;
}

export interface RequestEstimate {
  /** The model named in messages. */
  model: string;
  /** Input tokens in the provider's own count: the best estimate, rounded up. */
  inputTokens: number;
  /** The fewest input tokens the prompt can plausibly be: what `checkFits` holds to the window. */
  minInputTokens: number;
  /** The output cap assumed: what a budget reservation should cover. */
  outputTokens: number;
  /** Where `outputTokens` came from: the request's max_tokens, the model config, or the default. */
  outputCap: "request" | "model" | "default";
  /** Output tokens that must fit in the context window with the prompt (0 where the provider does not add max_tokens to the prompt). */
  outputInWindow: number;
  /** `length`: estimated from characters; `o200k`: the texts were counted with the tokenizer. */
  method: "length" | "o200k";
  /** Counted with the provider's own tokenizer (OpenAI's o200k); framing and tool rendering are still within a few tokens. */
  exact: boolean;
  /** Integer micro-USD for `inputTokens` + `outputTokens`, none cached; null when the price is unknown. */
  costMicroUsd: number | null;
  contextWindow: number | null;
}

/**
 * How many tokens a request will take and cost at most, before it is sent. Cheap (~10 µs for a
 * 4k-token prompt) and without side effects but one: the texts are measured from their
 * characters, and counted with the o200k tokenizer only when a limit lies within the estimate's
 * error band — exact counting costs ~1 ms per 2k tokens, more than the gateway's whole overhead
 * budget. The tokenizer loads in the background (preloadO200k); until it has, such a request
 * keeps its length estimate, and only its low end is held against the context window.
 */
export function estimateRequest(options: EstimateRequestOptions): RequestEstimate {
  const { request, price, contextWindow } = options;
  const upstreamModel = options.upstreamModel ?? request.model;
  const profile = tokenProfileOf(options.providerType, upstreamModel);
  const { tokens: outputTokens, source: outputCap } = outputCapOf(request, options.maxOutputTokens);
  const outputInWindow = outputCap === "request" && profile.windowIncludesOutput ? outputTokens : 0;

  let method: RequestEstimate["method"] = "length";
  let measured = measureRequest(request, profile, lengthCounter(request));
  let input = inputRange(measured, profile, LENGTH_ERROR);
  const costOf = (inputTokens: number): number | null =>
    computeCostMicroUsd({ inputTokens, outputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, price);

  const caps = options.caps;
  const undecided =
    straddles(input.min + outputInWindow, input.max + outputInWindow, contextWindow) ||
    (caps?.tokens !== undefined && straddles(input.min + outputTokens, input.max + outputTokens, caps.tokens)) ||
    (caps?.costMicroUsd !== undefined && straddles(costOf(input.min), costOf(input.max), caps.costMicroUsd));
  const count = undecided ? o200kCounter() : null;
  if (count !== null) {
    method = "o200k";
    measured = measureRequest(request, profile, count);
    input = inputRange(measured, profile, { under: 0, over: 0 });
  }

  return {
    model: options.modelId ?? upstreamModel,
    inputTokens: input.best,
    minInputTokens: input.min,
    outputTokens,
    outputCap,
    outputInWindow,
    method,
    exact: method === "o200k" && profile.native,
    costMicroUsd: costOf(input.best),
    contextWindow,
  };
}

/**
 * How far the character-based estimate may be from the o200k count: on the calibration samples
 * (estimate-text-tokens.ts) it was at most 27% under and 40% over; 90% were within ±16%.
 */
const LENGTH_ERROR = { under: 0.28, over: 0.4 };

/**
 * The output cap assumed when neither the request nor the model config sets one. The estimate is
 * the upper bound a budget reserves, so it must cover long answers without letting reservations
 * alone exhaust a budget: 8,192 covers all but the longest answers and what the Anthropic adapter
 * sends without a cap (4,096 + a thinking budget of up to 4,096 at medium effort); high and xhigh
 * effort add their thinking budgets (16,384 and 32,768) to 4,096, as that adapter does, which also
 * covers what OpenAI's reasoning models typically spend at those efforts.
 */
export function defaultOutputCap(effort: ReasoningEffort | undefined): number {
  if (effort === "high") return 20_480;
  if (effort === "xhigh") return 36_864;
  return 8_192;
}

function outputCapOf(request: ChatRequest, configured: number | null | undefined): { tokens: number; source: RequestEstimate["outputCap"] } {
  if (request.maxOutputTokens !== undefined) return { tokens: request.maxOutputTokens, source: "request" };
  if (configured !== undefined && configured !== null) return { tokens: configured, source: "model" };
  return { tokens: defaultOutputCap(request.reasoningEffort), source: "default" };
}

/**
 * Characters the length estimate reads per request (~5–10 µs): the texts of a longer request are
 * sampled, each in proportion to its length but at least `MIN_SCAN_CHARS` and at most
 * `REQUEST_SCAN_CHARS` of it (tool definitions, not known in advance, get the most).
 */
const REQUEST_SCAN_CHARS = 2048;
const MIN_SCAN_CHARS = 128;

function lengthCounter(request: ChatRequest): CountTokens {
  let total = 0;
  for (const m of request.messages) {
    if (typeof m.content === "string") total += m.content.length;
    else if (m.content !== null) for (const part of m.content) total += part.type === "text" ? part.text.length : 0;
  }
  if (total <= REQUEST_SCAN_CHARS) return (text) => estimateTextTokens(text, REQUEST_SCAN_CHARS);
  return (text) => {
    const share = Math.ceil((REQUEST_SCAN_CHARS * text.length) / total);
    return estimateTextTokens(text, Math.min(REQUEST_SCAN_CHARS, Math.max(MIN_SCAN_CHARS, share)));
  };
}

/** o200k-scale tokens of the request's texts, and the tokens that do not scale with a tokenizer. */
interface Measured {
  text: number;
  framing: number;
  images: number;
}

function measureRequest(request: ChatRequest, profile: TokenProfile, count: CountTokens): Measured {
  let text = 0;
  let framing = profile.perRequest;
  let images = 0;
  for (const message of request.messages) {
    framing += profile.perMessage;
    switch (message.role) {
      case "system":
        text += count(message.content);
        break;
      case "user":
        if (message.name !== undefined) {
          framing += 1;
          text += count(message.name);
        }
        if (typeof message.content === "string") {
          text += count(message.content);
        } else {
          for (const part of message.content) {
            if (part.type === "text") text += count(part.text);
            else images += part.detail === "low" ? profile.image.low : profile.image.other;
          }
        }
        break;
      case "assistant":
        // Reasoning from earlier turns is left out: providers drop it from the context.
        if (message.content !== null) text += count(message.content);
        for (const call of message.toolCalls ?? []) {
          framing += profile.perToolCall;
          text += count(call.name) + count(call.arguments);
        }
        break;
      case "tool":
        framing += profile.perToolResult;
        text += count(message.content);
        break;
      default: {
        const never: never = message;
        return never;
      }
    }
  }
  if (request.tools !== undefined && request.tools.length > 0) {
    framing += profile.toolsPreamble;
    text += count(JSON.stringify(request.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }))));
  }
  if (request.responseFormat?.type === "json_schema") text += count(JSON.stringify(request.responseFormat.schema));
  return { text, framing, images };
}

/**
 * The input tokens at the provider: the best estimate; the least they can plausibly be (the
 * lowest tokenizer ratio, the length estimate as far over as it goes, images left out — a small
 * image costs far less than the figure assumed for one); and the most (the length estimate as far
 * under as it goes).
 */
function inputRange(m: Measured, profile: TokenProfile, error: { under: number; over: number }): { best: number; min: number; max: number } {
  return {
    best: Math.ceil(m.text * profile.factor) + m.framing + m.images,
    min: Math.floor((m.text * profile.minFactor) / (1 + error.over)) + m.framing,
    max: Math.ceil((m.text * profile.factor) / (1 - error.under)) + m.framing + m.images,
  };
}

/** Whether `limit` lies in [low, high): the estimate cannot tell which side of it the request is on. */
function straddles(low: number | null, high: number | null, limit: number | null | undefined): boolean {
  return low !== null && high !== null && limit !== null && limit !== undefined && low <= limit && limit < high;
}
