import { ANSWER_TEXT, ANSWER_USAGE, WORDS } from "./fake-chat-responses.ts";

/**
 * What the fake upstream answers on `POST /v1/messages`, built once like the OpenAI answers: the
 * same text in the same deltas and the same usage, shaped as the Messages API sends them (see
 * ../shared/fixtures/anthropic/anthropic-text.json and .chunks.txt), so that the translated path
 * carries the same answer as the same-format one. Anthropic counts `input_tokens` without cache
 * reads, hence 42 − 16.
 */

const ID = "msg_01BenchFakeUpstream000000";
const MODEL = "claude-bench-2026-01-01";

const startUsage = {
  input_tokens: ANSWER_USAGE.promptTokens - ANSWER_USAGE.cachedPromptTokens,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: ANSWER_USAGE.cachedPromptTokens,
  cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  output_tokens: 1,
  service_tier: "standard",
  inference_geo: "not_available",
};

export const anthropicMessageBody: Buffer = Buffer.from(
  JSON.stringify({
    model: MODEL,
    id: ID,
    type: "message",
    role: "assistant",
    content: [{ type: "text", text: ANSWER_TEXT }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { ...startUsage, output_tokens: ANSWER_USAGE.completionTokens },
  }),
);

function event(data: { type: string } & Record<string, unknown>): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** One string per SSE event (`event:` line, `data:` line), in the order the Messages API sends them. */
export const anthropicStreamEvents: readonly string[] = [
  event({
    type: "message_start",
    message: { model: MODEL, id: ID, type: "message", role: "assistant", content: [], stop_reason: null, stop_sequence: null, usage: startUsage },
  }),
  event({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
  event({ type: "ping" }),
  ...WORDS.map((w) => event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: w } })),
  event({ type: "content_block_stop", index: 0 }),
  event({
    type: "message_delta",
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: {
      input_tokens: startUsage.input_tokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: startUsage.cache_read_input_tokens,
      output_tokens: ANSWER_USAGE.completionTokens,
    },
  }),
  event({ type: "message_stop" }),
];
