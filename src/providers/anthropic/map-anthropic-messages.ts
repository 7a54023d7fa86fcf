import { GatewayError } from "../../core/errors.ts";
import type { CacheControl, ContentPart, Message } from "../../core/request.ts";

export type AnthropicImageSource = { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };

/** https://docs.claude.com/en/docs/build-with-claude/prompt-caching */
export interface AnthropicCacheControl {
  type: "ephemeral";
  ttl?: "5m" | "1h";
}

/** A block that may carry a cache breakpoint. */
export interface Cacheable {
  cache_control?: AnthropicCacheControl;
}

export type AnthropicTextBlock = { type: "text"; text: string } & Cacheable;

export type AnthropicBlock = (
  | { type: "text"; text: string }
  | { type: "image"; source: AnthropicImageSource }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  | { type: "tool_result"; tool_use_id: string; content: string }
) & Cacheable;

export interface AnthropicWireMessage {
  role: "user" | "assistant";
  /** A lone text block is sent as a plain string. */
  content: string | AnthropicBlock[];
}

export interface MappedMessages {
  /** One text block per system message, in order, each with its breakpoint (for the top-level `system`). */
  system: AnthropicTextBlock[];
  messages: AnthropicWireMessage[];
}

/**
 * Core messages → Messages API `messages`. System messages are hoisted out; tool results become
 * `tool_result` blocks of a user turn; consecutive turns of the same role are merged, because the
 * API wants user and assistant to alternate. https://docs.claude.com/en/api/messages
 */
export function mapAnthropicMessages(messages: readonly Message[], warn: (message: string) => void): MappedMessages {
  const system: AnthropicTextBlock[] = [];
  const turns: { role: "user" | "assistant"; blocks: AnthropicBlock[] }[] = [];
  const notes = new Set<string>();
  const note = (message: string): void => {
    if (!notes.has(message)) warn(message);
    notes.add(message);
  };
  for (const [i, message] of messages.entries()) {
    let role: "user" | "assistant";
    let blocks: AnthropicBlock[];
    switch (message.role) {
      case "system":
        system.push({ type: "text", text: message.content, ...cacheControlOf(message.cacheControl) });
        continue;
      case "user":
        if (message.name !== undefined) note("the Messages API has no participant names: `name` on user messages was not sent");
        role = "user";
        blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content.map((p, j) => mapPart(p, `messages[${i}].content[${j}]`, note));
        break;
      case "assistant":
        // Earlier reasoning is not sent back: the API only takes thinking blocks with their
        // signatures, which the core request does not carry (and it accepts turns without them).
        role = "assistant";
        blocks = [
          ...(message.content ? [{ type: "text" as const, text: message.content }] : []),
          ...(message.toolCalls ?? []).map((call, j): AnthropicBlock => ({
            type: "tool_use",
            id: call.id,
            name: call.name,
            input: parseToolInput(call.arguments, `messages[${i}].tool_calls[${j}].function.arguments`),
          })),
        ];
        break;
      case "tool":
        role = "user";
        blocks = [{ type: "tool_result", tool_use_id: message.toolCallId, content: message.content, ...cacheControlOf(message.cacheControl) }];
        break;
      default: {
        const never: never = message;
        return never;
      }
    }
    if (blocks.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  }
  return { system, messages: turns.map(toWireMessage) };
}

function toWireMessage(turn: { role: "user" | "assistant"; blocks: AnthropicBlock[] }): AnthropicWireMessage {
  const [only] = turn.blocks;
  if (turn.blocks.length === 1 && only?.type === "text" && only.cache_control === undefined) return { role: turn.role, content: only.text };
  // Tool results must open the user turn that answers the tool calls.
  const results = turn.blocks.filter((b) => b.type === "tool_result");
  const rest = turn.blocks.filter((b) => b.type !== "tool_result");
  return { role: turn.role, content: [...results, ...rest] };
}

function mapPart(part: ContentPart, param: string, note: (message: string) => void): AnthropicBlock {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text, ...cacheControlOf(part.cacheControl) };
    case "image":
      if (part.detail !== undefined && part.detail !== "auto") note(`the Messages API has no image detail setting: \`detail: ${part.detail}\` was not sent`);
      return { type: "image", source: imageSource(part.url, param), ...cacheControlOf(part.cacheControl) };
    default: {
      const never: never = part;
      return never;
    }
  }
}

/** `{ cache_control }` for a core breakpoint, else nothing: for spreading into a block. */
export function cacheControlOf(value: CacheControl | undefined): Cacheable {
  if (value === undefined) return {};
  return { cache_control: value.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: value.ttl } };
}

const DATA_URL = /^data:([^;,]+)(?:;[^;,]*)*?;base64,/i;

function imageSource(url: string, param: string): AnthropicImageSource {
  const data = DATA_URL.exec(url);
  if (data?.[1]) return { type: "base64", media_type: data[1].toLowerCase(), data: url.slice(data[0].length) };
  if (/^https?:\/\//i.test(url)) return { type: "url", url };
  const what = url.startsWith("data:") ? "a data URL that is not base64-encoded" : `a URL that is neither http(s) nor a base64 data URL (${url.slice(0, 40)})`;
  throw new GatewayError("bad_request", `${param}.image_url.url: ${what}; Anthropic takes base64 data URLs or http(s) URLs.`, { param: `${param}.image_url.url` });
}

/** Tool-call arguments as the model wrote them → the `input` object the API wants. */
function parseToolInput(args: string, param: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw new GatewayError("bad_request", `${param} is not valid JSON; Anthropic needs tool-call arguments as a JSON object.`, { param });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GatewayError("bad_request", `${param} must be a JSON object; Anthropic takes tool-call arguments as an object.`, { param });
  }
  return value as Record<string, unknown>;
}
