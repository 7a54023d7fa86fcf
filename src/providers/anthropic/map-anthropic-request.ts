import type { ChatRequest, ToolChoice, ToolDefinition } from "../../core/request.ts";
import { DEFAULT_MAX_TOKENS, THINKING_BUDGET, type StructuredOutputMode } from "./anthropic-model-support.ts";
import { limitCacheBreakpoints, type PlacedBlock } from "./limit-cache-breakpoints.ts";
import { cacheControlOf, mapAnthropicMessages, type AnthropicTextBlock, type AnthropicWireMessage, type Cacheable } from "./map-anthropic-messages.ts";

export interface AnthropicRequestOptions {
  /** How a `json_schema` response format goes out: `output_format`, or a forced tool. */
  structuredOutput: StructuredOutputMode;
}

export interface MappedAnthropicRequest {
  body: Record<string, unknown>;
  /** Settings the Messages API cannot honour as asked (dropped or approximated), one sentence each. */
  warnings: string[];
  /** Beta features the body uses, for the `anthropic-beta` header. */
  betas: string[];
  /** The forced tool whose input is the answer (json_schema without native structured outputs). */
  jsonTool: string | null;
}

/** Native structured outputs and strict tools were launched behind this beta flag. */
export const STRUCTURED_OUTPUTS_BETA = "structured-outputs-2025-11-13";

/** Messages API `json_object` has no native counterpart; this instruction approximates it. */
export const JSON_OBJECT_INSTRUCTION = "Respond with a single valid JSON object and nothing else: no prose before or after it, no code fences.";

type AnthropicTool = { name: string; description?: string; input_schema: Record<string, unknown>; strict?: boolean } & Cacheable;

/** Keys of `request.extra` the Messages API takes as they are. */
const PASSTHROUGH = new Set(["top_k"]);

/** Core request → Messages API body, with what could not be sent as asked. Pure. */
export function mapAnthropicRequest(request: ChatRequest, options: AnthropicRequestOptions): MappedAnthropicRequest {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
  };
  const betas = new Set<string>();
  const native = options.structuredOutput === "native";
  const { system, messages } = mapAnthropicMessages(request.messages, warn);
  const body: Record<string, unknown> = { model: request.model, messages };

  let tools = request.tools?.map((t) => mapTool(t, native, betas, warn)) ?? [];
  let toolChoice = request.toolChoice;
  let jsonTool: string | null = null;
  const format = request.responseFormat;
  if (format?.type === "json_object") {
    system.push({ type: "text", text: JSON_OBJECT_INSTRUCTION });
    warn("response_format json_object has no Anthropic equivalent: approximated by a system instruction to answer with a JSON object");
  } else if (format?.type === "json_schema" && native) {
    body["output_format"] = { type: "json_schema", schema: format.schema };
    betas.add(STRUCTURED_OUTPUTS_BETA);
  } else if (format?.type === "json_schema") {
    // https://docs.claude.com/en/docs/build-with-claude/tool-use#json-mode
    jsonTool = format.name;
    tools = [...tools, { name: format.name, description: format.description ?? "Give the answer as this tool's input.", input_schema: format.schema }];
    if (toolChoice !== undefined) warn(`tool_choice was replaced by the forced tool \`${format.name}\` that carries the json_schema answer`);
    toolChoice = { type: "tool", name: format.name };
    warn(`response_format json_schema was sent as a forced tool call whose input is returned as the content (native structured outputs are off for ${request.model})`);
  }

  const wireChoice = toolChoice === undefined ? undefined : mapToolChoice(toolChoice, request.parallelToolCalls);
  const forcesTool = wireChoice?.["type"] === "any" || wireChoice?.["type"] === "tool";
  if (tools.length > 0) {
    body["tools"] = tools;
    if (wireChoice) body["tool_choice"] = wireChoice;
    else if (request.parallelToolCalls === false) body["tool_choice"] = { type: "auto", disable_parallel_tool_use: true };
  } else if (request.toolChoice !== undefined) {
    warn("tool_choice was not sent: the request has no tools");
  }
  const tooMany = limitCacheBreakpoints(placeBlocks(tools, system, messages));
  if (tooMany !== null) warn(tooMany);
  if (system.length > 0) body["system"] = systemValue(system);

  // Extended thinking: https://docs.claude.com/en/docs/build-with-claude/extended-thinking
  let budget = request.reasoningEffort === undefined ? null : THINKING_BUDGET[request.reasoningEffort];
  if (budget !== null && forcesTool) {
    warn(`reasoning_effort ${request.reasoningEffort} was not sent: Anthropic's extended thinking cannot be combined with a forced tool choice`);
    budget = null;
  }
  let maxTokens = request.maxOutputTokens ?? DEFAULT_MAX_TOKENS;
  if (budget !== null) {
    body["thinking"] = { type: "enabled", budget_tokens: budget };
    // The thinking budget is part of max_tokens, which must exceed it.
    if (request.maxOutputTokens === undefined) {
      maxTokens = budget + DEFAULT_MAX_TOKENS;
    } else if (maxTokens <= budget) {
      warn(`max_tokens ${maxTokens} was raised to ${budget + maxTokens}: it must exceed the thinking budget of ${budget} tokens (reasoning_effort ${request.reasoningEffort})`);
      maxTokens += budget;
    }
  }
  body["max_tokens"] = maxTokens;

  if (request.temperature !== undefined) {
    if (budget !== null && request.temperature !== 1) {
      warn(`temperature ${request.temperature} was not sent: Anthropic's extended thinking runs at temperature 1`);
    } else if (request.temperature > 1) {
      warn(`temperature ${request.temperature} was lowered to 1, the highest Anthropic accepts`);
      body["temperature"] = 1;
    } else {
      body["temperature"] = request.temperature;
    }
  }
  if (request.topP !== undefined) {
    if (budget !== null && request.topP < 0.95) warn(`top_p ${request.topP} was not sent: with extended thinking Anthropic takes top_p between 0.95 and 1`);
    else body["top_p"] = request.topP;
  }
  if (request.stop !== undefined && request.stop.length > 0) body["stop_sequences"] = request.stop;
  if (request.user !== undefined) body["metadata"] = { user_id: request.user };
  if (request.metadata !== undefined) warn("metadata was not sent: the Messages API takes only a user id (sent from `user`)");
  if (request.seed !== undefined) warn("seed was not sent: the Messages API has no seed");
  for (const [key, value] of Object.entries(request.extra)) {
    if (!PASSTHROUGH.has(key)) warn(`${key} was not sent: the Messages API has no such parameter`);
    else if (budget !== null) warn(`${key} was not sent: Anthropic's extended thinking does not take it`);
    else body[key] = value;
  }
  if (request.stream) body["stream"] = true;
  return { body, warnings, betas: [...betas], jsonTool };
}

/** One block per system message, each with its breakpoint; a lone plain one is sent as a string. */
function systemValue(system: AnthropicTextBlock[]): string | AnthropicTextBlock[] {
  const [only] = system;
  return system.length === 1 && only !== undefined && only.cache_control === undefined ? only.text : system;
}

/** The body's blocks that may carry a breakpoint, in the order the API reads the prompt. */
function placeBlocks(tools: readonly AnthropicTool[], system: readonly AnthropicTextBlock[], messages: readonly AnthropicWireMessage[]): PlacedBlock[] {
  return [
    ...tools.map((block, i) => ({ block, at: `tools[${i}]` })),
    ...system.map((block, i) => ({ block, at: `system[${i}]` })),
    ...messages.flatMap((m, i) => (typeof m.content === "string" ? [] : m.content.map((block, j) => ({ block, at: `messages[${i}].content[${j}]` })))),
  ];
}

function mapTool(tool: ToolDefinition, native: boolean, betas: Set<string>, warn: (message: string) => void): AnthropicTool {
  const mapped: AnthropicTool = {
    name: tool.name,
    ...(tool.description !== undefined && { description: tool.description }),
    // input_schema is required; a tool without parameters takes an empty object.
    input_schema: tool.parameters ?? { type: "object", properties: {} },
    ...cacheControlOf(tool.cacheControl),
  };
  if (tool.strict === true && native) {
    mapped.strict = true;
    betas.add(STRUCTURED_OUTPUTS_BETA);
  } else if (tool.strict === true) {
    warn(`strict was not sent for tool \`${tool.name}\`: the model has no strict tool use, so its arguments are not guaranteed to match the schema`);
  }
  return mapped;
}

function mapToolChoice(choice: ToolChoice, parallelToolCalls: boolean | undefined): Record<string, unknown> {
  const single = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (typeof choice === "object") return { type: "tool", name: choice.name, ...single };
  switch (choice) {
    case "auto":
      return { type: "auto", ...single };
    case "required":
      return { type: "any", ...single };
    case "none":
      return { type: "none" };
    default: {
      const never: never = choice;
      return never;
    }
  }
}
