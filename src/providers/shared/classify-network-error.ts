import { GatewayError } from "../../core/errors.ts";

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/**
 * A transport failure (refused, reset, DNS, socket closed mid-body) → `network`; undici's own
 * timeouts → `timeout`. Errors without a system or undici code are bugs, reported as `internal`.
 */
export function classifyNetworkError(provider: string, origin: string, err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code === undefined) return new GatewayError("internal", `${provider}: ${detail}`, { provider, cause: err });
  if (TIMEOUT_CODES.has(code)) {
    return new GatewayError("timeout", `${provider}: ${origin} timed out (${code})`, { provider, cause: err });
  }
  const what = detail !== "" && !detail.includes(code) ? `${code}: ${detail}` : detail || code;
  return new GatewayError("network", `${provider}: connection to ${origin} failed (${what})`, { provider, cause: err });
}

/** The first `code` along the cause chain (undici wraps system errors; happy eyeballs wraps them in an AggregateError). */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (typeof e !== "object") return undefined;
    if ("code" in e && typeof e.code === "string") return e.code;
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    else e = "cause" in e ? e.cause : undefined;
  }
  return undefined;
}
