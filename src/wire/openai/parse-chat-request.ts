import type { z } from "zod";
import { GatewayError } from "../../core/errors.ts";
import type { CacheControl, ContentPart, ChatRequest, Message, ResponseFormat, ToolChoice } from "../../core/request.ts";
import { toCoreCacheControl } from "../anthropic/cache-control-schema.ts";
import { markLastCacheable } from "../anthropic/mark-last-cacheable.ts";
import { unwrapUnion } from "../anthropic/zod-to-bad-request.ts";
import { chatRequestSchema, type OpenAIChatMessage, type OpenAIChatRequest, type OpenAITextPart } from "./chat-request-schema.ts";
import { isPlainChatRequest } from "./check-chat-request.ts";

/** What the OpenAI edge hands to dispatch: the core request plus what only the edge knows. */
export interface ParsedChatRequest {
  /** The `model` field as the client sent it. */
  requestedModel: string;
  request: ChatRequest;
  /** The client asked for a final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** What was dropped on the way into the core request, one sentence each. */
  warnings: string[];
}

const KNOWN_KEYS = new Set([
  "model", "messages", "stream", "stream_options", "tools", "tool_choice", "parallel_tool_calls",
  "response_format", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed",
  "user", "reasoning_effort", "metadata", "n", "cache_control",
]);

/** Validates a Chat Completions body (already JSON-parsed) and maps it to the core request. */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("bad_request", "The request body must be a JSON object with `model` and `messages`.");
  }
  // The hand-written check vouches for the common bodies (zod would return them as they are);
  // anything else goes through zod, which accepts it or says what is wrong.
  const b = isPlainChatRequest(body) ? body : parseWithZod(body);
  const extra: Record<string, unknown> = {};
  for (const key in b) {
    if (!KNOWN_KEYS.has(key)) extra[key] = (b as Record<string, unknown>)[key];
  }
  const warnings: string[] = [];
  const messages: Message[] = [];
  for (const m of b.messages) mapMessage(m, messages, warnings);
  let request: ChatRequest = {
    model: b.model,
    messages,
    stream: b.stream === true,
    extra,
  };
  if (b.tools) {
    request.tools = b.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description !== undefined && { description: t.function.description }),
      ...(t.function.parameters !== undefined && { parameters: t.function.parameters }),
      ...(t.function.strict != null && { strict: t.function.strict }),
      // LiteLLM reads it beside `function` first, then inside it.
      ...cacheControlOf(t.cache_control ?? t.function.cache_control),
    }));
  }
  if (b.tool_choice !== undefined) request.toolChoice = mapToolChoice(b.tool_choice);
  if (b.parallel_tool_calls !== undefined) request.parallelToolCalls = b.parallel_tool_calls;
  if (b.response_format) request.responseFormat = mapResponseFormat(b.response_format);
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (maxTokens != null) request.maxOutputTokens = maxTokens;
  if (b.temperature != null) request.temperature = b.temperature;
  if (b.top_p != null) request.topP = b.top_p;
  if (b.stop != null) request.stop = typeof b.stop === "string" ? [b.stop] : b.stop;
  if (b.seed != null) request.seed = b.seed;
  if (b.user !== undefined) request.user = b.user;
  if (b.reasoning_effort != null) request.reasoningEffort = b.reasoning_effort;
  if (b.metadata != null) request.metadata = b.metadata;
  const automatic = toCoreCacheControl(b.cache_control);
  if (automatic) request = markLastCacheable(request, automatic);
  return { requestedModel: b.model, request, includeUsage: b.stream_options?.include_usage === true, warnings };
}

function parseWithZod(body: unknown): OpenAIChatRequest {
  const parsed = chatRequestSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw zodToBadRequest(parsed.error);
  return parsed.data;
}

function joinText(content: string | { text: string }[]): string {
  return typeof content === "string" ? content : content.map((p) => p.text).join("");
}

/** `{ cacheControl }` when there is a breakpoint, else nothing: for spreading. */
function cacheControlOf(value: CacheControl | null | undefined): { cacheControl?: CacheControl } {
  const cacheControl = toCoreCacheControl(value);
  return cacheControl ? { cacheControl } : {};
}

const ASSISTANT_CACHE_CONTROL = "cache_control on assistant messages was dropped: the gateway keeps cache breakpoints on system, user and tool messages and on tools (mark the next user message instead)";

/**
 * One client message → core messages, appended to `out`. A `cache_control` on the message
 * itself marks its end, as on its last part.
 */
function mapMessage(m: OpenAIChatMessage, out: Message[], warnings: string[]): void {
  // The common messages, plain text without a breakpoint, are built without the general path's spreads.
  if (typeof m.content === "string" && m.cache_control == null) {
    if (m.role === "system" || m.role === "developer") {
      out.push({ role: "system", content: m.content });
      return;
    }
    if (m.role === "user") {
      out.push(m.name === undefined ? { role: "user", content: m.content } : { role: "user", content: m.content, name: m.name });
      return;
    }
  }
  out.push(...mapAnyMessage(m, warnings));
}

function mapAnyMessage(m: OpenAIChatMessage, warnings: string[]): Message[] {
  switch (m.role) {
    case "system":
    case "developer":
      return systemMessages(m.content, m.cache_control);
    case "user": {
      if (typeof m.content === "string") {
        const marked = cacheControlOf(m.cache_control);
        const content: string | ContentPart[] = marked.cacheControl ? [{ type: "text", text: m.content, ...marked }] : m.content;
        return [{ role: "user", content, ...(m.name !== undefined && { name: m.name }) }];
      }
      const last = m.content.length - 1;
      const content = m.content.map((p, i): ContentPart => {
        const marked = cacheControlOf(p.cache_control ?? (i === last ? m.cache_control : undefined));
        return p.type === "text"
          ? { type: "text", text: p.text, ...marked }
          : { type: "image", url: p.image_url.url, ...(p.image_url.detail && { detail: p.image_url.detail }), ...marked };
      });
      return [{ role: "user", content, ...(m.name !== undefined && { name: m.name }) }];
    }
    case "assistant": {
      const parts = typeof m.content === "object" && m.content !== null ? m.content : [];
      if ((m.cache_control != null || parts.some((p) => p.cache_control != null)) && !warnings.includes(ASSISTANT_CACHE_CONTROL)) {
        warnings.push(ASSISTANT_CACHE_CONTROL);
      }
      return [{
        role: "assistant",
        content: m.content == null ? null : joinText(m.content),
        ...(m.tool_calls && {
          toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
        }),
        ...(m.reasoning_content != null && { reasoning: m.reasoning_content }),
      }];
    }
    case "tool": {
      // The result becomes one text, so a breakpoint on one of its parts moves to its end.
      const inner = typeof m.content === "string" ? undefined : m.content.findLast((p) => p.cache_control != null)?.cache_control;
      return [{ role: "tool", toolCallId: m.tool_call_id, content: joinText(m.content), ...cacheControlOf(m.cache_control ?? inner) }];
    }
    default: {
      const never: never = m;
      return never;
    }
  }
}

/**
 * System content parts are joined into one text, except at breakpoints: the parts up to each
 * marked one become a system message that carries its breakpoint, so that it stays in place.
 */
function systemMessages(content: string | readonly OpenAITextPart[], messageCache: CacheControl | null | undefined): Message[] {
  if (typeof content === "string") return [{ role: "system", content, ...cacheControlOf(messageCache) }];
  const out: Message[] = [];
  let texts: string[] = [];
  for (const part of content) {
    texts.push(part.text);
    if (part.cache_control != null) {
      out.push({ role: "system", content: texts.join(""), ...cacheControlOf(part.cache_control) });
      texts = [];
    }
  }
  if (texts.length > 0 || out.length === 0) out.push({ role: "system", content: texts.join(""), ...cacheControlOf(messageCache) });
  return out;
}

function mapToolChoice(choice: NonNullable<OpenAIChatRequest["tool_choice"]>): ToolChoice {
  return typeof choice === "string" ? choice : { type: "tool", name: choice.function.name };
}

function mapResponseFormat(format: NonNullable<OpenAIChatRequest["response_format"]>): ResponseFormat {
  switch (format.type) {
    case "text":
    case "json_object":
      return { type: format.type };
    case "json_schema": {
      const s = format.json_schema;
      return {
        type: "json_schema",
        name: s.name,
        schema: s.schema ?? {},
        ...(s.strict != null && { strict: s.strict }),
        ...(s.description !== undefined && { description: s.description }),
      };
    }
    default: {
      const never: never = format;
      return never;
    }
  }
}

/** Turns the first validation issue into a message that says what to fix and where. */
export function zodToBadRequest(error: z.ZodError): GatewayError {
  const first = error.issues[0];
  const issue = first && unwrapUnion(first);
  if (!issue) return new GatewayError("bad_request", "Invalid request body.");
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  const param = path === "" ? undefined : path;
  let message: string;
  if (issue.code === "invalid_type" && issue.input === undefined) {
    message = path === "messages"
      ? "Missing required parameter: 'messages' (an array of {role, content} objects)."
      : `Missing required parameter: '${path}'.`;
  } else if (issue.code === "too_small" && path === "messages") {
    message = "'messages' must contain at least one message.";
  } else if (issue.code === "invalid_union" && path.endsWith(".role")) {
    message = `Invalid value for '${path}': expected one of system, developer, user, assistant, tool.`;
  } else {
    message = `Invalid value for '${path || "body"}': ${issue.message}.`;
  }
  const more = error.issues.length > 1 ? ` (${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""} in the body)` : "";
  return new GatewayError("bad_request", message + more, { ...(param !== undefined && { param }), code: "invalid_request_error" });
}
