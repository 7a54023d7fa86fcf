import { GatewayError } from "../../core/errors.ts";
import type { ToolCall } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import { firstIssue } from "../shared/first-issue.ts";
import { anthropicMessageSchema } from "./anthropic-schemas.ts";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason.ts";
import { mapAnthropicUsage } from "./map-anthropic-usage.ts";

export interface AnthropicResponseContext {
  provider: string;
  status: number;
  /** Used when the upstream leaves `model` out. */
  requestModel: string;
  /** The Messages API has no creation time; the answer's arrival stands in for it. */
  nowSeconds: number;
  /** The forced tool whose input is the answer's content (json_schema fallback), if any. */
  jsonTool: string | null;
}

/**
 * A parsed Messages API answer → core result. Text blocks make the content, thinking blocks the
 * reasoning, `tool_use` blocks the tool calls. Server-side tool blocks (web search, code
 * execution), redacted thinking and `fallback` markers are the provider's own business and skipped.
 */
export function mapAnthropicResponse(body: unknown, context: AnthropicResponseContext): ChatResult {
  const parsed = anthropicMessageSchema.safeParse(body);
  if (!parsed.success) {
    throw new GatewayError("bad_response", `provider ${context.provider} answered with JSON that is not a message (status ${context.status}): ${firstIssue(parsed.error)}`, {
      provider: context.provider,
      upstreamStatus: context.status,
    });
  }
  const message = parsed.data;
  const texts: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: ToolCall[] = [];
  let answeredByJsonTool = false;
  // With the json_schema fallback the tool's input is the whole answer: any text around it would
  // make the content invalid JSON (forced tool use normally has none).
  const keepText = context.jsonTool === null;
  for (const block of message.content) {
    if (block.type === "text") {
      if (keepText) texts.push(block.text ?? "");
    } else if (block.type === "thinking") {
      thoughts.push(block.thinking ?? "");
    } else if (block.type === "tool_use" && context.jsonTool !== null && block.name === context.jsonTool) {
      answeredByJsonTool = true;
      texts.push(JSON.stringify(block.input ?? {}));
    } else if (block.type === "tool_use") {
      toolCalls.push({ id: block.id ?? `toolu_${toolCalls.length}`, name: block.name ?? "", arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  const explanation = message.stop_reason === "refusal" ? message.stop_details?.explanation : undefined;
  return {
    id: message.id ?? "",
    model: message.model ?? context.requestModel,
    created: context.nowSeconds,
    content: texts.length > 0 ? texts.join("") : null,
    ...(thoughts.length > 0 && { reasoning: thoughts.join("") }),
    ...(explanation != null && { refusal: explanation }),
    toolCalls,
    finishReason: mapAnthropicStopReason(message.stop_reason, answeredByJsonTool),
    usage: message.usage ? mapAnthropicUsage(message.usage) : null,
  };
}
