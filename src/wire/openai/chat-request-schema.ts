import { z } from "zod";
import { cacheControlSchema } from "../anthropic/cache-control-schema.ts";

/**
 * The client's Chat Completions body, validated at the edge. Unknown top-level keys are kept
 * (they pass through to same-format upstreams); known keys must have the right types.
 *
 * `cache_control` is not OpenAI's: OpenRouter- and LiteLLM-style clients put Anthropic's prompt
 * caching breakpoints on content parts, on whole messages, on tools (beside or inside
 * `function`) and on the request itself. It is validated here and kept in the core request; only Anthropic upstreams get it.
 */

const cache = { cache_control: cacheControlSchema };

const textPart = z.object({ type: z.literal("text"), text: z.string(), ...cache });
const imagePart = z.object({
  type: z.literal("image_url"),
  image_url: z.object({ url: z.string(), detail: z.enum(["auto", "low", "high"]).optional() }),
  ...cache,
});
const contentPart = z.discriminatedUnion("type", [textPart, imagePart]);

const toolCallSchema = z.object({
  id: z.string(),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const textContent = z.union([z.string(), z.array(textPart)]);

const messageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content: textContent, name: z.string().optional(), ...cache }),
  z.object({ role: z.literal("developer"), content: textContent, name: z.string().optional(), ...cache }),
  z.object({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(contentPart)]),
    name: z.string().optional(),
    ...cache,
  }),
  z.object({
    role: z.literal("assistant"),
    content: textContent.nullish(),
    tool_calls: z.array(toolCallSchema).optional(),
    reasoning_content: z.string().nullish(),
    refusal: z.string().nullish(),
    name: z.string().optional(),
    ...cache,
  }),
  z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string(), ...cache }),
]);

const toolSchema = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
    ...cache,
  }),
  ...cache,
});

const toolChoiceSchema = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
]);

const responseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormatSchema.optional(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().optional(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  n: z.literal(1, { message: "only n = 1 is supported" }).nullish(),
  /** OpenRouter's automatic caching: a breakpoint on the last cacheable block. */
  cache_control: cacheControlSchema,
});

export type OpenAIChatRequest = z.output<typeof chatRequestSchema>;
export type OpenAIChatMessage = z.output<typeof messageSchema>;
export type OpenAITextPart = z.output<typeof textPart>;
