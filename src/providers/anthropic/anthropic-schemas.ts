import { z } from "zod";

/*
 * What the adapter reads from Messages API answers. Loose on purpose: Anthropic keeps adding
 * block types (server_tool_use, *_tool_result, fallback, compaction…) and usage fields
 * (cache_creation, service_tier, iterations). Only what is read is checked.
 * https://docs.claude.com/en/api/messages
 */

const count = z.number().nullish();

export const anthropicUsageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  cache_read_input_tokens: count,
  cache_creation_input_tokens: count,
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

/** A content block; fields are read according to `type`, unknown types are skipped. */
const contentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.string().nullish(),
  id: z.string().nullish(),
  name: z.string().nullish(),
  input: z.unknown().optional(),
});
export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;

export const anthropicMessageSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  content: z.array(contentBlockSchema),
  stop_reason: z.string().nullish(),
  stop_details: z.looseObject({ explanation: z.string().nullish() }).nullish(),
  usage: anthropicUsageSchema.nullish(),
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

export const anthropicModelListSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string() })),
  has_more: z.boolean().nullish(),
  last_id: z.string().nullish(),
});
