import assert from "node:assert/strict";
import { GatewayError, type ErrorKind } from "../../core/errors.ts";
import type { StreamBatch } from "../../core/stream-event.ts";
import { CONFORMANCE_LIMITS } from "./conformance-limits.ts";
import { within } from "./within.ts";

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Never rejects, so a call can be left running while the suite aborts it (no unhandled rejection). */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** The error must be a GatewayError of one of `kinds`, naming the adapter as its provider. */
export function assertGatewayError(error: unknown, kinds: readonly ErrorKind[], provider: string, where: string): GatewayError {
  assert.ok(error instanceof GatewayError, `${where}: threw ${describe(error)}, not a GatewayError`);
  assert.ok(kinds.includes(error.kind), `${where}: kind ${error.kind} (${error.message}), expected ${kinds.join(" or ")}`);
  assert.equal(error.provider, provider, `${where}: the error names provider ${String(error.provider)}, not ${provider}`);
  assert.ok(error.message.length > 0, `${where}: the error has no message`);
  return error;
}

/** `chat` must reject; returns what it rejected with. */
export async function chatFailure(call: Promise<unknown>): Promise<unknown> {
  const outcome = await within(settle(call), CONFORMANCE_LIMITS.stepMs, "chat");
  assert.ok(!outcome.ok, "chat resolved with an answer, but the upstream answered with an error");
  return outcome.error;
}

/**
 * `chatStream` must reject before handing out a stream: an upstream that fails before any output
 * is an error the dispatcher can still retry or fall back from, so it must not look like a stream.
 */
export async function chatStreamFailure(call: Promise<AsyncIterable<StreamBatch>>): Promise<unknown> {
  const outcome = await within(settle(call), CONFORMANCE_LIMITS.stepMs, "chatStream");
  if (outcome.ok) {
    const iterator = outcome.value[Symbol.asyncIterator]();
    const first = await within(settle(iterator.next()), CONFORMANCE_LIMITS.stepMs, "chatStream's first batch");
    await iterator.return?.();
    const seen = first.ok ? JSON.stringify(first.value.value ?? null).slice(0, 300) : describe(first.error);
    assert.fail(`chatStream resolved with a stream, but an upstream error answered before any output must be thrown by chatStream itself (the stream gave: ${seen})`);
  }
  return outcome.error;
}

export function describe(error: unknown): string {
  if (error instanceof GatewayError) return `GatewayError ${error.kind}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
