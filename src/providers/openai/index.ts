export { createOpenAIAdapter, DEFAULT_OPENAI_BASE_URL } from "./openai-adapter.ts";
export type { OpenAIAdapterOptions } from "./openai-adapter.ts";
export type { OpenAIAdapterType } from "./map-openai-request.ts";
