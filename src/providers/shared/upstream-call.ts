import { GatewayError } from "../../core/errors.ts";
import { classifyNetworkError } from "./classify-network-error.ts";

/**
 * The abort side of one upstream request: one signal that fires when the client goes away or a
 * timer runs out, carrying the GatewayError that says which. undici rejects (or errors the body)
 * with the signal's reason, so whatever the request throws maps back to that error.
 */
export interface UpstreamCall {
  readonly signal: AbortSignal;
  /** (Re)starts the timer; when it fires, the request is aborted with `onTimeout()`. `ms <= 0` means no limit. */
  arm(ms: number, onTimeout: () => GatewayError): void;
  disarm(): void;
  /** The error to report for anything the request or its body threw. */
  errorFrom(err: unknown): GatewayError;
  /** Stops the timer and forgets the client's signal. */
  dispose(): void;
}

export function startUpstreamCall(options: { provider: string; origin: string; clientSignal: AbortSignal }): UpstreamCall {
  const { provider, origin, clientSignal } = options;
  const controller = new AbortController();
  const onClientAbort = (): void => {
    controller.abort(new GatewayError("client_closed", `${provider}: the request was cancelled by the caller`, { provider }));
  };
  if (clientSignal.aborted) onClientAbort();
  else clientSignal.addEventListener("abort", onClientAbort, { once: true });

  /*
   * One timer per call, re-armed lazily: a stream re-arms its limit on every read, so arming only
   * moves the deadline, and the timer, when it fires early, waits out the rest. It is rescheduled
   * only when a new limit ends before the pending wake-up.
   */
  let timer: NodeJS.Timeout | undefined;
  let firesAt = 0;
  let deadline = 0;
  let armed = false;
  let onTimeout: () => GatewayError = () => new GatewayError("timeout", `${provider}: timed out`, { provider });
  const schedule = (ms: number): void => {
    firesAt = performance.now() + ms;
    timer = setTimeout(fire, ms);
  };
  const fire = (): void => {
    timer = undefined;
    if (!armed) return;
    const left = deadline - performance.now();
    if (left > 0) schedule(left);
    else controller.abort(onTimeout());
  };
  const disarm = (): void => {
    armed = false;
  };
  return {
    signal: controller.signal,
    arm(ms, reason) {
      if (!(ms > 0 && Number.isFinite(ms))) {
        armed = false;
        return;
      }
      onTimeout = reason;
      armed = true;
      deadline = performance.now() + ms;
      if (timer === undefined) {
        schedule(ms);
      } else if (firesAt > deadline) {
        clearTimeout(timer);
        schedule(ms);
      }
    },
    disarm,
    errorFrom(err) {
      const reason: unknown = controller.signal.reason;
      if (controller.signal.aborted && reason instanceof GatewayError) return reason;
      return classifyNetworkError(provider, origin, err);
    },
    dispose() {
      armed = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      clientSignal.removeEventListener("abort", onClientAbort);
    },
  };
}
