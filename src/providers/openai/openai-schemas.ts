import { z } from "zod";

/*
 * What the adapter reads from Chat Completions answers. Loose on purpose: compatible servers add
 * fields (DeepSeek `reasoning_content`, Groq `x_groq`, Azure `content_filter_results`) and leave
 * others out (Mistral tool calls have no `type`, no stream `index`). Only what is read is checked.
 */

const count = z.number().nullish();

export const openAIUsageSchema = z.looseObject({
  prompt_tokens: count,
  completion_tokens: count,
  total_tokens: count,
  prompt_tokens_details: z.looseObject({ cached_tokens: count }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: count }).nullish(),
  /** DeepSeek's name for cached input tokens. */
  prompt_cache_hit_tokens: count,
});
export type OpenAIUsage = z.infer<typeof openAIUsageSchema>;

/** Mistral's reasoning models answer with a list of parts instead of a string. */
const contentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]).nullish();

const toolCallSchema = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string(), arguments: z.string().nullish() }),
});

export const openAIChatCompletionSchema = z.looseObject({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: z.number().nullish(),
      message: z.looseObject({
        content: contentSchema,
        reasoning_content: z.string().nullish(),
        /** Groq and OpenRouter call it `reasoning`. */
        reasoning: z.string().nullish(),
        refusal: z.string().nullish(),
        tool_calls: z.array(toolCallSchema).nullish(),
      }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: openAIUsageSchema.nullish(),
});
export type OpenAIChatCompletion = z.infer<typeof openAIChatCompletionSchema>;

export const openAIChunkSchema = z.looseObject({
  id: z.string().nullish(),
  created: z.number().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().nullish(),
        delta: z
          .looseObject({
            content: z.string().nullish(),
            reasoning_content: z.string().nullish(),
            reasoning: z.string().nullish(),
            refusal: z.string().nullish(),
            tool_calls: z
              .array(
                z.looseObject({
                  index: z.number().nullish(),
                  id: z.string().nullish(),
                  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openAIUsageSchema.nullish(),
  error: z.unknown().optional(),
});
export type OpenAIChunk = z.infer<typeof openAIChunkSchema>;

export const openAIModelListSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string() })),
});

