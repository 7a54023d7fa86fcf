import type { ChatRequest, Message } from "../../core/request.ts";

/** Roughly four characters per token, like the common BPE tokenizers on English text. */
const CHARS_PER_TOKEN = 4;
/** Role markers and separators around each message. */
const TOKENS_PER_MESSAGE = 4;
/** The priming of the assistant's reply. */
const TOKENS_PER_REPLY = 3;
/** What a low-detail image costs (OpenAI's figure); other details are priced higher. */
const IMAGE_TOKENS = { low: 85, auto: 765, high: 765 } as const;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Fractional tokens, for pacing output in time. */
export function paceTokens(text: string): number {
  return text.length / CHARS_PER_TOKEN;
}

/** The longest prefix of `text` that stays within `tokens`, never splitting a surrogate pair. */
export function cutToTokens(text: string, tokens: number): string {
  return safeSlice(text, Math.max(0, tokens) * CHARS_PER_TOKEN);
}

export function safeSlice(text: string, end: number): string {
  if (end >= text.length) return text;
  let cut = Math.max(0, end);
  const code = text.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut);
}

/** The plain text of a message, images left out. */
export function messageText(message: Message): string {
  switch (message.role) {
    case "system":
    case "tool":
      return message.content;
    case "user":
      if (typeof message.content === "string") return message.content;
      return message.content.map((p) => (p.type === "text" ? p.text : "")).join("\n");
    case "assistant":
      return [message.content ?? "", ...(message.toolCalls ?? []).map((c) => `${c.name} ${c.arguments}`)].join(" ");
    default: {
      const never: never = message;
      return never;
    }
  }
}

export function estimateMessageTokens(message: Message): number {
  let tokens = TOKENS_PER_MESSAGE + estimateTokens(messageText(message));
  if (message.role === "user" && typeof message.content !== "string") {
    for (const part of message.content) if (part.type === "image") tokens += IMAGE_TOKENS[part.detail ?? "auto"];
  }
  return tokens;
}

/** Input tokens of a whole request: messages, tool definitions and the response schema. */
export function estimateInputTokens(request: ChatRequest): number {
  let tokens = TOKENS_PER_REPLY;
  for (const message of request.messages) tokens += estimateMessageTokens(message);
  if (request.tools !== undefined && request.tools.length > 0) tokens += estimateTokens(JSON.stringify(request.tools));
  if (request.responseFormat?.type === "json_schema") tokens += estimateTokens(JSON.stringify(request.responseFormat.schema));
  return tokens;
}
