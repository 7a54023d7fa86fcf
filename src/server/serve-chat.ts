import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import type { StreamBatch } from "../core/stream-event.ts";
import { formatUsd } from "../cost/compute-cost.ts";
import { applyRouteSettings } from "../dispatch/apply-route-settings.ts";
import { ReceiptDraft } from "../dispatch/receipt-draft.ts";
import { runChat } from "../dispatch/run-chat.ts";
import type { Runtime } from "../dispatch/runtime.ts";
import { committedFromResult, recordStreamAttempt, startChatStream, tapEvents, type CommittedStream } from "../dispatch/stream-chat.ts";
import { orderChain } from "../dispatch/order-plan.ts";
import type { Target } from "../router/plan.ts";
import { autoSignals } from "../router/auto-signals.ts";
import { resolveModel } from "../router/resolve-model.ts";
import { SSE_HEADERS } from "../wire/sse.ts";
import { parseJsonBody, readBody } from "./read-body.ts";
import { readSwitchyardHeaders, type SwitchyardRequestHeaders } from "./request-headers.ts";
import { sendJsonText } from "./send.ts";

/** What a client codec makes of a request body. */
export interface EdgeRequest {
  /** The `model` field as the client sent it. */
  requestedModel: string;
  request: ChatRequest;
  /** Parameters the codec dropped or approximated; they reach the receipt and `x-switchyard-warning`. */
  warnings?: readonly string[];
}

/** The request being answered, as the codec sees it when it encodes the answer. */
export interface EdgeContext<P extends EdgeRequest> {
  parsed: P;
  draft: ReceiptDraft;
  /** The target that answered. */
  target: Target;
}

/** One stream's core batches in the client's wire format. */
export interface EdgeStreamEncoder {
  /** The text for one batch ("" when it carries nothing for the client). */
  batch(batch: StreamBatch): string;
  /** The text that ends a stream that finished well. */
  end(): string;
  /** The text that ends a stream that broke after it started: an explicit error, never a clean end. */
  fail(error: GatewayError): string;
}

/**
 * The wire-format half of a chat endpoint. The other half — receipts, response headers, the
 * commit gate and the stream pump — is the same for every format and lives here.
 */
export interface ChatEdgeCodec<P extends EdgeRequest> {
  /** The receipt's `endpoint`. */
  endpoint: string;
  /** Validates a JSON-parsed body; throws a `bad_request` GatewayError that says what to fix. */
  parse(body: unknown): P;
  /** The JSON text of a non-streaming answer. */
  encodeResult(result: ChatResult, context: EdgeContext<P>): string;
  openStream(context: EdgeContext<P>): EdgeStreamEncoder;
  /** Answers with the format's error body and the error's status. */
  sendError(res: ServerResponse, error: GatewayError, headers: Record<string, string>): void;
  /** The format's own request-id response header (the Anthropic SDK reads `request-id`), if any. */
  requestIdHeader?: string;
}

export interface ChatHandlerOptions {
  runtime: Runtime;
  maxBodyBytes: number;
}

/** A thin edge over dispatch for one wire format. Every outcome writes a receipt. */
export function createChatHandler<P extends EdgeRequest>(options: ChatHandlerOptions & { codec: ChatEdgeCodec<P> }) {
  const { runtime, codec } = options;
  const newDraft = (requestId: string, hdrs: SwitchyardRequestHeaders | null): ReceiptDraft =>
    new ReceiptDraft(runtime, {
      requestId,
      endpoint: codec.endpoint,
      taskId: hdrs?.taskId ?? null,
      taskType: hdrs?.taskType ?? null,
      complexity: hdrs?.complexity ?? null,
      idempotencyKey: hdrs?.idempotencyKey ?? null,
      stream: false,
      reasoningEffort: null,
      timeoutMs: hdrs?.timeoutMs ?? null,
    });
  return async function handleChat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const clientGone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    let draft: ReceiptDraft | null = null;
    try {
      const hdrs = readSwitchyardHeaders(req.headers);
      draft = newDraft(requestId, hdrs);
      const body = parseJsonBody(await readBody(req, options.maxBodyBytes));
      const peek = body as { model?: unknown; stream?: unknown };
      if (typeof peek?.model === "string") draft.requestedModel = peek.model;
      if (peek?.stream === true) draft.meta.stream = true;
      const parsed = codec.parse(body);
      if (parsed.warnings) draft.warnings.push(...parsed.warnings);
      draft.meta.reasoningEffort = parsed.request.reasoningEffort ?? null;
      const signals = autoSignals(parsed.requestedModel, parsed.request, { taskType: hdrs.taskType, complexity: hdrs.complexity });
      const plan = resolveModel(runtime.config, parsed.requestedModel, signals);
      draft.plan = plan;
      const request = applyRouteSettings(runtime.config, plan, parsed.request, draft.warnings);
      draft.plan = { ...plan, targets: orderChain(draft, plan, hdrs.taskId ?? hdrs.user) };
      runtime.health.noteRequest();
      if (request.stream && bufferStream(runtime, plan)) {
        // The route validates answers: the stream is read whole first, so it can be escalated.
        const outcome = await runChat(draft, { ...request, stream: false }, clientGone.signal);
        const stream = committedFromResult(outcome, runtime.monotonicMs());
        const encoder = codec.openStream({ parsed, draft, target: outcome.target });
        await serveStream({ draft, res, stream, encoder, idHeader: codec.requestIdHeader, signal: clientGone.signal, recorded: true });
      } else if (request.stream) {
        const stream = await startChatStream(draft, request, clientGone.signal);
        const encoder = codec.openStream({ parsed, draft, target: stream.target });
        await serveStream({ draft, res, stream, encoder, idHeader: codec.requestIdHeader, signal: clientGone.signal });
      } else {
        const outcome = await runChat(draft, request, clientGone.signal);
        const text = codec.encodeResult(outcome.result, { parsed, draft, target: outcome.target });
        const cost = draft.costMicroUsd();
        const headers = responseHeaders(draft, codec.requestIdHeader);
        if (cost !== null) headers["x-switchyard-cost-usd"] = formatUsd(cost);
        sendJsonText(res, 200, text, headers);
        draft.finish("ok", 200);
      }
    } catch (err) {
      const error = clientGone.signal.aborted ? new GatewayError("client_closed", "the client closed the connection") : toGatewayError(err);
      if (error.kind === "internal") console.error(`[switchyard] request ${requestId} failed:`, err);
      if (!res.headersSent && !res.destroyed) {
        codec.sendError(res, error, draft ? responseHeaders(draft, codec.requestIdHeader) : idHeaders(requestId, codec.requestIdHeader));
      }
      const d = draft ?? newDraft(requestId, null);
      const status = error.kind === "client_closed" ? "client_closed" : d.attempts.length === 0 ? "rejected" : "error";
      d.finish(status, error.status, error);
    }
  };
}

function idHeaders(requestId: string, idHeader: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { "x-switchyard-request-id": requestId };
  if (idHeader !== undefined) headers[idHeader] = requestId;
  return headers;
}

/** The `x-switchyard-*` response headers for what is known so far. */
export function responseHeaders(draft: ReceiptDraft, idHeader?: string): Record<string, string> {
  const headers = idHeaders(draft.meta.requestId, idHeader);
  const plan = draft.plan;
  if (plan?.route) headers["x-switchyard-route"] = headerSafe(plan.route);
  if (plan?.lane) headers["x-switchyard-lane"] = headerSafe(plan.lane);
  if (draft.target && draft.attempts.length > 0) {
    headers["x-switchyard-model"] = headerSafe(draft.target.modelId);
    headers["x-switchyard-provider"] = headerSafe(draft.target.provider);
    if (draft.runtime.isSimulated(draft.target.provider)) headers["x-switchyard-simulated"] = "true";
  }
  headers["x-switchyard-attempts"] = String(draft.attempts.length);
  headers["x-switchyard-cache"] = "miss";
  headers["x-switchyard-overhead-ms"] = draft.overheadMs().toFixed(2);
  if (draft.warnings.length > 0) headers["x-switchyard-warning"] = warningHeader(draft.warnings);
  return headers;
}

interface ServeStreamOptions {
  draft: ReceiptDraft;
  res: ServerResponse;
  stream: CommittedStream;
  encoder: EdgeStreamEncoder;
  /** The format's own request-id header, if any. */
  idHeader: string | undefined;
  signal: AbortSignal;
  /** The answer was read whole before it is streamed: its attempts are already recorded. */
  recorded?: boolean;
}

/** Streams on a route with `validate` and `buffer_stream: true` are read whole first. */
function bufferStream(runtime: Runtime, plan: { route: string | null }): boolean {
  const routes = runtime.config.routes;
  const route = plan.route !== null && Object.hasOwn(routes, plan.route) ? routes[plan.route] : undefined;
  return route?.buffer_stream === true && route.validate !== undefined;
}

async function serveStream({ draft, res, stream, encoder, idHeader, signal, recorded = false }: ServeStreamOptions): Promise<void> {
  // The committed attempt is counted in the headers even though it is recorded when it ends.
  const headers = responseHeaders(draft, idHeader);
  headers["x-switchyard-model"] = headerSafe(stream.target.modelId);
  headers["x-switchyard-provider"] = headerSafe(stream.target.provider);
  headers["x-switchyard-attempts"] = String(draft.attempts.length + (recorded ? 0 : 1));
  if (draft.runtime.isSimulated(stream.target.provider)) headers["x-switchyard-simulated"] = "true";
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  /** One write per batch. */
  const write = async (batch: StreamBatch): Promise<void> => {
    const text = encoder.batch(batch);
    if (text !== "" && !res.write(text)) await waitForDrain(res, signal);
  };

  let failure: GatewayError | null = null;
  try {
    for (const batch of stream.head) await write(batch);
    for (;;) {
      const next = await stream.rest.next();
      if (next.done) break;
      // Chunks before an error are still the client's; the error ends the stream.
      let batch = next.value;
      for (const [i, chunk] of batch.entries()) {
        tapEvents(draft, chunk.events);
        const error = chunk.events.find((e) => e.type === "error");
        if (error?.type === "error") {
          failure = error.error;
          batch = batch.slice(0, i);
          break;
        }
      }
      await write(batch);
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
    return;
  }
  if (!recorded) recordStreamAttempt(draft, stream, failure);
  if (failure) {
    void stream.rest.return?.();
    const message = new GatewayError(failure.kind, `The stream from provider ${stream.target.provider} broke off after it started: ${failure.message}`, {
      provider: stream.target.provider,
    });
    res.end(encoder.fail(message));
    draft.finish("truncated", 200, failure);
    return;
  }
  res.end(encoder.end());
  draft.finish("ok", 200);
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

/**
 * A value that can go in a header: printable ASCII only. Config names and `<provider>/<model>`
 * names (which clients choose) may hold anything; the receipt keeps them as they were.
 */
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, "?");
}

/** Warnings as one header value: printable ASCII, bounded (the receipt keeps them all). */
function warningHeader(warnings: readonly string[]): string {
  const text = headerSafe(warnings.join("; "));
  return text.length <= MAX_WARNING_HEADER ? text : `${text.slice(0, MAX_WARNING_HEADER - 40)}... (${warnings.length} warnings; see the receipt)`;
}

const MAX_WARNING_HEADER = 2000;
