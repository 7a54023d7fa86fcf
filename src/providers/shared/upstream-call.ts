import { GatewayError } from "../../core/errors.ts";
import { classifyNetworkError } from "./classify-network-error.ts";

/**
 * Whether something was aborted and why, and a way to hear of it: what an upstream exchange
 * listens to. Lighter than an AbortSignal (an EventTarget): one call has one or two listeners.
 */
export interface AbortHook {
  readonly aborted: boolean;
  /** Why, once aborted. */
  readonly reason: unknown;
  /** Calls `listener` once, when the hook aborts (not when it already has: check `aborted` first). */
  onAbort(listener: (reason: unknown) => void): void;
  offAbort(listener: (reason: unknown) => void): void;
}

/**
 * The abort side of one upstream request: it aborts when the client goes away or a timer runs
 * out, carrying the GatewayError that says which. The exchange rejects (or errors the body) with
 * that reason, so whatever the request throws maps back to it.
 */
export interface UpstreamCall extends AbortHook {
  /** (Re)starts the timer; when it fires, the request is aborted with `onTimeout()`. `ms <= 0` means no limit. */
  arm(ms: number, onTimeout: () => GatewayError): void;
  disarm(): void;
  /** The error to report for anything the request or its body threw. */
  errorFrom(err: unknown): GatewayError;
  /** Stops the timer and forgets the client's signal. */
  dispose(): void;
}

export function startUpstreamCall(options: { provider: string; origin: string; clientSignal: AbortSignal }): UpstreamCall {
  return new Call(options.provider, options.origin, options.clientSignal);
}

/**
 * Limits this long or longer are watched by one timer for all calls, which looks every
 * `SHARED_TICK_MS`, instead of a timer per call: a call then costs a set insertion, not a timer
 * list insertion and removal. Such a limit fires up to one tick late (a 120 s limit, 100 ms).
 */
const SHARED_MIN_MS = 5_000;
const SHARED_TICK_MS = 100;
const watched = new Set<Call>();
let sharedTimer: NodeJS.Timeout | undefined;

function watch(call: Call): void {
  watched.add(call);
  if (sharedTimer === undefined) {
    // Unreferenced: what a call waits on (its socket) keeps the process alive, not its limit.
    sharedTimer = setInterval(checkWatched, SHARED_TICK_MS);
    sharedTimer.unref();
  }
}

function unwatch(call: Call): void {
  watched.delete(call);
  if (watched.size === 0 && sharedTimer !== undefined) {
    clearInterval(sharedTimer);
    sharedTimer = undefined;
  }
}

function checkWatched(): void {
  const now = performance.now();
  for (const call of watched) call.check(now);
}

class Call implements UpstreamCall {
  aborted = false;
  reason: unknown = undefined;
  private readonly provider: string;
  private readonly origin: string;
  private readonly clientSignal: AbortSignal;
  private listeners: ((reason: unknown) => void)[] = [];
  /*
   * One timer per call, re-armed lazily: a stream re-arms its limit on every read, so arming only
   * moves the deadline, and the timer, when it fires early, waits out the rest. It is rescheduled
   * only when a new limit ends before the pending wake-up.
   */
  private timer: NodeJS.Timeout | undefined = undefined;
  private firesAt = 0;
  private deadline = 0;
  private armed = false;
  private onTimeout: (() => GatewayError) | null = null;
  private readonly fire = (): void => {
    this.timer = undefined;
    if (!this.armed) return;
    const left = this.deadline - performance.now();
    if (left > 0) this.schedule(left);
    else this.expire();
  };
  private readonly onClientAbort = (): void => {
    this.abort(new GatewayError("client_closed", `${this.provider}: the request was cancelled by the caller`, { provider: this.provider }));
  };

  constructor(provider: string, origin: string, clientSignal: AbortSignal) {
    this.provider = provider;
    this.origin = origin;
    this.clientSignal = clientSignal;
    if (clientSignal.aborted) this.onClientAbort();
    else clientSignal.addEventListener("abort", this.onClientAbort, { once: true });
  }

  onAbort(listener: (reason: unknown) => void): void {
    this.listeners.push(listener);
  }

  offAbort(listener: (reason: unknown) => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  arm(ms: number, onTimeout: () => GatewayError): void {
    if (!(ms > 0 && Number.isFinite(ms))) {
      this.disarm();
      return;
    }
    this.onTimeout = onTimeout;
    this.armed = true;
    this.deadline = performance.now() + ms;
    if (ms >= SHARED_MIN_MS) {
      // A shorter limit's own timer, if one is pending, finds the later deadline and hands over.
      watch(this);
    } else if (this.timer === undefined) {
      this.schedule(ms);
    } else if (this.firesAt > this.deadline) {
      clearTimeout(this.timer);
      this.schedule(ms);
    }
  }

  disarm(): void {
    this.armed = false;
    unwatch(this);
  }

  errorFrom(err: unknown): GatewayError {
    if (this.aborted && this.reason instanceof GatewayError) return this.reason;
    return classifyNetworkError(this.provider, this.origin, err);
  }

  dispose(): void {
    this.armed = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    unwatch(this);
    this.clientSignal.removeEventListener("abort", this.onClientAbort);
  }

  /** For the shared timer: expires the call when its limit has passed. */
  check(now: number): void {
    if (this.armed && now >= this.deadline) this.expire();
  }

  private schedule(ms: number): void {
    if (ms >= SHARED_MIN_MS) {
      watch(this);
      return;
    }
    this.firesAt = performance.now() + ms;
    this.timer = setTimeout(this.fire, ms);
  }

  private expire(): void {
    this.armed = false;
    unwatch(this);
    this.abort(this.onTimeout?.() ?? new GatewayError("timeout", `${this.provider}: timed out`, { provider: this.provider }));
  }

  private abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener(reason);
  }
}
