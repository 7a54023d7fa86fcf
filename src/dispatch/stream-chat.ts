import { GatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import { firstError, isContentEvent, type StreamBatch, type StreamEvent } from "../core/stream-event.ts";
import type { Target } from "../router/plan.ts";
import { adapterFor, requestFor } from "./call-target.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { runDownChain } from "./run-down-chain.ts";

/** A stream that has passed its commit point: from here on, it can no longer fall back. */
export interface CommittedStream {
  target: Target;
  /** What was read up to and including the first content (role chunk, empty deltas, …). */
  head: StreamBatch[];
  rest: AsyncIterator<StreamBatch>;
  /** Monotonic ms when the successful attempt began. */
  attemptStartedMs: number;
}

/**
 * Opens the stream on the first target that gets to real content. Until the first content
 * event everything is buffered, so a target that fails before it (HTTP error, early in-stream
 * error, broken connection) can still fall back to the next one without the client noticing.
 */
export function startChatStream(draft: ReceiptDraft, request: ChatRequest, signal: AbortSignal): Promise<CommittedStream> {
  const runtime = draft.runtime;
  return runDownChain(draft, signal, async ({ target, timeouts, startedMs }) => {
    const iterable = await adapterFor(runtime, target).chatStream(requestFor(runtime, request, target), {
      signal,
      timeoutMs: timeouts.ttftMs,
      idleTimeoutMs: timeouts.idleMs,
      warn: draft.warnFor(target),
    });
    const iterator = iterable[Symbol.asyncIterator]();
    // Time to first token counts from the attempt's start to its first content, not only to
    // the response headers: a stream that opens and then says nothing moves on as well.
    const deadline = firstTokenDeadline(startedMs + timeouts.ttftMs - runtime.monotonicMs(), target, timeouts.ttftMs);
    try {
      const head: StreamBatch[] = [];
      for (let committed = false; !committed; ) {
        const next = await deadline.race(iterator.next());
        if (next.done) break;
        for (const chunk of next.value) {
          const failure = firstError(chunk.events);
          if (failure) throw failure;
          tapEvents(draft, chunk.events);
          if (!committed && chunk.events.some(isContentEvent)) {
            draft.ttftMs = draft.elapsedMs();
            committed = true;
          }
        }
        head.push(next.value);
      }
      return { target, head, rest: iterator, attemptStartedMs: startedMs };
    } catch (err) {
      void iterator.return?.();
      // The upstream had answered 200 before the stream failed; the attempt says so.
      throw err instanceof GatewayError && err.upstreamStatus === undefined ? withUpstreamStatus(err, 200) : err;
    } finally {
      deadline.clear();
    }
  });
}

/** The receipt tap: what the stream's events tell the receipt. */
export function tapEvents(draft: ReceiptDraft, events: readonly StreamEvent[]): void {
  for (const event of events) {
    switch (event.type) {
      case "start":
        draft.upstreamModelReported = event.model;
        break;
      case "usage":
        draft.usage = event.usage;
        break;
      case "finish":
        draft.finishReason = event.finishReason;
        break;
      case "tool-call-delta":
        if (event.id !== undefined) draft.toolCalls += 1;
        break;
      case "text-delta":
      case "reasoning-delta":
      case "refusal-delta":
      case "error":
        break;
      default: {
        const never: never = event;
        return never;
      }
    }
  }
}

/** Records the committed attempt once its stream has ended (well or not). */
export function recordStreamAttempt(draft: ReceiptDraft, stream: CommittedStream, error: GatewayError | null): void {
  const runtime = draft.runtime;
  draft.recordAttempt({
    provider: stream.target.provider,
    model: stream.target.modelId,
    upstreamModel: stream.target.upstreamModel,
    status: 200,
    errorKind: error?.kind ?? null,
    errorMessage: error?.message ?? null,
    latencyMs: runtime.monotonicMs() - stream.attemptStartedMs,
    ttftMs: draft.ttftMs === null ? null : draft.ttftMs - (stream.attemptStartedMs - draft.startedMono),
  });
}

function withUpstreamStatus(error: GatewayError, upstreamStatus: number): GatewayError {
  return new GatewayError(error.kind, error.message, {
    upstreamStatus,
    status: error.status,
    ...(error.provider !== undefined && { provider: error.provider }),
    ...(error.code !== undefined && { code: error.code }),
    ...(error.param !== undefined && { param: error.param }),
    ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
    cause: error,
  });
}

/**
 * A whole answer as a stream that has already committed: what a buffered stream (read whole to
 * be validated) or a replay sends the client.
 */
export function committedFromResult(outcome: { result: ChatResult; target: Target }, nowMs: number): CommittedStream {
  const r = outcome.result;
  const events: StreamEvent[] = [{ type: "start", id: r.id, model: r.model, created: r.created }];
  if (r.reasoning) events.push({ type: "reasoning-delta", delta: r.reasoning });
  if (r.content) events.push({ type: "text-delta", delta: r.content });
  if (r.refusal) events.push({ type: "refusal-delta", delta: r.refusal });
  r.toolCalls.forEach((call, index) => {
    events.push({ type: "tool-call-delta", index, id: call.id, name: call.name, argumentsDelta: call.arguments });
  });
  events.push({ type: "finish", finishReason: r.finishReason });
  if (r.usage) events.push({ type: "usage", usage: r.usage });
  const head: StreamBatch[] = [[{ events }]];
  const empty: AsyncIterator<StreamBatch> = { next: () => Promise.resolve({ done: true, value: undefined }) };
  return { target: outcome.target, head, rest: empty, attemptStartedMs: nowMs };
}

/**
 * The time-to-first-token limit of one attempt: one timer for all the reads before the first
 * content. `race` answers with the read, or rejects with a timeout once `withinMs` has passed.
 */
function firstTokenDeadline(withinMs: number, target: Target, ttftMs: number): { race<T>(read: Promise<T>): Promise<T>; clear(): void } {
  const timeout = (): GatewayError =>
    new GatewayError("timeout", `provider ${target.provider} sent no first token within ${ttftMs} ms (resilience.timeout.ttft_ms)`, { provider: target.provider });
  let timer: NodeJS.Timeout | undefined;
  const expired =
    withinMs <= 0
      ? Promise.reject(timeout())
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(timeout()), withinMs);
        });
  // Expiring between two reads is not an unhandled rejection: the next race reports it.
  expired.catch(() => undefined);
  return {
    race(read) {
      // The losing read settles after the iterator is released; it must not surface as unhandled.
      read.catch(() => undefined);
      return Promise.race([read, expired]);
    },
    clear() {
      clearTimeout(timer);
    },
  };
}
