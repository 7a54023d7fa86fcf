import { GatewayError } from "../../core/errors.ts";
import type { ContentPart, Message, ToolCall } from "../../core/request.ts";

export interface GeminiContent {
  role: "user" | "model";
  parts: Record<string, unknown>[];
}

export interface MappedContents {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  warnings: string[];
}

/**
 * Gemini 3 refuses a function call in the history without the thought signature it came with
 * (400 "Function call is missing a thought_signature"). The core does not carry signatures
 * across turns, so every replayed call gets the value Google documents for calls it did not
 * sign: https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

/**
 * Core messages → `contents` (roles `user` / `model`) and `systemInstruction`. Tool results
 * become `functionResponse` parts of a user turn; consecutive turns of one role are merged,
 * as Gemini wants the answers to one turn's calls together.
 */
export function mapGeminiContents(messages: readonly Message[], provider: string): MappedContents {
  const contents: GeminiContent[] = [];
  const system: { text: string }[] = [];
  const warnings: string[] = [];
  const push = (role: GeminiContent["role"], parts: Record<string, unknown>[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const [i, message] of messages.entries()) {
    switch (message.role) {
      case "system":
        if (contents.length > 0) addOnce(warnings, "system messages after the conversation started were moved to Gemini's systemInstruction");
        system.push({ text: message.content });
        break;
      case "user":
        if (message.name !== undefined) addOnce(warnings, "user message `name` is not supported by Gemini and was dropped");
        push("user", typeof message.content === "string" ? [{ text: message.content }] : message.content.map((p) => mapPart(p, warnings, provider)));
        break;
      case "assistant":
        push("model", [
          ...(message.content ? [{ text: message.content }] : []),
          ...(message.toolCalls ?? []).map((call) => mapToolCall(call, i, provider)),
        ]);
        break;
      case "tool":
        push("user", [mapToolResult(messages, i, message.toolCallId, message.content, provider)]);
        break;
      default: {
        const never: never = message;
        return never;
      }
    }
  }
  return { contents, ...(system.length > 0 && { systemInstruction: { parts: system } }), warnings };
}

// `cacheControl` breakpoints are not sent: Gemini caches repeated prefixes implicitly (https://ai.google.dev/gemini-api/docs/caching).
function mapPart(part: ContentPart, warnings: string[], provider: string): Record<string, unknown> {
  switch (part.type) {
    case "text":
      return { text: part.text };
    case "image": {
      if (part.detail !== undefined && part.detail !== "auto") addOnce(warnings, `image detail "${part.detail}" is not supported by Gemini and was ignored`);
      const data = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(part.url);
      if (data) return { inlineData: { mimeType: data[1], data: data[2] } };
      if (/^(https?|gs):\/\//i.test(part.url)) {
        const mimeType = mimeTypeOf(part.url);
        return { fileData: { ...(mimeType && { mimeType }), fileUri: part.url } };
      }
      throw new GatewayError("bad_request", `${provider}: an image must be a base64 data URL or an http(s) URL, got ${part.url.slice(0, 40)}`, {
        provider,
      });
    }
    default: {
      const never: never = part;
      return never;
    }
  }
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", gif: "image/gif",
  heic: "image/heic", heif: "image/heif", pdf: "application/pdf",
};

function mimeTypeOf(url: string): string | undefined {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : MIME_TYPES[extension];
}

function mapToolCall(call: ToolCall, index: number, provider: string): Record<string, unknown> {
  let args: unknown;
  try {
    args = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch {
    args = undefined;
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new GatewayError("bad_request", `${provider}: messages[${index}]: the arguments of tool call ${call.id} are not a JSON object, which Gemini requires`, {
      provider,
    });
  }
  return { functionCall: { id: call.id, name: call.name, args }, thoughtSignature: SKIP_THOUGHT_SIGNATURE };
}

/** Gemini matches a function response to its call by name: found from the call's id in an earlier turn. */
function mapToolResult(messages: readonly Message[], index: number, id: string, content: string, provider: string): Record<string, unknown> {
  let name: string | undefined;
  for (let j = index - 1; j >= 0 && name === undefined; j--) {
    const earlier = messages[j];
    if (earlier?.role === "assistant") name = earlier.toolCalls?.find((c) => c.id === id)?.name;
  }
  if (name === undefined) {
    throw new GatewayError("bad_request", `${provider}: messages[${index}]: no earlier assistant message has a tool call with id ${id}`, { provider });
  }
  let response: unknown;
  try {
    response = JSON.parse(content);
  } catch {
    response = undefined;
  }
  const isObject = typeof response === "object" && response !== null && !Array.isArray(response);
  return { functionResponse: { id, name, response: isObject ? response : { content } } };
}

function addOnce(warnings: string[], warning: string): void {
  if (!warnings.includes(warning)) warnings.push(warning);
}
