/** Provider-neutral chat request: what every client codec produces and every adapter consumes. */

export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image"; url: string; detail?: "auto" | "low" | "high" };

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: a JSON text, not yet parsed. */
  arguments: string;
}

export type Message =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ContentPart[]; name?: string }
  | { role: "assistant"; content: string | null; toolCalls?: ToolCall[]; reasoning?: string }
  | { role: "tool"; toolCallId: string; content: string };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
  strict?: boolean;
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
