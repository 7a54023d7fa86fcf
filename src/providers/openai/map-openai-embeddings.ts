import { z } from "zod";
import type { EmbeddingRequest, EmbeddingResult } from "../../core/embeddings.ts";
import { GatewayError } from "../../core/errors.ts";

/** Core embeddings request → the OpenAI `/embeddings` body (unknown client keys pass through). */
export function mapOpenAIEmbeddingsRequest(request: EmbeddingRequest): Record<string, unknown> {
  return {
    ...request.extra,
    model: request.model,
    input: request.input,
    ...(request.dimensions !== undefined && { dimensions: request.dimensions }),
    ...(request.encodingFormat !== undefined && { encoding_format: request.encodingFormat }),
    ...(request.user !== undefined && { user: request.user }),
  };
}

const embeddingsSchema = z.looseObject({
  model: z.string().nullish(),
  data: z.array(z.looseObject({ index: z.number().nullish(), embedding: z.union([z.array(z.number()), z.string()]) })),
  usage: z.looseObject({ prompt_tokens: z.number().nullish() }).nullish(),
});

/** An OpenAI embeddings list → core result, vectors in input order. */
export function mapOpenAIEmbeddingsResponse(body: unknown, ctx: { provider: string; requestModel: string; text: string }): EmbeddingResult {
  const parsed = embeddingsSchema.safeParse(body);
  if (!parsed.success) {
    throw new GatewayError("bad_response", `provider ${ctx.provider} answered with JSON that is not an embeddings list`, { provider: ctx.provider });
  }
  const data = [...parsed.data.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return {
    model: parsed.data.model ?? ctx.requestModel,
    embeddings: data.map((d) => d.embedding),
    inputTokens: parsed.data.usage?.prompt_tokens ?? 0,
    openaiText: ctx.text,
  };
}
