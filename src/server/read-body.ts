import type { IncomingMessage } from "node:http";
import { GatewayError } from "../core/errors.ts";

/**
 * Reads a request body up to `limit` bytes. A larger body is refused as soon as it passes the
 * limit (without reading the rest), naming the limit and the setting that raises it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new GatewayError("client_closed", `reading the request body failed: ${err.message}`));
    };
    const onAborted = (): void => {
      cleanup();
      reject(new GatewayError("client_closed", "the client closed the connection while sending the body"));
    };
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onClose = (): void => {
      if (!req.complete) onAborted();
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    "payload_too_large",
    `The request body is larger than this gateway accepts (${limit} bytes). Send a smaller request, or raise server.max_body_bytes in the config.`,
    { code: "request_too_large" },
  );
}

/** Parses a JSON body, saying where it broke. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) {
    throw new GatewayError("bad_request", "The request body is empty; send a JSON object with `model` and `messages`.", { code: "invalid_json" });
  }
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new GatewayError("bad_request", `The request body is not valid JSON (${detail}). Send a JSON object with \`model\` and \`messages\`.`, {
      code: "invalid_json",
    });
  }
}
