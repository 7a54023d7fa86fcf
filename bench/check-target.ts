import { request } from "undici";

export interface TargetCheck {
  ok: boolean;
  detail: string;
}

/**
 * One request before the load, checking that the answer is a real one (a chat.completion with
 * content and usage, or a stream that carries usage and ends with [DONE]) and not an error a
 * load generator would count as success.
 */
export async function checkTarget(options: { url: string; body: string; stream: boolean }): Promise<TargetCheck> {
  try {
    const res = await request(options.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench" },
      body: options.body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await res.body.text();
    const overhead = res.headers["x-switchyard-overhead-ms"];
    const note = typeof overhead === "string" ? `, x-switchyard-overhead-ms ${overhead}` : "";
    if (res.statusCode !== 200) return { ok: false, detail: `HTTP ${res.statusCode}: ${text.slice(0, 300)}` };
    if (options.stream) {
      const events = text.split("\n\n").filter((e) => e.startsWith("data: "));
      if (events.at(-1) !== "data: [DONE]") return { ok: false, detail: `stream does not end with data: [DONE]; ends: ${text.slice(-200)}` };
      const usageChunk = events.slice(0, -1).some((e) => {
        const chunk = JSON.parse(e.slice("data: ".length)) as { usage?: { total_tokens?: number } | null };
        return (chunk.usage?.total_tokens ?? 0) > 0;
      });
      if (!usageChunk) return { ok: false, detail: "stream carries no usage chunk" };
      return { ok: true, detail: `200, ${events.length} SSE events ending in [DONE], usage present${note}` };
    }
    const body = JSON.parse(text) as { choices?: { message?: { content?: string } }[]; usage?: { total_tokens?: number } };
    const content = body.choices?.[0]?.message?.content;
    if (!content) return { ok: false, detail: `no choices[0].message.content: ${text.slice(0, 300)}` };
    if (!body.usage?.total_tokens) return { ok: false, detail: "no usage.total_tokens" };
    return { ok: true, detail: `200, ${content.length} chars of content, ${body.usage.total_tokens} tokens${note}` };
  } catch (err) {
    return { ok: false, detail: `request failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
