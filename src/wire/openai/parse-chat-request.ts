import type { z } from "zod";
import { GatewayError } from "../../core/errors.ts";
import type { ContentPart, ChatRequest, Message, ResponseFormat, ToolChoice } from "../../core/request.ts";
import { chatRequestSchema, type OpenAIChatMessage, type OpenAIChatRequest } from "./chat-request-schema.ts";

/** What the OpenAI edge hands to dispatch: the core request plus what only the edge knows. */
export interface ParsedChatRequest {
  /** The `model` field as the client sent it. */
  requestedModel: string;
  request: ChatRequest;
  /** The client asked for a final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
}

const KNOWN_KEYS = new Set([
  "model", "messages", "stream", "stream_options", "tools", "tool_choice", "parallel_tool_calls",
  "response_format", "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed",
  "user", "reasoning_effort", "metadata", "n",
]);

/** Validates a Chat Completions body (already JSON-parsed) and maps it to the core request. */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("bad_request", "The request body must be a JSON object with `model` and `messages`.");
  }
  const parsed = chatRequestSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw zodToBadRequest(parsed.error);
  const b = parsed.data;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(b)) {
    if (!KNOWN_KEYS.has(key)) extra[key] = value;
  }
  const request: ChatRequest = {
    model: b.model,
    messages: b.messages.map(mapMessage),
    stream: b.stream === true,
    extra,
  };
  if (b.tools) {
    request.tools = b.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description !== undefined && { description: t.function.description }),
      ...(t.function.parameters !== undefined && { parameters: t.function.parameters }),
      ...(t.function.strict != null && { strict: t.function.strict }),
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
  return { requestedModel: b.model, request, includeUsage: b.stream_options?.include_usage === true };
}

function joinText(content: string | { text: string }[]): string {
  return typeof content === "string" ? content : content.map((p) => p.text).join("");
}

function mapMessage(m: OpenAIChatMessage): Message {
  switch (m.role) {
    case "system":
    case "developer":
      return { role: "system", content: joinText(m.content) };
    case "user": {
      const content: string | ContentPart[] =
        typeof m.content === "string"
          ? m.content
          : m.content.map((p): ContentPart =>
              p.type === "text"
                ? { type: "text", text: p.text }
                : { type: "image", url: p.image_url.url, ...(p.image_url.detail && { detail: p.image_url.detail }) },
            );
      return { role: "user", content, ...(m.name !== undefined && { name: m.name }) };
    }
    case "assistant":
      return {
        role: "assistant",
        content: m.content == null ? null : joinText(m.content),
        ...(m.tool_calls && {
          toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
        }),
        ...(m.reasoning_content != null && { reasoning: m.reasoning_content }),
      };
    case "tool":
      return { role: "tool", toolCallId: m.tool_call_id, content: joinText(m.content) };
    default: {
      const never: never = m;
      return never;
    }
  }
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
  const issue = error.issues[0];
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
