import { z } from "zod";
import { cacheControlSchema } from "./cache-control-schema.ts";

/**
 * The client's Messages body (https://docs.anthropic.com/en/api/messages), validated at the
 * edge. Unknown top-level keys are kept so the parser can name them in a warning; unknown keys
 * inside blocks (`citations`, …) are stripped. `cache_control` is validated wherever the API takes
 * it on a block the gateway maps.
 */

const cache = { cache_control: cacheControlSchema };

const textBlock = z.object({ type: z.literal("text"), text: z.string(), ...cache });

const imageSource = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("base64"),
    media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"]),
    data: z.string().min(1),
  }),
  z.object({ type: z.literal("url"), url: z.string().min(1) }),
]);
const imageBlock = z.object({ type: z.literal("image"), source: imageSource, ...cache });

const toolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  ...cache,
});

const toolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion("type", [textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
  ...cache,
});

const thinkingBlock = z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.object({ type: z.literal("redacted_thinking"), data: z.string() });

const userBlock = z.discriminatedUnion("type", [textBlock, imageBlock, toolResultBlock]);
const assistantBlock = z.discriminatedUnion("type", [textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock]);

const messageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(userBlock)]) }),
  z.object({ role: z.literal("assistant"), content: z.union([z.string(), z.array(assistantBlock)]) }),
  // Newer API versions accept system turns inside `messages`.
  z.object({ role: z.literal("system"), content: z.union([z.string(), z.array(textBlock)]) }),
]);

const toolSchema = z.object({
  type: z.literal("custom", { message: "only client tools (type 'custom' or no type, with an input_schema) are supported; server tools run on Anthropic's side" }).nullish(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().optional(),
  ...cache,
});

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoiceSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auto"), ...parallel }),
  z.object({ type: z.literal("any"), ...parallel }),
  z.object({ type: z.literal("tool"), name: z.string().min(1), ...parallel }),
  z.object({ type: z.literal("none") }),
]);

const thinkingSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("enabled"), budget_tokens: z.number().int().positive(), display: z.enum(["summarized", "omitted"]).nullish() }),
  z.object({ type: z.literal("adaptive"), display: z.enum(["summarized", "omitted"]).nullish() }),
  z.object({ type: z.literal("disabled") }),
]);

const outputConfigSchema = z.object({
  effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullish(),
  format: z.object({ type: z.literal("json_schema"), schema: z.record(z.string(), z.unknown()) }).nullish(),
});

export const messagesRequestSchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(messageSchema).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  thinking: thinkingSchema.optional(),
  output_config: outputConfigSchema.optional(),
  stream: z.boolean().optional(),
  /** Automatic caching: a breakpoint on the last cacheable block. */
  cache_control: cacheControlSchema,
});

export type AnthropicMessagesRequest = z.output<typeof messagesRequestSchema>;
export type AnthropicMessage = z.output<typeof messageSchema>;
export type AnthropicUserBlock = z.output<typeof userBlock>;
export type AnthropicAssistantBlock = z.output<typeof assistantBlock>;
export type AnthropicImageBlock = z.output<typeof imageBlock>;
export type AnthropicTextBlock = z.output<typeof textBlock>;
export type AnthropicThinking = z.output<typeof thinkingSchema>;
