import type { FinishReason } from "../../core/finish-reason.ts";
import type { ChatResult } from "../../core/result.ts";
import type { Usage } from "../../core/usage.ts";

/** OpenAI's `finish_reason` for a core finish reason. */
export function toOpenAIFinishReason(reason: FinishReason): string {
  switch (reason.unified) {
    case "stop":
    case "length":
    case "tool_calls":
    case "content_filter":
      return reason.unified;
    case "error":
    case "other":
      return "stop";
    default: {
      const never: never = reason.unified;
      return never;
    }
  }
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/**
 * The `chat.completion` object for a result. An upstream that already answered in this format
 * is returned as it came, so provider-specific fields (e.g. DeepSeek's `reasoning_content`) survive.
 */
export function encodeChatResult(result: ChatResult): Record<string, unknown> {
  if (result.openaiBody) return result.openaiBody;
  const message: Record<string, unknown> = { role: "assistant", content: result.content, refusal: result.refusal ?? null };
  if (result.reasoning !== undefined) message["reasoning_content"] = result.reasoning;
  if (result.toolCalls.length > 0) {
    message["tool_calls"] = result.toolCalls.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  const body: Record<string, unknown> = {
    id: result.id,
    object: "chat.completion",
    created: result.created,
    model: result.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toOpenAIFinishReason(result.finishReason) }],
  };
  if (result.usage) body["usage"] = toOpenAIUsage(result.usage);
  return body;
}
