import type { StreamBatch } from "../core/stream-event.ts";
import { encodeChatChunk, initialChunkEncoderState, type ChunkEncoderState } from "../wire/openai/encode-chat-chunk.ts";
import { encodeChatResult } from "../wire/openai/encode-chat-result.ts";
import { parseChatRequest, type ParsedChatRequest } from "../wire/openai/parse-chat-request.ts";
import { SSE_DONE, sseData, sseErrorFrame } from "../wire/sse.ts";
import { sendError } from "./send.ts";
import { createChatHandler, type ChatEdgeCodec, type ChatHandlerOptions, type EdgeContext, type EdgeStreamEncoder } from "./serve-chat.ts";

export type { ChatHandlerOptions } from "./serve-chat.ts";

const openaiChatCodec: ChatEdgeCodec<ParsedChatRequest> = {
  endpoint: "/v1/chat/completions",
  parse: parseChatRequest,
  // An upstream that already answered in this format is forwarded as it came, byte for byte.
  encodeResult: (result) => result.openaiText ?? JSON.stringify(encodeChatResult(result)),
  openStream: openChunkStream,
  sendError,
};

/** POST /v1/chat/completions: a thin edge over dispatch. Every outcome writes a receipt. */
export function createChatCompletionsHandler(options: ChatHandlerOptions) {
  return createChatHandler({ ...options, codec: openaiChatCodec });
}

/** Upstream chunks pass through as received; others are encoded. Usage only when asked for. */
function openChunkStream({ parsed, draft, target }: EdgeContext<ParsedChatRequest>): EdgeStreamEncoder {
  const includeUsage = parsed.includeUsage;
  let encoder: ChunkEncoderState = initialChunkEncoderState({
    id: `chatcmpl-${draft.meta.requestId}`,
    model: target.upstreamModel,
    created: Math.floor(draft.startedAt / 1000),
  });
  return {
    batch(batch: StreamBatch): string {
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
      return text;
    },
    end: () => SSE_DONE,
    fail: sseErrorFrame,
  };
}
