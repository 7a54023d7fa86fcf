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
  /** Paths without parameters, by method and path: the hot routes take two map lookups and build no key. */
  private readonly exact = new Map<string, Map<string, Handler>>();

  on(method: string, path: string, handler: Handler): this {
    const segments = path.split("/").filter(Boolean);
    this.routes.push({ method, segments, handler });
    if (!segments.some((s) => s.startsWith(":"))) {
      let paths = this.exact.get(method);
      if (paths === undefined) {
        paths = new Map();
        this.exact.set(method, paths);
      }
      paths.set(`/${segments.join("/")}`, handler);
    }
    return this;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const direct = this.exact.get(req.method ?? "")?.get(path);
    if (direct) {
      this.run(direct, req, res, {});
      return;
    }
    const parts = path.split("/").filter(Boolean);
    const allowed: string[] = [];
    for (const route of this.routes) {
      let params: Record<string, string> | null;
      try {
        params = match(route.segments, parts);
      } catch {
        sendError(res, new GatewayError("bad_request", `The path ${path} is not valid percent-encoding.`, { code: "invalid_path" }));
        return;
      }
      if (!params) continue;
      if (route.method !== req.method) {
        allowed.push(route.method);
        continue;
      }
      this.run(route.handler, req, res, params);
      return;
    }
    if (allowed.length > 0) {
      sendError(res, new GatewayError("bad_request", `Method ${req.method ?? "?"} is not allowed on ${path}. Use ${[...new Set(allowed)].join(" or ")}.`, { status: 405, code: "method_not_allowed" }), {
        allow: [...new Set(allowed)].join(", "),
      });
      return;
    }
    sendError(res, notFound(path));
  }

  private run(handler: Handler, req: IncomingMessage, res: ServerResponse, params: Record<string, string>): void {
    try {
      const done = handler(req, res, params);
      if (done) done.catch((err: unknown) => failed(res, err));
    } catch (err) {
      failed(res, err);
    }
  }
}

function failed(res: ServerResponse, err: unknown): void {
  // A handler's own GatewayError (a 401, a 404) is the answer; anything else is a bug.
  if (err instanceof GatewayError && err.kind !== "internal" && !res.headersSent) {
    sendError(res, err);
    return;
  }
  console.error("[switchyard] handler failed:", err);
  sendError(res, new GatewayError("internal", "internal error"));
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
