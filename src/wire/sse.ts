import type { GatewayError } from "../core/errors.ts";

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

/** One SSE `data:` frame. The payload is a JSON text (never contains a bare newline). */
export function sseData(data: string): string {
  return `data: ${data}\n\n`;
}

export const SSE_DONE = "data: [DONE]\n\n";

/**
 * The frame that ends a stream that broke after it started: an OpenAI-shaped error object as
 * data, which the official SDKs raise as an APIError. It is never followed by `[DONE]`.
 */
export function sseErrorFrame(error: GatewayError): string {
  return sseData(JSON.stringify(error.toOpenAI()));
}
