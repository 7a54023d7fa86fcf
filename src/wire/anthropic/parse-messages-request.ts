import { GatewayError } from "../../core/errors.ts";
import type { CacheControl, ChatRequest, ContentPart, Message, ReasoningEffort, ToolChoice } from "../../core/request.ts";
import { toCoreCacheControl } from "./cache-control-schema.ts";
import { markLastCacheable } from "./mark-last-cacheable.ts";
import {
  messagesRequestSchema,
  type AnthropicImageBlock,
  type AnthropicMessage,
  type AnthropicMessagesRequest,
  type AnthropicTextBlock,
} from "./messages-request-schema.ts";
import { effortForBudget } from "./thinking-budget.ts";
import { zodToBadRequest } from "./zod-to-bad-request.ts";

/** What the Anthropic edge hands to dispatch: the core request plus what only the edge knows. */
export interface ParsedMessagesRequest {
  /** The `model` field as the client sent it. */
  requestedModel: string;
  request: ChatRequest;
  /** Parameters dropped or approximated on the way into the core request. */
  warnings: string[];
  /** The client turned thinking on, so the answer carries thinking blocks. */
  includeThinking: boolean;
  /** The client's `stop_sequences`, to name the one that ended the answer. */
  stopSequences: string[];
}

const KNOWN_KEYS = new Set([
  "model", "max_tokens", "messages", "system", "tools", "tool_choice", "stop_sequences", "temperature",
  "top_p", "top_k", "metadata", "thinking", "output_config", "stream", "cache_control",
]);

/** Text blocks that become one core text are joined by a line break, so words never run together. */
const JOIN = "\n";

const EFFORTS: Readonly<Record<string, ReasoningEffort>> = { low: "low", medium: "medium", high: "high", xhigh: "xhigh", max: "xhigh" };

/**
 * Validates a Messages body (already JSON-parsed) and maps it to the core request.
 * Core `extra` stays empty: it is forwarded verbatim to OpenAI-format upstreams, which answer
 * 400 to Anthropic-only names such as `top_k`; what has no core field is dropped with a warning.
 */
export function parseMessagesRequest(body: unknown): ParsedMessagesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("bad_request", "The request body must be a JSON object with `model`, `max_tokens` and `messages`.");
  }
  const parsed = messagesRequestSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw zodToBadRequest(parsed.error);
  const b = parsed.data;
  const warnings: string[] = [];
  const messages: Message[] = [];
  if (b.system !== undefined) messages.push(...systemMessages(b.system));
  for (const m of b.messages) messages.push(...mapMessage(m, warnings));

  let request: ChatRequest = { model: b.model, messages, maxOutputTokens: b.max_tokens, stream: b.stream === true, extra: {} };
  if (b.tools) {
    request.tools = b.tools.map((t) => ({
      name: t.name,
      parameters: t.input_schema,
      ...(t.description !== undefined && { description: t.description }),
      ...(t.strict !== undefined && { strict: t.strict }),
      ...cacheControlOf(t.cache_control),
    }));
  }
  if (b.tool_choice) {
    request.toolChoice = mapToolChoice(b.tool_choice);
    if (b.tool_choice.type !== "none" && b.tool_choice.disable_parallel_tool_use === true) request.parallelToolCalls = false;
  }
  if (b.stop_sequences !== undefined && b.stop_sequences.length > 0) request.stop = b.stop_sequences;
  if (b.temperature !== undefined) request.temperature = b.temperature;
  if (b.top_p !== undefined) request.topP = b.top_p;
  if (b.top_k !== undefined) warnings.push(`top_k ${b.top_k} was dropped: the gateway's request model has no top_k`);
  if (b.metadata?.user_id != null) request.user = b.metadata.user_id;
  const effort = reasoningEffortOf(b);
  if (effort !== undefined) request.reasoningEffort = effort;
  if (b.output_config?.format != null) request.responseFormat = { type: "json_schema", name: "output", schema: b.output_config.format.schema };
  const automatic = toCoreCacheControl(b.cache_control);
  if (automatic) request = markLastCacheable(request, automatic);
  const ignored = Object.keys(b).filter((key) => !KNOWN_KEYS.has(key));
  if (ignored.length > 0) warnings.push(`ignored parameter${ignored.length > 1 ? "s" : ""} the gateway does not map: ${ignored.join(", ")}`);

  const thinking = b.thinking;
  const includeThinking = (thinking?.type === "enabled" || thinking?.type === "adaptive") && thinking.display !== "omitted";
  return { requestedModel: b.model, request, warnings, includeThinking, stopSequences: b.stop_sequences ?? [] };
}

/** An explicit `output_config.effort` first; else a thinking budget read through the budget table. */
function reasoningEffortOf(b: AnthropicMessagesRequest): ReasoningEffort | undefined {
  if (b.output_config?.effort != null) return EFFORTS[b.output_config.effort];
  return b.thinking?.type === "enabled" ? effortForBudget(b.thinking.budget_tokens) : undefined;
}

function joinText(content: string | readonly { text: string }[]): string {
  return typeof content === "string" ? content : content.map((p) => p.text).join(JOIN);
}

/** `{ cacheControl }` when the block carries a breakpoint, else nothing: for spreading. */
function cacheControlOf(value: CacheControl | null | undefined): { cacheControl?: CacheControl } {
  const cacheControl = toCoreCacheControl(value);
  return cacheControl ? { cacheControl } : {};
}

/**
 * A system prompt given as blocks becomes one core system message per block, so that each
 * block's breakpoint stays where the client put it.
 */
function systemMessages(content: string | readonly AnthropicTextBlock[]): Message[] {
  if (typeof content === "string") return [{ role: "system", content }];
  return content.map((block) => ({ role: "system", content: block.text, ...cacheControlOf(block.cache_control) }));
}

const ASSISTANT_CACHE_CONTROL = "cache_control on assistant content was dropped: the gateway keeps cache breakpoints on system, user and tool_result blocks and on tools (mark the next user turn instead)";

function imageUrl(block: AnthropicImageBlock): string {
  const source = block.source;
  return source.type === "base64" ? `data:${source.media_type};base64,${source.data}` : source.url;
}

/**
 * One Anthropic turn → core messages. A user turn's tool_result blocks become `tool` messages,
 * placed before the rest of the turn: OpenAI-format upstreams need them right after the
 * assistant's tool calls (and Anthropic requires tool_result blocks to come first anyway).
 */
function mapMessage(m: AnthropicMessage, warnings: string[]): Message[] {
  switch (m.role) {
    case "system":
      return systemMessages(m.content);
    case "user": {
      if (typeof m.content === "string") return [{ role: "user", content: m.content }];
      const out: Message[] = [];
      const parts: ContentPart[] = [];
      for (const block of m.content) {
        switch (block.type) {
          case "text":
            parts.push({ type: "text", text: block.text, ...cacheControlOf(block.cache_control) });
            break;
          case "image":
            parts.push({ type: "image", url: imageUrl(block), ...cacheControlOf(block.cache_control) });
            break;
          case "tool_result": {
            const content = block.content ?? "";
            if (typeof content !== "string" && content.some((c) => c.type === "image")) {
              warnings.push(`images in the result of tool call ${block.tool_use_id} were dropped: tool results carry text only`);
            }
            const text = typeof content === "string" ? content : joinText(content.filter((c) => c.type === "text"));
            // The result becomes one text, so a breakpoint on one of its blocks moves to its end.
            const inner = typeof content === "string" ? undefined : content.findLast((c) => c.cache_control != null)?.cache_control;
            out.push({ role: "tool", toolCallId: block.tool_use_id, content: text, ...cacheControlOf(block.cache_control ?? inner) });
            break;
          }
          default: {
            const never: never = block;
            return never;
          }
        }
      }
      if (parts.length > 0 || out.length === 0) {
        const textOnly = parts.every((p) => p.type === "text" && p.cacheControl === undefined);
        out.push({ role: "user", content: textOnly ? parts.map((p) => (p.type === "text" ? p.text : "")).join(JOIN) : parts });
      }
      return out;
    }
    case "assistant": {
      if (typeof m.content === "string") return [{ role: "assistant", content: m.content }];
      const texts: string[] = [];
      const reasoning: string[] = [];
      const toolCalls: { id: string; name: string; arguments: string }[] = [];
      if (m.content.some((block) => "cache_control" in block && block.cache_control != null) && !warnings.includes(ASSISTANT_CACHE_CONTROL)) {
        warnings.push(ASSISTANT_CACHE_CONTROL);
      }
      for (const block of m.content) {
        switch (block.type) {
          case "text":
            texts.push(block.text);
            break;
          case "tool_use":
            toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
            break;
          // Thinking is not answer text. It is kept as the turn's reasoning, which adapters send back
          // only where the upstream wants it (DeepSeek's tool-call turns); redacted thinking is opaque.
          case "thinking":
            if (block.thinking !== "") reasoning.push(block.thinking);
            break;
          case "redacted_thinking":
            break;
          default: {
            const never: never = block;
            return never;
          }
        }
      }
      return [{
        role: "assistant",
        content: texts.length > 0 ? texts.join(JOIN) : null,
        ...(toolCalls.length > 0 && { toolCalls }),
        ...(reasoning.length > 0 && { reasoning: reasoning.join(JOIN) }),
      }];
    }
    default: {
      const never: never = m;
      return never;
    }
  }
}

function mapToolChoice(choice: NonNullable<AnthropicMessagesRequest["tool_choice"]>): ToolChoice {
  switch (choice.type) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      return { type: "tool", name: choice.name };
    default: {
      const never: never = choice;
      return never;
    }
  }
}
