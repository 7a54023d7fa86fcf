import type { ServerResponse } from "node:http";
import type { GatewayError } from "../core/errors.ts";
import { encodeMessagesError } from "../wire/anthropic/encode-messages-error.ts";
import { encodeMessagesResult, type MessagesEncodeOptions } from "../wire/anthropic/encode-messages-result.ts";
import { createMessagesStreamWriter } from "../wire/anthropic/messages-stream-writer.ts";
import { parseMessagesRequest, type ParsedMessagesRequest } from "../wire/anthropic/parse-messages-request.ts";
import { sendErrorBody } from "./send.ts";
import { createChatHandler, type ChatEdgeCodec, type ChatHandlerOptions, type EdgeContext } from "./serve-chat.ts";

const anthropicMessagesCodec: ChatEdgeCodec<ParsedMessagesRequest> = {
  endpoint: "/v1/messages",
  parse: parseMessagesRequest,
  encodeResult(result, context) {
    const { message, warnings } = encodeMessagesResult(result, encodeOptions(context));
    context.draft.warnings.push(...warnings);
    return JSON.stringify(message);
  },
  openStream: (context) => createMessagesStreamWriter(encodeOptions(context)),
  sendError: sendMessagesError,
  requestIdHeader: "request-id",
};

/**
 * POST /v1/messages: the Anthropic Messages API, inbound, through the same resolution, dispatch
 * and receipts as chat completions, whichever provider answers.
 */
export function createMessagesHandler(options: ChatHandlerOptions) {
  return createChatHandler({ ...options, codec: anthropicMessagesCodec });
}

function encodeOptions({ parsed, draft, target }: EdgeContext<ParsedMessagesRequest>): MessagesEncodeOptions {
  return {
    fallbackId: `msg_${draft.meta.requestId.replaceAll("-", "")}`,
    fallbackModel: target.upstreamModel,
    includeThinking: parsed.includeThinking,
    stopSequences: parsed.stopSequences,
  };
}

/** The Anthropic SDK reads errors on this endpoint in Anthropic's shape, not OpenAI's. */
function sendMessagesError(res: ServerResponse, error: GatewayError, headers: Record<string, string>): void {
  sendErrorBody(res, error, encodeMessagesError(error), headers);
}
