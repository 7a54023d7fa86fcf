import { z } from "zod";
import type { EmbeddingRequest } from "../../core/embeddings.ts";
import { GatewayError } from "../../core/errors.ts";
import { zodToBadRequest } from "./parse-chat-request.ts";

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1),
  ]),
  dimensions: z.number().int().positive().optional(),
  encoding_format: z.enum(["float", "base64"]).optional(),
  user: z.string().optional(),
});

const KNOWN = new Set(["model", "input", "dimensions", "encoding_format", "user"]);

/** Validates an OpenAI `/v1/embeddings` body and maps it to the core request. */
export function parseEmbeddingsRequest(body: unknown): { requestedModel: string; request: EmbeddingRequest } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("bad_request", "The request body must be a JSON object with `model` and `input`.");
  }
  const parsed = embeddingsRequestSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw zodToBadRequest(parsed.error);
  const b = parsed.data;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(b)) if (!KNOWN.has(key)) extra[key] = value;
  const input: string[] | number[][] =
    typeof b.input === "string"
      ? [b.input]
      : b.input.every((x): x is number => typeof x === "number")
        ? [b.input]
        : (b.input as string[] | number[][]);
  const request: EmbeddingRequest = { model: b.model, input, extra };
  if (b.dimensions !== undefined) request.dimensions = b.dimensions;
  if (b.encoding_format !== undefined) request.encodingFormat = b.encoding_format;
  if (b.user !== undefined) request.user = b.user;
  return { requestedModel: b.model, request };
}

/** The OpenAI `list` of embeddings for a core result (when the upstream's own body cannot be forwarded). */
export function encodeEmbeddingsResult(result: { model: string; embeddings: (number[] | string)[]; inputTokens: number }): Record<string, unknown> {
  return {
    object: "list",
    data: result.embeddings.map((embedding, index) => ({ object: "embedding", index, embedding })),
    model: result.model,
    usage: { prompt_tokens: result.inputTokens, total_tokens: result.inputTokens },
  };
}
