/** Provider-neutral embeddings request. */
export interface EmbeddingRequest {
  /** The model id the upstream expects. */
  model: string;
  /** Texts to embed, or (OpenAI-format upstreams only) token-id arrays. */
  input: string[] | number[][];
  /** Requested vector length, where the model can shorten its vectors. */
  dimensions?: number;
  encodingFormat?: "float" | "base64";
  user?: string;
  /** Parameters the core does not name; same-format adapters pass them through. */
  extra: Record<string, unknown>;
}

/** Embeddings as a provider returned them, in input order. */
export interface EmbeddingResult {
  /** The model the upstream reports. */
  model: string;
  /** One vector per input, or base64 strings when `encodingFormat` was `base64`. */
  embeddings: (number[] | string)[];
  inputTokens: number;
  /** The upstream's body when it already is an OpenAI embeddings list, as it came. */
  openaiText?: string;
}
