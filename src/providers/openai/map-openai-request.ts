import type { ChatRequest, ContentPart, Message, ResponseFormat, ToolChoice, ToolDefinition } from "../../core/request.ts";

export type OpenAIAdapterType = "openai" | "openai-compatible";

/**
 * Core request → Chat Completions body. Keys of `request.extra` pass through unchanged; the
 * mapped keys win when both name the same parameter.
 */
export function mapOpenAIRequest(request: ChatRequest, type: OpenAIAdapterType): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request.extra };
  body["model"] = request.model;
  body["messages"] = request.messages.map((m) => mapMessage(m, type));
  if (request.tools) body["tools"] = request.tools.map(mapTool);
  if (request.toolChoice !== undefined) body["tool_choice"] = mapToolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body["parallel_tool_calls"] = request.parallelToolCalls;
  if (request.responseFormat) body["response_format"] = mapResponseFormat(request.responseFormat);
  // OpenAI deprecated max_tokens (reasoning models reject it); most compatible servers only know max_tokens.
  if (request.maxOutputTokens !== undefined) {
    body[type === "openai" ? "max_completion_tokens" : "max_tokens"] = request.maxOutputTokens;
  }
  if (request.temperature !== undefined) body["temperature"] = request.temperature;
  if (request.topP !== undefined) body["top_p"] = request.topP;
  if (request.stop !== undefined) body["stop"] = request.stop;
  if (request.seed !== undefined) body["seed"] = request.seed;
  if (request.user !== undefined) body["user"] = request.user;
  if (request.reasoningEffort !== undefined) body["reasoning_effort"] = request.reasoningEffort;
  if (request.metadata !== undefined) body["metadata"] = request.metadata;
  if (request.stream) {
    body["stream"] = true;
    // The gateway needs usage for receipts whether or not the client asked for it.
    const clientOptions = isRecord(request.extra["stream_options"]) ? request.extra["stream_options"] : {};
    body["stream_options"] = { ...clientOptions, include_usage: true };
  } else {
    delete body["stream"];
    delete body["stream_options"];
  }
  return body;
}

function mapMessage(message: Message, type: OpenAIAdapterType): Record<string, unknown> {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return {
        role: "user",
        content: typeof message.content === "string" ? message.content : message.content.map(mapPart),
        ...(message.name !== undefined && { name: message.name }),
      };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls !== undefined && message.toolCalls.length > 0 && {
          tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })),
        }),
        // DeepSeek's thinking mode answers 400 unless the reasoning of tool-call turns is sent back:
        // https://api-docs.deepseek.com/guides/thinking_mode#tool-calls. OpenAI does not take the field.
        ...(type === "openai-compatible" && message.reasoning !== undefined && { reasoning_content: message.reasoning }),
      };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    default: {
      const never: never = message;
      return never;
    }
  }
}

function mapPart(part: ContentPart): Record<string, unknown> {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "image":
      return { type: "image_url", image_url: { url: part.url, ...(part.detail !== undefined && { detail: part.detail }) } };
    default: {
      const never: never = part;
      return never;
    }
  }
}

function mapTool(tool: ToolDefinition): Record<string, unknown> {
  return {
    type: "function",
    function: {
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      ...(tool.parameters !== undefined && { parameters: tool.parameters }),
      ...(tool.strict !== undefined && { strict: tool.strict }),
    },
  };
}

function mapToolChoice(choice: ToolChoice): unknown {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

function mapResponseFormat(format: ResponseFormat): Record<string, unknown> {
  switch (format.type) {
    case "text":
    case "json_object":
      return { type: format.type };
    case "json_schema":
      return {
        type: "json_schema",
        json_schema: {
          name: format.name,
          schema: format.schema,
          ...(format.strict !== undefined && { strict: format.strict }),
          ...(format.description !== undefined && { description: format.description }),
        },
      };
    default: {
      const never: never = format;
      return never;
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
