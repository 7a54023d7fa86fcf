/** Small readers of upstream HTTP answers, shared by every network adapter. */

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** A header's (first) value. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** JSON when the text is JSON, else the text itself (for error bodies, which may be anything). */
export function parseLoosely(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * How long the upstream asked us to wait: `retry-after-ms`, else `retry-after` in seconds or as
 * an HTTP date (https://www.rfc-editor.org/rfc/rfc9110#field.retry-after).
 */
export function retryAfterFromHeaders(headers: Headers, nowMs: number): number | undefined {
  const msText = headerValue(headers["retry-after-ms"]);
  const ms = Number(msText);
  if (msText !== undefined && Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = headerValue(headers["retry-after"])?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Removes API keys from a message before it can reach a client, a log or a receipt. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) if (secret.length >= 8) out = out.replaceAll(secret, "[redacted]");
  return out;
}
