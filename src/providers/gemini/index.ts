export { createGeminiAdapter, DEFAULT_GEMINI_BASE_URL } from "./gemini-adapter.ts";
export type { GeminiAdapterOptions } from "./gemini-adapter.ts";
