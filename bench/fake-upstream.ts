import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicMessageBody, anthropicStreamEvents } from "./fake-anthropic-responses.ts";
import { chatCompletionBody, chatCompletionStreamEvents } from "./fake-chat-responses.ts";

interface Answer {
  json: Buffer;
  events: readonly string[];
  headers: Record<string, string>;
}

const OPENAI: Answer = {
  json: chatCompletionBody,
  events: chatCompletionStreamEvents,
  headers: { "x-request-id": "req_bench", "openai-processing-ms": "1", "openai-version": "2020-10-01" },
};
/** The upstream model id that always fails at once, for the fallback bench path. */
export const FAIL_FAST_MODEL = "fail-fast";
const FAIL_FAST_BODY = Buffer.from(JSON.stringify({ error: { message: "overloaded", type: "server_error" } }));
const FAIL_FAST_PATTERN = new RegExp(`"model"\\s*:\\s*"${FAIL_FAST_MODEL}"`);

const ANTHROPIC: Answer = {
  json: anthropicMessageBody,
  events: anthropicStreamEvents,
  headers: { "request-id": "req_bench", "anthropic-organization-id": "bench" },
};

/**
 * An upstream with no artificial delay that speaks two formats: `POST /v1/chat/completions`
 * answers like OpenAI (a canned chat.completion, or the canned SSE stream when the body asks for
 * `"stream": true`), `POST /v1/messages` like Anthropic (a canned message, or the canned event
 * stream; it wants an `x-api-key` and an `anthropic-version` header, as Anthropic does).
 * A Chat Completions request for the model `fail-fast` gets an immediate 503 with an OpenAI-style
 * error body (`overloaded`, `server_error`), streaming or not: the failing first target of the
 * fallback path.
 * Run as a script it listens on 127.0.0.1, port 0, and prints `listening <port>`.
 */
export function createFakeUpstream(): Server {
  return createServer({ keepAliveTimeout: 30_000 }, (req: IncomingMessage, res: ServerResponse) => {
    const answer = req.method !== "POST" ? undefined : req.url === "/v1/chat/completions" ? OPENAI : req.url === "/v1/messages" ? ANTHROPIC : undefined;
    if (answer === undefined) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no route ${req.method ?? ""} ${req.url ?? ""}`, type: "invalid_request_error", code: "not_found", param: null } }));
      return;
    }
    if (answer === ANTHROPIC && (req.headers["x-api-key"] === undefined || req.headers["anthropic-version"] === undefined)) {
      req.resume();
      res.writeHead(401, { "content-type": "application/json", ...answer.headers });
      res.end(JSON.stringify({ type: "error", error: { type: "authentication_error", message: "x-api-key and anthropic-version headers are required" } }));
      return;
    }
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      // Substring tests instead of JSON.parse keep the fake cheap; the bench bodies are ours.
      const text = Buffer.concat(parts).toString("utf8");
      if (answer === OPENAI && FAIL_FAST_PATTERN.test(text)) {
        res.writeHead(503, { ...answer.headers, "content-type": "application/json", "content-length": FAIL_FAST_BODY.length });
        res.end(FAIL_FAST_BODY);
        return;
      }
      const stream = /"stream"\s*:\s*true/.test(text);
      if (!stream) {
        res.writeHead(200, { ...answer.headers, "content-type": "application/json", "content-length": answer.json.length });
        res.end(answer.json);
        return;
      }
      res.writeHead(200, { ...answer.headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
      for (const event of answer.events) res.write(event);
      res.end();
    });
  });
}

if (import.meta.main) {
  const server = createFakeUpstream();
  server.listen(0, "127.0.0.1", () => {
    console.log(`listening ${(server.address() as AddressInfo).port}`);
  });
  process.on("SIGTERM", () => process.exit(0));
}
