import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { chatCompletionBody, chatCompletionStreamEvents } from "./fake-chat-responses.ts";

/**
 * An OpenAI-like upstream with no artificial delay: `POST /v1/chat/completions` answers a canned
 * chat.completion, or the canned SSE stream when the body asks for `"stream": true`.
 * Run as a script it listens on 127.0.0.1, port 0, and prints `listening <port>`.
 */
export function createFakeUpstream(): Server {
  return createServer({ keepAliveTimeout: 30_000 }, (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `no route ${req.method ?? ""} ${req.url ?? ""}`, type: "invalid_request_error", code: "not_found", param: null } }));
      return;
    }
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      // A substring test instead of JSON.parse keeps the fake cheap; the bench bodies are ours.
      const stream = /"stream"\s*:\s*true/.test(Buffer.concat(parts).toString("utf8"));
      const common = { "x-request-id": "req_bench", "openai-processing-ms": "1", "openai-version": "2020-10-01" };
      if (!stream) {
        res.writeHead(200, { ...common, "content-type": "application/json", "content-length": chatCompletionBody.length });
        res.end(chatCompletionBody);
        return;
      }
      res.writeHead(200, { ...common, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
      for (const event of chatCompletionStreamEvents) res.write(event);
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
