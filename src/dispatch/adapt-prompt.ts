import type { ChatRequest, Message } from "../core/request.ts";
import type { ModelConfig } from "../config/schema.ts";

/**
 * A model's prompt adapter (`models.<id>.system_prompt`): its text goes before the request's
 * system messages (`prepend`), or stands in for them (`replace`). Prompts tuned for one model
 * version drift on the next; this keeps the fix in the config, not in every client.
 */
export function adaptPrompt(request: ChatRequest, model: ModelConfig | undefined): ChatRequest {
  const adapter = model?.system_prompt;
  if (!adapter) return request;
  const system: Message = { role: "system", content: adapter.text };
  const messages = adapter.mode === "replace" ? request.messages.filter((m) => m.role !== "system") : request.messages;
  return { ...request, messages: [system, ...messages] };
}
