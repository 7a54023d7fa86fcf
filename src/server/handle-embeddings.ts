import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import { formatUsd } from "../cost/compute-cost.ts";
import { admitEmbeddings } from "../dispatch/admit-request.ts";
import { ReceiptDraft } from "../dispatch/receipt-draft.ts";
import { runEmbeddings } from "../dispatch/run-embeddings.ts";
import type { Runtime } from "../dispatch/runtime.ts";
import { resolveModel } from "../router/resolve-model.ts";
import { encodeEmbeddingsResult, parseEmbeddingsRequest } from "../wire/openai/parse-embeddings-request.ts";
import { parseJsonBody, readBody } from "./read-body.ts";
import { newRequestId } from "./request-id.ts";
import type { Authenticator } from "./authenticate.ts";
import { readSwitchyardHeaders } from "./request-headers.ts";
import { sendError, sendJsonText } from "./send.ts";
import { responseHeaders } from "./serve-chat.ts";

/** POST /v1/embeddings: resolved, dispatched and receipted like chat requests. */
export function createEmbeddingsHandler(options: { runtime: Runtime; maxBodyBytes: number; auth?: Authenticator | undefined }) {
  const { runtime } = options;
  return async function handleEmbeddings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const clientGone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const draft = new ReceiptDraft(runtime, {
      requestId: newRequestId(),
      endpoint: "/v1/embeddings",
      taskId: null,
      taskType: null,
      complexity: null,
      idempotencyKey: null,
      stream: false,
      reasoningEffort: null,
    });
    try {
      const hdrs = readSwitchyardHeaders(req.headers);
      Object.assign(draft.meta, { taskId: hdrs.taskId, taskType: hdrs.taskType, complexity: hdrs.complexity, idempotencyKey: hdrs.idempotencyKey });
      const authenticated = options.auth?.authenticate(req.headers) ?? null;
      const gatewayKey = authenticated instanceof Promise ? await authenticated : authenticated;
      draft.keyId = gatewayKey?.id ?? null;
      const body = parseJsonBody(await readBody(req, options.maxBodyBytes));
      const model = (body as { model?: unknown } | null)?.model;
      if (typeof model === "string") draft.requestedModel = model;
      const parsed = parseEmbeddingsRequest(body);
      draft.plan = resolveModel(runtime.config, parsed.requestedModel, { taskType: hdrs.taskType, complexity: hdrs.complexity });
      const denied = options.auth?.allowed(gatewayKey, parsed.requestedModel, draft.plan);
      if (denied) throw denied;
      await admitEmbeddings(draft, draft.plan, gatewayKey);
      const result = await runEmbeddings(draft, parsed.request, clientGone.signal);
      const headers = responseHeaders(draft);
      const cost = draft.costMicroUsd();
      if (cost !== null) headers["x-switchyard-cost-usd"] = formatUsd(cost);
      sendJsonText(res, 200, result.openaiText ?? JSON.stringify(encodeEmbeddingsResult(result)), headers);
      draft.finish("ok", 200);
    } catch (err) {
      const error = clientGone.signal.aborted ? new GatewayError("client_closed", "the client closed the connection") : toGatewayError(err);
      if (error.kind === "internal") console.error(`[switchyard] request ${draft.meta.requestId} failed:`, err);
      if (!res.headersSent && !res.destroyed) sendError(res, error, responseHeaders(draft));
      draft.finish(draft.statusFor(error), error.status, error);
    }
  };
}
