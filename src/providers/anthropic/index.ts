export { createAnthropicAdapter, DEFAULT_ANTHROPIC_BASE_URL, DEFAULT_ANTHROPIC_VERSION } from "./anthropic-adapter.ts";
export type { AnthropicAdapterOptions } from "./anthropic-adapter.ts";
export { DEFAULT_MAX_TOKENS, THINKING_BUDGET, supportsNativeStructuredOutput } from "./anthropic-model-support.ts";
export type { StructuredOutputMode } from "./anthropic-model-support.ts";
