/** Provider-neutral chat request: what every client codec produces and every adapter consumes. */

/**
 * A prompt-cache breakpoint: the provider may cache the prompt up to and including the item that
 * carries it (in the order tools → system → messages), and later requests that repeat that
 * prefix read it from the cache. `ttl` defaults to 5 minutes. Only providers with explicit
 * caching (Anthropic) send it; the others cache prefixes on their own and ignore it.
 * https://docs.claude.com/en/docs/build-with-claude/prompt-caching
 */
export interface CacheControl {
  type: "ephemeral";
  ttl?: "5m" | "1h";
}

export type ContentPart =
  | { type: "text"; text: string; cacheControl?: CacheControl }
  | { type: "image"; url: string; detail?: "auto" | "low" | "high"; cacheControl?: CacheControl };

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: a JSON text, not yet parsed. */
  arguments: string;
}

/**
 * One turn. A request may carry several system messages: each is kept apart (with its own cache
 * breakpoint) where the upstream takes several system blocks, and they are not required to come
 * first. A user message whose breakpoint matters uses content parts.
 */
export type Message =
  | { role: "system"; content: string; cacheControl?: CacheControl }
  | { role: "user"; content: string | ContentPart[]; name?: string }
  | { role: "assistant"; content: string | null; toolCalls?: ToolCall[]; reasoning?: string }
  | { role: "tool"; toolCallId: string; content: string; cacheControl?: CacheControl };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
  strict?: boolean;
  /** A breakpoint after this tool's definition (tools come first in the cached prefix). */
  cacheControl?: CacheControl;
}

export type ToolChoice = "auto" | "none" | "required" | { type: "tool"; name: string };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh";

export interface ChatRequest {
  /** The model id the upstream provider expects (already resolved from aliases, routes, …). */
  model: string;
  messages: Message[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  user?: string;
  reasoningEffort?: ReasoningEffort;
  metadata?: Record<string, string>;
  stream: boolean;
  /**
   * Parameters the client sent that the core model does not name (e.g. `logprobs`,
   * `presence_penalty`). Same-format adapters pass them through; others report a warning.
   */
  extra: Record<string, unknown>;
}
