import type { CacheControl, ChatRequest, Message } from "../../core/request.ts";

/**
 * A request-level `cache_control` (Anthropic's automatic caching, also taken by OpenRouter) means
 * a breakpoint on the last cacheable block; it becomes that explicit breakpoint in the core
 * request, so it reaches Anthropic and never an OpenAI-format upstream. The last user or tool
 * message is marked (an assistant prefill after it cannot carry one in the core request), else
 * the last system message, else the last tool. An item that is already marked keeps its own.
 * https://docs.claude.com/en/docs/build-with-claude/prompt-caching
 */
export function markLastCacheable(request: ChatRequest, cacheControl: CacheControl): ChatRequest {
  const messages = request.messages;
  const target = messages.findLastIndex((m) => m.role === "user" || m.role === "tool");
  const at = target >= 0 ? target : messages.findLastIndex((m) => m.role === "system");
  const message = messages[at];
  if (message) return { ...request, messages: messages.with(at, mark(message, cacheControl)) };
  const tools = request.tools ?? [];
  const last = tools.at(-1);
  if (!last) return request;
  return { ...request, tools: [...tools.slice(0, -1), { cacheControl, ...last }] };
}

function mark(message: Message, cacheControl: CacheControl): Message {
  switch (message.role) {
    case "system":
    case "tool":
      return { cacheControl, ...message };
    case "user": {
      if (typeof message.content === "string") return { ...message, content: [{ type: "text", text: message.content, cacheControl }] };
      const last = message.content.at(-1);
      if (!last) return message;
      return { ...message, content: [...message.content.slice(0, -1), { cacheControl, ...last }] };
    }
    case "assistant":
      return message;
    default: {
      const never: never = message;
      return never;
    }
  }
}
