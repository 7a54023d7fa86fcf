/**
 * The bundled context windows: the most tokens a model takes in one request (prompt and answer
 * together, as the providers state it; Gemini limits input and output apart and is listed by its
 * input limit), keyed by the id each provider's API takes.
 *
 * Read in place from the same two maintained tables as the price table (price-table.ts):
 * genai-prices (pydantic/genai-prices @ 47df840, data.json `context_window`, 2026-08-21, MIT) and
 * litellm (model_prices_and_context_window.json `max_input_tokens` + `max_output_tokens`, as
 * mirrored 2026-07-24, MIT). Where they differ the entry says which was taken. When in doubt the
 * larger is taken: a window listed too small refuses prompts the model would take, one listed too
 * large only lets the provider's own error through. `models.<id>.context_window` in the config
 * always wins.
 */

export const CONTEXT_WINDOWS_DATE = "2026-08-21";

export interface BundledContextWindow {
  tokens: number;
  /** Where the number came from. */
  source: string;
}

const BOTH = "genai-prices = litellm";
const LITELLM = "litellm";

const GPT_5_4 = { tokens: 1_050_000, source: BOTH };
const GPT_5_5 = { tokens: 1_050_000, source: `${LITELLM} (genai-prices rounds to 1,000,000), as gpt-5.4` };
// litellm lists the 400k window as 272k input + 128k output.
const GPT_5 = { tokens: 400_000, source: BOTH };
const GPT_4_1 = { tokens: 1_047_576, source: `${LITELLM} (genai-prices rounds to 1,000,000)` };
const O_SERIES = { tokens: 200_000, source: LITELLM };
const CLAUDE_1M = { tokens: 1_000_000, source: BOTH };
const CLAUDE_200K = { tokens: 200_000, source: BOTH };
const GEMINI = { tokens: 1_048_576, source: `${LITELLM} (genai-prices rounds to 1,000,000 or lists none)` };
// text-embedding-3: the API takes at most 8,191 input tokens (genai-prices says 8,192).
const OPENAI_EMBEDDING = { tokens: 8_191, source: LITELLM };

export const CONTEXT_WINDOWS: Readonly<Record<string, BundledContextWindow>> = {
  // OpenAI
  "gpt-5.6": { tokens: 1_050_000, source: `${LITELLM}; genai-prices lists it as gpt-5.6-sol, the same` },
  "gpt-5.5": GPT_5_5,
  "gpt-5.5-pro": GPT_5_5,
  "gpt-5.4": GPT_5_4,
  "gpt-5.4-pro": GPT_5_4,
  "gpt-5.4-mini": { tokens: 400_000, source: "genai-prices, the later source (litellm copies gpt-5.4's 1,050,000)" },
  "gpt-5.4-nano": { tokens: 400_000, source: "genai-prices, as gpt-5.4-mini" },
  "gpt-5.2": GPT_5,
  "gpt-5.1": GPT_5,
  "gpt-5": GPT_5,
  "gpt-5-mini": GPT_5,
  "gpt-5-nano": GPT_5,
  "gpt-5-pro": GPT_5,
  "gpt-4.1": GPT_4_1,
  "gpt-4.1-mini": GPT_4_1,
  "gpt-4.1-nano": GPT_4_1,
  "gpt-4o": { tokens: 128_000, source: BOTH },
  "gpt-4o-mini": { tokens: 128_000, source: BOTH },
  o3: O_SERIES,
  "o3-pro": O_SERIES,
  "o3-mini": O_SERIES,
  "o4-mini": O_SERIES,
  "text-embedding-3-small": OPENAI_EMBEDDING,
  "text-embedding-3-large": OPENAI_EMBEDDING,
  "text-embedding-ada-002": OPENAI_EMBEDDING,

  // Anthropic
  "claude-opus-5": CLAUDE_1M,
  "claude-sonnet-5": CLAUDE_1M,
  "claude-opus-4-8": CLAUDE_1M,
  "claude-opus-4-7": CLAUDE_1M,
  "claude-opus-4-6": { tokens: 1_000_000, source: `${LITELLM} (genai-prices 200,000; 1M at the flat price since 2026-03-13)` },
  "claude-sonnet-4-6": CLAUDE_1M,
  "claude-sonnet-4-5": { tokens: 1_000_000, source: "genai-prices (litellm 200,000): the 1M-token beta, whose >200k price tier the price table carries" },
  "claude-opus-4-5": CLAUDE_200K,
  "claude-opus-4-1": CLAUDE_200K,
  "claude-haiku-4-5": CLAUDE_200K,

  // Google Gemini API
  "gemini-3.6-flash": GEMINI,
  "gemini-3.5-flash": GEMINI,
  "gemini-3.5-flash-lite": GEMINI,
  "gemini-3.1-pro-preview": GEMINI,
  "gemini-3-pro-preview": GEMINI,
  "gemini-3.1-flash-lite": GEMINI,
  "gemini-3.1-flash-lite-preview": GEMINI,
  "gemini-3-flash-preview": GEMINI,
  "gemini-2.5-pro": GEMINI,
  "gemini-2.5-flash": GEMINI,
  "gemini-2.5-flash-lite": GEMINI,
  "gemini-embedding-001": { tokens: 2_048, source: LITELLM },

  // DeepSeek
  "deepseek-chat": { tokens: 131_072, source: `${LITELLM} (genai-prices still has the older 64,000)` },
  "deepseek-reasoner": { tokens: 131_072, source: `${LITELLM}, as deepseek-chat` },
  "deepseek-v4-pro": { tokens: 1_000_000, source: BOTH },
  "deepseek-v4-flash": { tokens: 1_000_000, source: BOTH },
};
