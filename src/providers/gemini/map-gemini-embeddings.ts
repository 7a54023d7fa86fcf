import { z } from "zod";
import type { EmbeddingRequest, EmbeddingResult } from "../../core/embeddings.ts";
import { GatewayError } from "../../core/errors.ts";

/** Gemini reports no token usage for embeddings; this estimate (≈4 characters a token) stands in. */
const CHARS_PER_TOKEN = 4;

/**
 * Core embeddings request → `batchEmbedContents` body
 * (https://ai.google.dev/api/embeddings#method:-models.batchembedcontents).
 */
export function mapGeminiEmbeddingsRequest(
  request: EmbeddingRequest,
  ctx: { provider: string; modelPath: string; warn: (message: string) => void },
): Record<string, unknown> {
  const texts = request.input.map((item, i) => {
    if (typeof item !== "string") {
      throw new GatewayError("bad_request", `provider ${ctx.provider} (gemini) embeds text only; input[${i}] is a list of token ids.`, {
        provider: ctx.provider,
        param: "input",
      });
    }
    return item;
  });
  if (request.encodingFormat === "base64") ctx.warn("encoding_format base64 is not offered by gemini; the vectors come back as floats");
  if (request.user !== undefined) ctx.warn("user is not sent: gemini has no such field");
  for (const key of Object.keys(request.extra)) ctx.warn(`${key} is not sent: gemini has no such field`);
  return {
    requests: texts.map((text) => ({
      model: ctx.modelPath,
      content: { parts: [{ text }] },
      ...(request.dimensions !== undefined && { outputDimensionality: request.dimensions }),
    })),
  };
}

const batchEmbedSchema = z.looseObject({ embeddings: z.array(z.looseObject({ values: z.array(z.number()) })) });

export function mapGeminiEmbeddingsResponse(
  body: unknown,
  ctx: { provider: string; request: EmbeddingRequest; warn: (message: string) => void },
): EmbeddingResult {
  const parsed = batchEmbedSchema.safeParse(body);
  if (!parsed.success || parsed.data.embeddings.length !== ctx.request.input.length) {
    throw new GatewayError("bad_response", `provider ${ctx.provider} answered with JSON that is not one embedding per input`, { provider: ctx.provider });
  }
  ctx.warn("gemini reports no token usage for embeddings: input tokens are estimated from the text length");
  const chars = ctx.request.input.reduce((sum, text) => sum + (typeof text === "string" ? text.length : 0), 0);
  return {
    model: ctx.request.model,
    embeddings: parsed.data.embeddings.map((e) => e.values),
    inputTokens: Math.ceil(chars / CHARS_PER_TOKEN),
  };
}
