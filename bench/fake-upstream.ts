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
      // A substring test instead of JSON.parse keeps the fake cheap; the bench bodies are ours.
      const stream = /"stream"\s*:\s*true/.test(Buffer.concat(parts).toString("utf8"));
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
