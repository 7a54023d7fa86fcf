import { request } from "undici";

export interface TargetCheck {
  ok: boolean;
  detail: string;
}

/** The answer every path must deliver: the fake's text and usage, whichever format the fake spoke. */
export interface ExpectedAnswer {
  content: string;
  promptTokens: number;
  completionTokens: number;
}

/** What every request carries unless a target says otherwise: a placeholder, not a gateway key. */
export const DEFAULT_HEADERS: Readonly<Record<string, string>> = { authorization: "Bearer bench" };

interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

function usageMismatch(usage: WireUsage | null | undefined, expected: ExpectedAnswer): string | null {
  if (!usage?.total_tokens) return "no usage.total_tokens";
  const got = `${String(usage.prompt_tokens)} prompt + ${String(usage.completion_tokens)} completion = ${usage.total_tokens}`;
  if (usage.prompt_tokens !== expected.promptTokens || usage.completion_tokens !== expected.completionTokens || usage.total_tokens !== expected.promptTokens + expected.completionTokens) {
    return `usage ${got} tokens, the fake reported ${expected.promptTokens} prompt + ${expected.completionTokens} completion`;
  }
  return null;
}

function contentMismatch(content: string | undefined, expected: ExpectedAnswer): string | null {
  if (!content) return "no content";
  if (content !== expected.content) return `content ${JSON.stringify(content.slice(0, 120))} is not the fake's ${JSON.stringify(expected.content.slice(0, 120))}`;
  return null;
}

/**
 * One request before the load, checking that the answer is the real one (a chat.completion, or a
 * stream of chunks ending with [DONE], carrying the fake's text and usage) and not an error a load
 * generator would count as success.
 */
export async function checkTarget(options: {
  url: string;
  body: string;
  stream: boolean;
  expected: ExpectedAnswer;
  /** Response headers that must have these values (e.g. the lane and model that answered). */
  expectHeaders?: Readonly<Record<string, string>>;
  /** Request headers besides content-type; default `authorization: Bearer bench` (what the load sends). */
  headers?: Readonly<Record<string, string>>;
}): Promise<TargetCheck> {
  const { expected } = options;
  try {
    const res = await request(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(options.headers ?? DEFAULT_HEADERS) },
      body: options.body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await res.body.text();
    const overhead = res.headers["x-switchyard-overhead-ms"];
    const expectedHeaders = Object.entries(options.expectHeaders ?? {});
    const note =
      (typeof overhead === "string" ? `, x-switchyard-overhead-ms ${overhead}` : "") +
      expectedHeaders.map(([name]) => `, ${name} ${String(res.headers[name])}`).join("");
    if (res.statusCode !== 200) return { ok: false, detail: `HTTP ${res.statusCode}: ${text.slice(0, 300)}` };
    const wrongHeader = expectedHeaders.find(([name, value]) => res.headers[name] !== value);
    if (wrongHeader !== undefined) {
      return { ok: false, detail: `header ${wrongHeader[0]} is ${JSON.stringify(res.headers[wrongHeader[0]])}, expected ${JSON.stringify(wrongHeader[1])}${note}` };
    }
    if (options.stream) {
      const events = text.split("\n\n").filter((e) => e.startsWith("data: "));
      if (events.at(-1) !== "data: [DONE]") return { ok: false, detail: `stream does not end with data: [DONE]; ends: ${text.slice(-200)}` };
      let content = "";
      let usage: WireUsage | null = null;
      for (const e of events.slice(0, -1)) {
        const chunk = JSON.parse(e.slice("data: ".length)) as { choices?: { delta?: { content?: string | null } }[]; usage?: WireUsage | null };
        content += chunk.choices?.[0]?.delta?.content ?? "";
        if ((chunk.usage?.total_tokens ?? 0) > 0) usage = chunk.usage ?? null;
      }
      if (usage === null) return { ok: false, detail: "stream carries no usage chunk" };
      const wrong = contentMismatch(content, expected) ?? usageMismatch(usage, expected);
      if (wrong !== null) return { ok: false, detail: `stream: ${wrong}` };
      return { ok: true, detail: `200, ${events.length} SSE events (${text.length} bytes) ending in [DONE], ${content.length} chars of content, usage ${String(usage.total_tokens)} tokens${note}` };
    }
    const body = JSON.parse(text) as { choices?: { message?: { content?: string } }[]; usage?: WireUsage };
    const content = body.choices?.[0]?.message?.content;
    const wrong = contentMismatch(content, expected) ?? usageMismatch(body.usage, expected);
    if (wrong !== null) return { ok: false, detail: `${wrong}: ${text.slice(0, 300)}` };
    return { ok: true, detail: `200, ${String(content?.length)} chars of content (${text.length} bytes), ${String(body.usage?.total_tokens)} tokens${note}` };
  } catch (err) {
    return { ok: false, detail: `request failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * One request that must be turned away: the status and the OpenAI-style `error.code` it must get
 * (e.g. 401 `missing_api_key` from a gateway that requires keys, when no key is sent).
 */
export async function checkRefused(options: {
  url: string;
  body: string;
  headers: Readonly<Record<string, string>>;
  expectStatus: number;
  expectCode: string;
}): Promise<TargetCheck> {
  try {
    const res = await request(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body: options.body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await res.body.text();
    let code: unknown;
    try {
      code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    } catch {
      code = undefined;
    }
    const got = `HTTP ${res.statusCode}, error.code ${JSON.stringify(code)}`;
    if (res.statusCode !== options.expectStatus || code !== options.expectCode) {
      return { ok: false, detail: `${got}, expected HTTP ${options.expectStatus} ${options.expectCode}: ${text.slice(0, 300)}` };
    }
    const challenge = res.headers["www-authenticate"];
    return { ok: true, detail: `${got}${typeof challenge === "string" ? `, www-authenticate ${challenge}` : ""}` };
  } catch (err) {
    return { ok: false, detail: `request failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
