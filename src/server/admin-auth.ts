import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { GatewayError } from "../core/errors.ts";

/**
 * Who may use `/admin`: with `server.admin_key` set, a request carrying
 * `authorization: Bearer <admin_key>`; without one, only clients on the loopback interface.
 * Returns the error to answer with, or null when the request may go on.
 */
export function checkAdminAccess(req: IncomingMessage, adminKey: string | undefined): GatewayError | null {
  if (adminKey !== undefined) {
    const token = bearerToken(req.headers.authorization);
    if (token !== null && sameSecret(token, adminKey)) return null;
    return new GatewayError(
      "bad_request",
      token === null
        ? "The admin API needs the admin key: send `authorization: Bearer <server.admin_key>`."
        : "The admin key in the authorization header is not this gateway's `server.admin_key`.",
      { status: 401, code: "invalid_admin_key" },
    );
  }
  if (isLoopback(req.socket.remoteAddress)) return null;
  return new GatewayError(
    "bad_request",
    "The admin API answers only to clients on this machine (127.0.0.1 / ::1) while no admin key is configured. Set `server.admin_key` in the config and send it as `authorization: Bearer <key>`.",
    { status: 403, code: "admin_forbidden" },
  );
}

/** Whether a request path is under `/admin` as the router would match it (empty segments ignored). */
export function isAdminPath(url: string): boolean {
  let i = 0;
  while (url.charCodeAt(i) === 47 /* / */) i++;
  if (!url.startsWith("admin", i)) return false;
  const next = url.charCodeAt(i + 5);
  return Number.isNaN(next) || next === 47 || next === 63 /* ? */;
}

function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** Compared as SHA-256 digests, so neither the content nor the length leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  if (address === "::1") return true;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
