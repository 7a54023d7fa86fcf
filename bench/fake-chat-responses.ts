/**
 * What the fake upstream answers, built once so that the fake spends no CPU per request on
 * anything but writing bytes: a chat.completion shaped like OpenAI's, and the same answer as
 * ~20 chat.completion.chunk SSE events followed by a usage chunk and `data: [DONE]`.
 */

const ID = "chatcmpl-BenchFakeUpstream0000000001";
const CREATED = 1_767_225_600;
const MODEL = "gpt-bench-2026-01-01";
const FINGERPRINT = "fp_bench0001";

/** The answer's text deltas; the Anthropic fake (fake-anthropic-responses.ts) streams the same ones. */
export const WORDS: readonly string[] = [
  "Switchyard", " routes", " each", " call", " to", " the", " model", " that", " fits", " it", ":",
  " cheap", " where", " failure", " is", " cheap", ",", " frontier", " where", " it", " is", " not", ".",
];

/** The whole answer, as a client should receive it through any path. */
export const ANSWER_TEXT: string = WORDS.join("");
/** The usage every fake answer reports (the Anthropic one in its own terms), as OpenAI counts it. */
export const ANSWER_USAGE = { promptTokens: 42, cachedPromptTokens: 16, completionTokens: WORDS.length } as const;

const usage = {
  prompt_tokens: ANSWER_USAGE.promptTokens,
  completion_tokens: ANSWER_USAGE.completionTokens,
  total_tokens: ANSWER_USAGE.promptTokens + ANSWER_USAGE.completionTokens,
  prompt_tokens_details: { cached_tokens: ANSWER_USAGE.cachedPromptTokens, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};

export const chatCompletionBody: Buffer = Buffer.from(
  JSON.stringify({
    id: ID,
    object: "chat.completion",
    created: CREATED,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: ANSWER_TEXT, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage,
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  }),
);

function chunk(choices: unknown[], extra: Record<string, unknown> = {}): string {
  const body = { id: ID, object: "chat.completion.chunk", created: CREATED, model: MODEL, service_tier: "default", system_fingerprint: FINGERPRINT, choices, ...extra };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** One string per SSE event, in order, ending with `data: [DONE]`. */
export const chatCompletionStreamEvents: readonly string[] = [
  chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }], { usage: null }),
  ...WORDS.map((w) => chunk([{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }], { usage: null })),
  chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }], { usage: null }),
  chunk([], { usage }),
  "data: [DONE]\n\n",
];
