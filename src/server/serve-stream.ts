import type { ServerResponse } from "node:http";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import { firstError, type StreamBatch, type StreamChunk } from "../core/stream-event.ts";
import type { StreamResultCollector } from "../dispatch/collect-stream-result.ts";
import type { ReceiptDraft } from "../dispatch/receipt-draft.ts";
import { recordStreamAttempt, tapEvents, type CommittedStream } from "../dispatch/stream-chat.ts";
import type { ReceiptStatus } from "../ledger/receipt.ts";
import { SSE_HEADERS } from "../wire/sse.ts";
import { headerSafe, responseHeaders } from "./response-headers.ts";
import type { EdgeStreamEncoder } from "./serve-chat.ts";

export interface ServeStreamOptions {
  draft: ReceiptDraft;
  res: ServerResponse;
  stream: CommittedStream;
  encoder: EdgeStreamEncoder;
  /** The format's own request-id header, if any. */
  idHeader: string | undefined;
  signal: AbortSignal;
  /** The answer was read whole before it is streamed (or came from the cache): its attempts are already recorded. */
  recorded?: boolean;
  /** Receives every piece of SSE text sent, for an idempotent replay. */
  tee?: string[];
  /** Receives every event of the stream, to keep the answer in the response cache. */
  collector?: StreamResultCollector;
}

/** Sends a committed stream and writes its receipt; returns the receipt's status. */
export async function serveStream(options: ServeStreamOptions): Promise<ReceiptStatus> {
  const { draft, res, stream, encoder, idHeader, signal, recorded = false, tee, collector } = options;
  // The committed attempt is counted in the headers even though it is recorded when it ends.
  const headers = responseHeaders(draft, idHeader);
  headers["x-switchyard-model"] = headerSafe(stream.target.modelId);
  headers["x-switchyard-provider"] = headerSafe(stream.target.provider);
  headers["x-switchyard-attempts"] = String(draft.attempts.length + (recorded ? 0 : 1));
  if (draft.runtime.isSimulated(stream.target.provider)) headers["x-switchyard-simulated"] = "true";
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  /** One write per batch; a promise only when the client is slow and the write must wait for it. */
  const write = (batch: StreamBatch): Promise<void> | undefined => {
    if (collector) for (const chunk of batch) collector.add(chunk.events);
    const text = encoder.batch(batch);
    if (text === "") return undefined;
    tee?.push(text);
    return res.write(text) ? undefined : waitForDrain(res, signal);
  };

  let failure: GatewayError | null = null;
  try {
    for (const batch of stream.head) {
      const draining = write(batch);
      if (draining) await draining;
    }
    for (;;) {
      const next = await stream.rest.next();
      if (next.done) break;
      // Chunks before an error are still the client's; the error ends the stream.
      let batch = next.value;
      for (let i = 0; i < batch.length; i++) {
        const events = (batch[i] as StreamChunk).events;
        tapEvents(draft, events);
        const error = firstError(events);
        if (error) {
          failure = error;
          batch = batch.slice(0, i);
          break;
        }
      }
      const draining = write(batch);
      if (draining) await draining;
      if (failure) break;
    }
    if (!failure && draft.finishReason === null && !signal.aborted) {
      failure = new GatewayError("network", `provider ${stream.target.provider} ended the stream without a finish reason`, {
        provider: stream.target.provider,
      });
    }
  } catch (err) {
    failure = signal.aborted ? new GatewayError("client_closed", "the client closed the connection") : toGatewayError(err, stream.target.provider);
  }
  if (signal.aborted || failure?.kind === "client_closed") {
    void stream.rest.return?.();
    const closed = new GatewayError("client_closed", "the client closed the connection mid-stream");
    if (!recorded) recordStreamAttempt(draft, stream, closed);
    draft.finish("client_closed", 499, closed);
    return "client_closed";
  }
  if (!recorded) recordStreamAttempt(draft, stream, failure);
  if (failure) {
    void stream.rest.return?.();
    const message = new GatewayError(failure.kind, `The stream from provider ${stream.target.provider} broke off after it started: ${failure.message}`, {
      provider: stream.target.provider,
    });
    res.end(encoder.fail(message));
    draft.finish("truncated", 200, failure);
    return "truncated";
  }
  const end = encoder.end();
  tee?.push(end);
  res.end(end);
  draft.finish("ok", 200);
  return "ok";
}

function waitForDrain(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
    signal.addEventListener("abort", done, { once: true });
  });
}
