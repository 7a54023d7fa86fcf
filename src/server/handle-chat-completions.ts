import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import type { StreamBatch } from "../core/stream-event.ts";
import { applyRouteSettings } from "../dispatch/apply-route-settings.ts";
import { ReceiptDraft } from "../dispatch/receipt-draft.ts";
import { runChat } from "../dispatch/run-chat.ts";
import type { Runtime } from "../dispatch/runtime.ts";
import { recordStreamAttempt, startChatStream, tapEvents, type CommittedStream } from "../dispatch/stream-chat.ts";
import { formatUsd } from "../cost/compute-cost.ts";
import { resolveModel } from "../router/resolve-model.ts";
import { encodeChatChunk, initialChunkEncoderState, type ChunkEncoderState } from "../wire/openai/encode-chat-chunk.ts";
import { encodeChatResult } from "../wire/openai/encode-chat-result.ts";
import { parseChatRequest } from "../wire/openai/parse-chat-request.ts";
import { SSE_DONE, SSE_HEADERS, sseData, sseErrorFrame } from "../wire/sse.ts";
import { parseJsonBody, readBody } from "./read-body.ts";
import { readSwitchyardHeaders } from "./request-headers.ts";
import { sendError, sendJson, sendJsonText } from "./send.ts";

export interface ChatHandlerOptions {
  runtime: Runtime;
  maxBodyBytes: number;
}

/** POST /v1/chat/completions: a thin edge over dispatch. Every outcome writes a receipt. */
export function createChatCompletionsHandler(options: ChatHandlerOptions) {
  const { runtime } = options;
  return async function handleChatCompletions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const clientGone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    let draft: ReceiptDraft | null = null;
    try {
      const hdrs = readSwitchyardHeaders(req.headers);
      draft = new ReceiptDraft(runtime, {
        requestId,
        endpoint: "/v1/chat/completions",
        taskId: hdrs.taskId,
        taskType: hdrs.taskType,
        complexity: hdrs.complexity,
        idempotencyKey: hdrs.idempotencyKey,
        stream: false,
        reasoningEffort: null,
      });
      const body = parseJsonBody(await readBody(req, options.maxBodyBytes));
      const peek = body as { model?: unknown; stream?: unknown };
      if (typeof peek?.model === "string") draft.requestedModel = peek.model;
      if (peek?.stream === true) draft.meta.stream = true;
      const parsed = parseChatRequest(body);
      draft.meta.reasoningEffort = parsed.request.reasoningEffort ?? null;
      draft.plan = resolveModel(runtime.config, parsed.requestedModel, { taskType: hdrs.taskType, complexity: hdrs.complexity });
      const request = applyRouteSettings(runtime.config, draft.plan, parsed.request, draft.warnings);
      if (request.stream) {
        await serveStream(draft, res, await startChatStream(draft, request, clientGone.signal), parsed.includeUsage, clientGone.signal);
      } else {
        const outcome = await runChat(draft, request, clientGone.signal);
        const cost = draft.costMicroUsd();
        const headers = responseHeaders(draft);
        if (cost !== null) headers["x-switchyard-cost-usd"] = formatUsd(cost);
        if (outcome.result.openaiText !== undefined) sendJsonText(res, 200, outcome.result.openaiText, headers);
        else sendJson(res, 200, encodeChatResult(outcome.result), headers);
        draft.finish("ok", 200);
      }
    } catch (err) {
      const error = clientGone.signal.aborted ? new GatewayError("client_closed", "the client closed the connection") : toGatewayError(err);
      if (error.kind === "internal") console.error(`[switchyard] request ${requestId} failed:`, err);
      if (!res.headersSent && !res.destroyed) {
        sendError(res, error, draft ? responseHeaders(draft) : { "x-switchyard-request-id": requestId });
      }
      const d = draft ?? new ReceiptDraft(runtime, {
        requestId, endpoint: "/v1/chat/completions", taskId: null, taskType: null, complexity: null,
        idempotencyKey: null, stream: false, reasoningEffort: null,
      });
      const status = error.kind === "client_closed" ? "client_closed" : d.attempts.length === 0 ? "rejected" : "error";
      d.finish(status, error.status, error);
    }
  };
}

/** The `x-switchyard-*` response headers for what is known so far. */
function responseHeaders(draft: ReceiptDraft): Record<string, string> {
  const headers: Record<string, string> = { "x-switchyard-request-id": draft.meta.requestId };
  const plan = draft.plan;
  if (plan?.route) headers["x-switchyard-route"] = plan.route;
  if (plan?.lane) headers["x-switchyard-lane"] = plan.lane;
  if (draft.target && draft.attempts.length > 0) {
    headers["x-switchyard-model"] = draft.target.modelId;
    headers["x-switchyard-provider"] = draft.target.provider;
    if (draft.runtime.isSimulated(draft.target.provider)) headers["x-switchyard-simulated"] = "true";
  }
  headers["x-switchyard-attempts"] = String(draft.attempts.length);
  headers["x-switchyard-cache"] = "miss";
  headers["x-switchyard-overhead-ms"] = draft.overheadMs().toFixed(2);
  if (draft.warnings.length > 0) headers["x-switchyard-warning"] = draft.warnings.join("; ").replace(/[^\x20-\x7e]/g, "?");
  return headers;
}

async function serveStream(
  draft: ReceiptDraft,
  res: ServerResponse,
  stream: CommittedStream,
  includeUsage: boolean,
  signal: AbortSignal,
): Promise<void> {
  // The committed attempt is counted in the headers even though it is recorded when it ends.
  const headers = responseHeaders(draft);
  headers["x-switchyard-model"] = stream.target.modelId;
  headers["x-switchyard-provider"] = stream.target.provider;
  headers["x-switchyard-attempts"] = String(draft.attempts.length + 1);
  if (draft.runtime.isSimulated(stream.target.provider)) headers["x-switchyard-simulated"] = "true";
  res.writeHead(200, { ...SSE_HEADERS, ...headers });
  let encoder: ChunkEncoderState = initialChunkEncoderState({
    id: `chatcmpl-${draft.meta.requestId}`,
    model: stream.target.upstreamModel,
    created: Math.floor(draft.startedAt / 1000),
  });
  /** One write per batch: upstream chunks pass through as received; others are encoded. */
  const write = async (batch: StreamBatch): Promise<void> => {
    let text = "";
    for (const chunk of batch) {
      if (chunk.openaiData !== undefined) {
        const usageOnly = chunk.events.length > 0 && chunk.events.every((e) => e.type === "usage");
        if (!usageOnly || includeUsage) text += sseData(chunk.openaiData);
        continue;
      }
      for (const event of chunk.events) {
        if (event.type === "usage" && !includeUsage) continue;
        const step = encodeChatChunk(encoder, event);
        encoder = step.state;
        if (step.chunk) text += sseData(JSON.stringify(step.chunk));
      }
    }
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
    recordStreamAttempt(draft, stream, closed);
    draft.finish("client_closed", 499, closed);
    return;
  }
  recordStreamAttempt(draft, stream, failure);
  if (failure) {
    void stream.rest.return?.();
    const message = new GatewayError(failure.kind, `The stream from provider ${stream.target.provider} broke off after it started: ${failure.message}`, {
      provider: stream.target.provider,
    });
    res.end(sseErrorFrame(message));
    draft.finish("truncated", 200, failure);
    return;
  }
  res.end(SSE_DONE);
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
