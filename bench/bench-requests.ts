/** The short chat request every direct-model path sends (the routed path sends its own prompts). */
export const DEFAULT_MESSAGES = [
  { role: "system", content: "You are a concise assistant for a logistics company. Answer in one or two sentences." },
  { role: "user", content: "Which rail yard should handle the overnight container transfer from Rotterdam, and why?" },
] as const;

/** An OpenAI chat completions body as the bench's client sends it. */
export function chatBody(model: string, messages: readonly { role: string; content: string }[], stream: boolean): string {
  return JSON.stringify({
    model,
    messages,
    temperature: 0.2,
    max_tokens: 256,
    ...(stream && { stream: true, stream_options: { include_usage: true } }),
  });
}
