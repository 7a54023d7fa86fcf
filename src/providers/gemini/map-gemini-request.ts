import type { ChatRequest, ResponseFormat, ToolChoice, ToolDefinition } from "../../core/request.ts";
import { geminiThinkingConfig } from "./gemini-thinking-config.ts";
import { mapGeminiContents } from "./map-gemini-contents.ts";
import { toGeminiSchema } from "./to-gemini-schema.ts";
import { unenforcedSchemaKeywords } from "./unenforced-schema-keywords.ts";

export interface MappedGeminiRequest {
  /** The generateContent body (the model goes in the URL). */
  body: Record<string, unknown>;
  /** Parameters Gemini cannot honour, for `CallOptions.warn`. */
  warnings: string[];
}

/** Client parameters outside the core model that Gemini has a name for. */
const EXTRA_TO_GENERATION_CONFIG: Readonly<Record<string, string>> = {
  presence_penalty: "presencePenalty",
  frequency_penalty: "frequencyPenalty",
  top_k: "topK",
};
/** Transport settings the adapter itself takes care of (usage always comes with a Gemini stream). */
const HANDLED_EXTRA = new Set(["stream", "stream_options"]);

/** Core request → generateContent body. https://ai.google.dev/api/generate-content#request-body */
export function mapGeminiRequest(request: ChatRequest, provider: string): MappedGeminiRequest {
  const { contents, systemInstruction, warnings } = mapGeminiContents(request.messages, provider);
  const body: Record<string, unknown> = { contents };
  if (systemInstruction) body["systemInstruction"] = systemInstruction;
  if (request.tools && request.tools.length > 0) body["tools"] = [{ functionDeclarations: mapTools(request.tools, warnings) }];
  if (request.toolChoice !== undefined) body["toolConfig"] = { functionCallingConfig: mapToolChoice(request.toolChoice) };
  const config = generationConfig(request, warnings);
  if (Object.keys(config).length > 0) body["generationConfig"] = config;
  if (request.parallelToolCalls === false) warnings.push("parallel_tool_calls false is not supported by Gemini (it may call several functions at once)");
  if (request.user !== undefined) warnings.push("user is not supported by Gemini and was not sent");
  if (request.metadata !== undefined) warnings.push("metadata is not supported by Gemini and was not sent");
  return { body, warnings };
}

function generationConfig(request: ChatRequest, warnings: string[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (request.maxOutputTokens !== undefined) config["maxOutputTokens"] = request.maxOutputTokens;
  if (request.temperature !== undefined) config["temperature"] = request.temperature;
  if (request.topP !== undefined) config["topP"] = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) config["stopSequences"] = request.stop;
  if (request.seed !== undefined) config["seed"] = request.seed;
  if (request.responseFormat) Object.assign(config, mapResponseFormat(request.responseFormat, warnings));
  if (request.reasoningEffort !== undefined) {
    const thinking = geminiThinkingConfig(request.model, request.reasoningEffort);
    if (thinking.config) config["thinkingConfig"] = thinking.config;
    if (thinking.warning) warnings.push(thinking.warning);
  }
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(request.extra)) {
    const mapped = EXTRA_TO_GENERATION_CONFIG[key];
    if (mapped !== undefined) config[mapped] = value;
    else if (key === "n" && value === 1) continue;
    else if (!HANDLED_EXTRA.has(key)) dropped.push(key);
  }
  if (dropped.length > 0) warnings.push(`not supported by Gemini and not sent: ${dropped.join(", ")}`);
  return config;
}

/**
 * A json_schema goes to `responseJsonSchema`, not `responseSchema`: it takes the client's JSON
 * Schema as it is (`$ref`, `additionalProperties`, type arrays), where `responseSchema` would
 * need the lossy conversion tools get, so the model is held to the same schema the gateway
 * validates against. Keywords it accepts but does not enforce are reported.
 */
function mapResponseFormat(format: ResponseFormat, warnings: string[]): Record<string, unknown> {
  switch (format.type) {
    case "text":
      return {};
    case "json_object":
      return { responseMimeType: "application/json" };
    case "json_schema": {
      const unenforced = unenforcedSchemaKeywords(format.schema);
      if (unenforced.length > 0) warnings.push(`response_format json_schema: Gemini does not enforce ${unenforced.join(", ")}`);
      return { responseMimeType: "application/json", responseJsonSchema: format.schema };
    }
    default: {
      const never: never = format;
      return never;
    }
  }
}

function mapTools(tools: readonly ToolDefinition[], warnings: string[]): Record<string, unknown>[] {
  const dropped = new Set<string>();
  const declarations = tools.map((tool) => {
    const converted = tool.parameters ? toGeminiSchema(tool.parameters) : undefined;
    for (const keyword of converted?.dropped ?? []) dropped.add(keyword);
    return {
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      ...(converted?.schema !== undefined && { parameters: converted.schema }),
    };
  });
  if (dropped.size > 0) warnings.push(`tool parameters: JSON Schema keywords Gemini does not support were dropped: ${[...dropped].join(", ")}`);
  return declarations;
}

function mapToolChoice(choice: ToolChoice): Record<string, unknown> {
  switch (choice) {
    case "auto":
      return { mode: "AUTO" };
    case "required":
      return { mode: "ANY" };
    case "none":
      return { mode: "NONE" };
    default:
      return { mode: "ANY", allowedFunctionNames: [choice.name] };
  }
}
