import { z } from "zod";

/*
 * What the adapter reads from generateContent answers and stream fragments. Loose on purpose:
 * Gemini adds fields often (`thoughtSignature`, `createTime`, `trafficType`, grounding metadata)
 * and leaves many out (a stream fragment may carry only usage). Only what is read is checked.
 * https://ai.google.dev/api/generate-content#generatecontentresponse
 */

const count = z.number().nullish();

export const geminiUsageSchema = z.looseObject({
  /** Includes the cached tokens. */
  promptTokenCount: count,
  cachedContentTokenCount: count,
  /** The answer, without the thinking. */
  candidatesTokenCount: count,
  thoughtsTokenCount: count,
  /** Tool-use prompt tokens (e.g. code execution results fed back), billed as input. */
  toolUsePromptTokenCount: count,
  totalTokenCount: count,
});
export type GeminiUsage = z.infer<typeof geminiUsageSchema>;

/** One piece of a function call's arguments when Gemini streams them (`streamFunctionCallArguments`). */
export const geminiPartialArgSchema = z.looseObject({
  jsonPath: z.string(),
  stringValue: z.string().nullish(),
  numberValue: z.number().nullish(),
  boolValue: z.boolean().nullish(),
  nullValue: z.unknown().optional(),
  /** More of this string value follows in the next pieces. */
  willContinue: z.boolean().nullish(),
});
export type GeminiPartialArg = z.infer<typeof geminiPartialArgSchema>;

export const geminiFunctionCallSchema = z.looseObject({
  id: z.string().nullish(),
  name: z.string().nullish(),
  args: z.record(z.string(), z.unknown()).nullish(),
  partialArgs: z.array(geminiPartialArgSchema).nullish(),
  /** More pieces of this call follow. */
  willContinue: z.boolean().nullish(),
});
export type GeminiFunctionCall = z.infer<typeof geminiFunctionCallSchema>;

const partSchema = z.looseObject({
  text: z.string().nullish(),
  /** The part is a thought summary, not the answer. */
  thought: z.boolean().nullish(),
  functionCall: geminiFunctionCallSchema.nullish(),
});
export type GeminiPart = z.infer<typeof partSchema>;

const candidateSchema = z.looseObject({
  index: z.number().nullish(),
  content: z.looseObject({ role: z.string().nullish(), parts: z.array(partSchema).nullish() }).nullish(),
  finishReason: z.string().nullish(),
});
export type GeminiCandidate = z.infer<typeof candidateSchema>;

/** A whole answer, and also each stream fragment (the same shape, partly filled). */
export const geminiResponseSchema = z.looseObject({
  candidates: z.array(candidateSchema).nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().nullish(), blockReasonMessage: z.string().nullish() }).nullish(),
  usageMetadata: geminiUsageSchema.nullish(),
  modelVersion: z.string().nullish(),
  responseId: z.string().nullish(),
});
export type GeminiResponse = z.infer<typeof geminiResponseSchema>;

export const geminiModelListSchema = z.looseObject({
  models: z.array(z.looseObject({ name: z.string() })).nullish(),
  nextPageToken: z.string().nullish(),
});

/** The first candidate: Gemini answers with one unless `candidateCount` asks for more. */
export function firstCandidate(response: GeminiResponse): GeminiCandidate | undefined {
  const candidates = response.candidates ?? [];
  return candidates.find((c) => (c.index ?? 0) === 0) ?? candidates[0];
}
