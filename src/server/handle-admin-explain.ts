import { toGatewayError } from "../core/errors.ts";
import { explainRequest, type ExplainRuntime } from "../dispatch/explain-request.ts";
import { parseChatRequest } from "../wire/openai/parse-chat-request.ts";
import { parseJsonBody, readBody } from "./read-body.ts";
import { readSwitchyardHeaders } from "./request-headers.ts";
import type { Handler } from "./router.ts";
import { sendError, sendJson } from "./send.ts";

/**
 * POST /admin/explain: a Chat Completions body (and the optional `x-switchyard-*` headers) in,
 * the routing decision out — classification, rule, route, lane and chain — without calling a model.
 * The body goes through the same parser as /v1/chat/completions, so a bad one gets the same 400.
 */
export function createExplainHandler(options: { runtime: ExplainRuntime; maxBodyBytes: number }): Handler {
  const { runtime } = options;
  return async (req, res) => {
    try {
      const headers = readSwitchyardHeaders(req.headers);
      const parsed = parseChatRequest(parseJsonBody(await readBody(req, options.maxBodyBytes)));
      const explanation = explainRequest(runtime, {
        requestedModel: parsed.requestedModel,
        request: parsed.request,
        taskType: headers.taskType,
        complexity: headers.complexity,
        stickyKey: headers.taskId ?? headers.user,
        warnings: parsed.warnings,
      });
      sendJson(res, 200, explanation);
    } catch (err) {
      const error = toGatewayError(err);
      if (error.kind === "internal") console.error("[switchyard] /admin/explain failed:", err);
      sendError(res, error);
    }
  };
}
