import type { FinishReason } from "./finish-reason.ts";
import type { ToolCall } from "./request.ts";
import type { Usage } from "./usage.ts";

/** A complete (non-streaming) answer from a provider, normalised. */
export interface ChatResult {
  /** The provider's response id. */
  id: string;
  /** The exact model (version) the upstream says answered, e.g. `gpt-4o-2024-08-06`. */
  model: string;
  /** Unix seconds. */
  created: number;
  content: string | null;
  reasoning?: string;
  refusal?: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage | null;
  /**
   * The upstream's body when it already is an OpenAI chat completion, so that the OpenAI edge
   * can return it as it came (keeping provider-specific fields such as `reasoning_content`).
   */
  openaiBody?: Record<string, unknown>;
  /** That same body as the upstream sent it, byte for byte, so it can be forwarded unre-serialised. */
  openaiText?: string;
}
