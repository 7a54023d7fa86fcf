import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError } from "../core/errors.ts";
import { notFound, sendError } from "./send.ts";

export type Handler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => void | Promise<void>;

interface RouteEntry {
  method: string;
  /** Literal path segments; a segment starting with `:` captures. */
  segments: string[];
  handler: Handler;
}

/** A small exact-match router: a handful of routes, matched by method and path segments. */
export class Router {
  private readonly routes: RouteEntry[] = [];

  on(method: string, path: string, handler: Handler): this {
    this.routes.push({ method, segments: path.split("/").filter(Boolean), handler });
    return this;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const parts = path.split("/").filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = match(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      Promise.resolve(route.handler(req, res, params)).catch((err: unknown) => {
        console.error("[switchyard] handler failed:", err);
        sendError(res, new GatewayError("internal", "internal error"));
      });
      return;
    }
    if (pathMatched) {
      sendError(res, new GatewayError("bad_request", `Method ${req.method ?? "?"} is not allowed on ${path}.`, { status: 405, code: "method_not_allowed" }));
      return;
    }
    sendError(res, notFound(path));
  }
}

function match(segments: string[], parts: string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const part = parts[i] as string;
    if (seg.startsWith(":")) params[seg.slice(1)] = decodeURIComponent(part);
    else if (seg !== part) return null;
  }
  return params;
}
