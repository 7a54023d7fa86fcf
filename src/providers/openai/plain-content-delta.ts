/*
 * Most messages of a Chat Completions stream carry nothing but a piece of text:
 *
 *   {"id":"…","object":"chat.completion.chunk","created":…,"model":"…",…,
 *    "choices":[{"index":0,"delta":{"content":" world"},"logprobs":null,"finish_reason":null}],"usage":null}
 *
 * Once the stream has started, such a message maps to one text delta and changes nothing else,
 * so it is recognised by its exact shape instead of being parsed: a pattern that describes the
 * whole message, so that anything else in it (a finish reason, usage, a tool call, reasoning, a
 * second choice, an error, an unknown key, unusual spacing) does not match and takes the full
 * parse. Strings here hold no quote, backslash or control character except the content, whose
 * escapes are decoded by JSON.parse.
 */

/** A JSON string with no escapes or control characters, or null. */
const SIMPLE = String.raw`(?:"[^"\\\u0000-\u001f]*"|null)`;
/** A JSON integer without leading zeros, or null. */
const INTEGER = String.raw`(?:0|[1-9][0-9]*|null)`;
/** The top-level members that may surround `choices`; none of them says anything once the stream started. */
const MEMBER = String.raw`(?:"(?:id|object|model|service_tier|system_fingerprint|obfuscation)": ?${SIMPLE}|"created": ?${INTEGER}|"usage": ?null)`;
/** The first choice, index 0, whose delta has content (and at most the assistant's role), with no finish reason. */
const CHOICE = String.raw`\{"index": ?0, ?"delta": ?\{(?:"role": ?"assistant", ?)?"content": ?"((?:[^"\\\u0000-\u001f]|\\.)*)"\}(?:, ?"logprobs": ?null|, ?"finish_reason": ?null)*\}`;
const PLAIN_CONTENT_DELTA = new RegExp(String.raw`^\{(?:${MEMBER}, ?)*"choices": ?\[${CHOICE}\](?:, ?${MEMBER})*\}$`);

/**
 * The text of a message that is a plain content delta (possibly ""), or null when the message
 * is anything else or not valid JSON, and must be parsed.
 */
export function plainContentDelta(data: string): string | null {
  const m = PLAIN_CONTENT_DELTA.exec(data);
  if (m === null) return null;
  const content = m[1] ?? "";
  if (!content.includes("\\")) return content;
  try {
    return JSON.parse(`"${content}"`) as string;
  } catch {
    return null;
  }
}
