import { GatewayError } from "../../core/errors.ts";
import type { ToolCall } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import { mapOpenAIFinishReason } from "./map-openai-finish-reason.ts";
import { mapOpenAIUsage } from "./map-openai-usage.ts";
import { firstIssue } from "../shared/first-issue.ts";
import { isOpenAICompletion } from "./check-openai-shapes.ts";
import { openAIChatCompletionSchema } from "./openai-schemas.ts";

export interface ResponseContext {
  provider: string;
  status: number;
  /** Used when the upstream leaves `model` / `created` out. */
  requestModel: string;
  nowSeconds: number;
}

/** A parsed Chat Completions body → core result; `openaiBody` keeps the body as it came. */
export function mapOpenAIResponse(body: unknown, context: ResponseContext): ChatResult {
  if (!isOpenAICompletion(body)) {
    // The schema, run only on this failure path, says what is wrong.
    const parsed = openAIChatCompletionSchema.safeParse(body);
    const issue = parsed.success ? "unexpected shape" : firstIssue(parsed.error);
    throw badResponse(context, `provider ${context.provider} answered with JSON that is not a chat completion (status ${context.status}): ${issue}`);
  }
  const completion = body;
  // n > 1 is not part of the core model: the first choice answers.
  const choice = completion.choices.find((c) => (c.index ?? 0) === 0) ?? completion.choices[0];
  if (!choice) throw badResponse(context, `provider ${context.provider} answered with a chat completion without choices (status ${context.status})`);
  const message = choice.message;
  const content =
    typeof message.content === "string" || message.content == null
      ? (message.content ?? null)
      : message.content.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
  const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call, i) => ({
    id: call.id ?? `call_${i}`,
    name: call.function.name,
    arguments: call.function.arguments ?? "",
  }));
  const reasoning = message.reasoning_content ?? message.reasoning ?? undefined;
  const result: ChatResult = {
    id: completion.id ?? "",
    model: completion.model ?? context.requestModel,
    created: completion.created ?? context.nowSeconds,
    content,
    toolCalls,
    finishReason: mapOpenAIFinishReason(choice.finish_reason),
    usage: completion.usage ? mapOpenAIUsage(completion.usage) : null,
    openaiBody: body as Record<string, unknown>,
  };
  if (reasoning != null) result.reasoning = reasoning;
  if (message.refusal !== undefined) result.refusal = message.refusal;
  return result;
}

function badResponse(context: ResponseContext, message: string): GatewayError {
  return new GatewayError("bad_response", message, { provider: context.provider, upstreamStatus: context.status });
}
