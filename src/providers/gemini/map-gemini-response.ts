import { GatewayError } from "../../core/errors.ts";
import type { ToolCall } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import { firstIssue } from "../shared/first-issue.ts";
import { firstCandidate, geminiResponseSchema } from "./gemini-schemas.ts";
import { mapGeminiFinishReason } from "./map-gemini-finish-reason.ts";
import { mapGeminiUsage } from "./map-gemini-usage.ts";

export interface GeminiResponseContext {
  provider: string;
  status: number;
  /** Used when the upstream leaves `modelVersion` out. */
  requestModel: string;
  /** Gemini answers carry no creation time. */
  nowSeconds: number;
}

/** A parsed generateContent body → core result: the first candidate's parts, in order. */
export function mapGeminiResponse(body: unknown, context: GeminiResponseContext): ChatResult {
  const parsed = geminiResponseSchema.safeParse(body);
  const answered = `provider ${context.provider} answered with`;
  if (!parsed.success) {
    throw badResponse(context, `${answered} JSON that is not a generateContent response (status ${context.status}): ${firstIssue(parsed.error)}`);
  }
  const response = parsed.data;
  const base = {
    id: response.responseId ?? "",
    model: response.modelVersion ?? context.requestModel,
    created: context.nowSeconds,
    usage: response.usageMetadata ? mapGeminiUsage(response.usageMetadata) : null,
  };
  const candidate = firstCandidate(response);
  if (!candidate) {
    // A prompt Gemini refuses to answer at all comes back without candidates.
    const blockReason = response.promptFeedback?.blockReason;
    if (blockReason) return { ...base, content: null, toolCalls: [], finishReason: { unified: "content_filter", raw: blockReason } };
    throw badResponse(context, `${answered} a response without candidates (status ${context.status})`);
  }
  const text: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (part.functionCall) {
      const call = part.functionCall;
      toolCalls.push({ id: call.id ?? `call_${toolCalls.length}`, name: call.name ?? "", arguments: JSON.stringify(call.args ?? {}) });
    } else if (part.text) {
      (part.thought === true ? thoughts : text).push(part.text);
    }
  }
  return {
    ...base,
    content: text.length > 0 ? text.join("") : null,
    ...(thoughts.length > 0 && { reasoning: thoughts.join("") }),
    toolCalls,
    finishReason: mapGeminiFinishReason(candidate.finishReason, toolCalls.length > 0),
  };
}

function badResponse(context: GeminiResponseContext, message: string): GatewayError {
  return new GatewayError("bad_response", message, { provider: context.provider, upstreamStatus: context.status });
}
