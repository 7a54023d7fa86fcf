import { setTimeout as delay } from "node:timers/promises";
import { GatewayError } from "../../core/errors.ts";

/** The error an aborted call ends with: the signal's own GatewayError, a timeout, or a client abort. */
export function abortError(signal: AbortSignal, provider: string): GatewayError {
  const reason: unknown = signal.reason;
  if (reason instanceof GatewayError) return reason;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new GatewayError("timeout", "the simulated call timed out", { provider, cause: reason });
  }
  return new GatewayError("client_closed", "the simulated call was aborted", { provider, cause: reason });
}

/** Waits `ms`, or throws at once when the signal aborts; the timer never outlives the call. */
export async function sleep(ms: number, signal: AbortSignal, provider: string): Promise<void> {
  if (signal.aborted) throw abortError(signal, provider);
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (signal.aborted) throw abortError(signal, provider);
    throw err;
  }
}
