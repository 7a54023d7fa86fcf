import type { EmbeddingRequest, EmbeddingResult } from "../core/embeddings.ts";
import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import type { StreamBatch } from "../core/stream-event.ts";

/** The provider types Switchyard can speak to. */
export type ProviderType = "openai" | "openai-compatible" | "simulated" | "anthropic" | "gemini";

/** Per-call settings handed to an adapter by the dispatcher. */
export interface CallOptions {
  /** Aborted when the client goes away or a deadline passes; the adapter must stop its I/O. */
  signal: AbortSignal;
  /** Time allowed until the response headers (non-streaming: the whole body) arrive. */
  timeoutMs: number;
  /** Time allowed between two stream messages once the stream has started. */
  idleTimeoutMs: number;
  /**
   * Reports a request parameter the target cannot honour (dropped or approximated); it reaches
   * the receipt and the `x-switchyard-warning` header. Never drop a setting silently.
   */
  warn?: (message: string) => void;
}

/**
 * One configured provider. Adapters map the core request to the provider's wire format and
 * its answers back into core results and stream events; they never see another provider's format.
 * Failures are thrown (or, mid-stream, yielded as an `error` event) as `GatewayError`s whose
 * kind was classified from the upstream's status, body and headers.
 */
export interface ProviderAdapter {
  /** The configured provider name (`providers.<name>`). */
  readonly name: string;
  readonly type: ProviderType;
  chat(request: ChatRequest, options: CallOptions): Promise<ChatResult>;
  /**
   * Starts a streaming call. Resolves once the upstream has accepted it (so that an HTTP error
   * is thrown here, before anything reaches the client), then yields the upstream's messages in
   * order, in batches of those that arrived together.
   */
  chatStream(request: ChatRequest, options: CallOptions): Promise<AsyncIterable<StreamBatch>>;
  /** Embeddings, for providers that offer them. */
  embed?(request: EmbeddingRequest, options: CallOptions): Promise<EmbeddingResult>;
  /** The upstream model ids the provider serves, where its API can list them. */
  listModels?(options: { signal: AbortSignal }): Promise<string[]>;
  /** Releases connection pools. */
  close?(): Promise<void>;
}
