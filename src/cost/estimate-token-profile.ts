import type { ProviderConfig } from "../config/schema.ts";
import { KeyTree } from "../core/key-tree.ts";

/** `providers.<name>.type` from the config. */
export type ProviderType = ProviderConfig["type"];

/** How a provider counts a prompt, relative to o200k. */
export interface TokenProfile {
  /** Shown in explanations: which tokenizer the profile stands for. */
  name: string;
  /** The provider counts with o200k itself: an o200k count of its text is exact. */
  native: boolean;
  /** Best estimate of the provider's tokens per o200k token of text. */
  factor: number;
  /** The lowest that ratio plausibly is (over content types), for checks that must not refuse a fitting prompt. */
  minFactor: number;
  /** Fixed tokens per request: chat framing, the priming of the reply. */
  perRequest: number;
  /** Per message: role markers and separators. */
  perMessage: number;
  /** Per tool call in an assistant message, on top of its name and arguments. */
  perToolCall: number;
  /** Per tool result message, on top of `perMessage`. */
  perToolResult: number;
  /** Once per request that defines tools (a provider's tool-use system prompt). */
  toolsPreamble: number;
  /** Per image: `low` detail, and anything else (the provider's figure for a large image). */
  image: { low: number; other: number };
  /**
   * Whether the provider refuses a request whose prompt + max_tokens exceed the context window
   * (OpenAI, vLLM). Anthropic (Sonnet 4.5 on) stops at the window instead, and Gemini limits input
   * and output apart, so there only the prompt must fit.
   */
  windowIncludesOutput: boolean;
}

/**
 * OpenAI counts with o200k (GPT-4o and later, the o-series, gpt-oss). Framing per the OpenAI
 * cookbook ("How to count tokens with tiktoken": 3 per message, 3 to prime the reply). Tools are
 * counted as their JSON, which OpenAI renders a little shorter; with the tool-call figures below,
 * recorded gpt-4o-mini usage of 53/78/104/129 prompt tokens is estimated 57/82/107/132 (gpt-5: 13,
 * exactly). Images: 85 at low detail; 1,445 is gpt-4o's most for one image (8 tiles).
 */
const OPENAI: TokenProfile = {
  name: "o200k",
  native: true,
  factor: 1,
  minFactor: 1,
  perRequest: 3,
  perMessage: 3,
  perToolCall: 7,
  perToolResult: 3,
  toolsPreamble: 0,
  image: { low: 85, other: 1_445 },
  windowIncludesOutput: true,
};

/**
 * Claude 3 … Opus 4.6, Sonnet 4.6, Haiku 4.5. Claude's tokenizer is not public. Measured with
 * Anthropic's count_tokens endpoint (claudecodecamp.com, "I measured Claude 4.7's new tokenizer",
 * 2026-04): Opus 4.6 reads English prose at 4.33 characters per token and TypeScript at 3.66;
 * o200k reads comparable text here at 4.86 and 3.75 — ×1.12 and ×1.02. Scripts other than Latin
 * sit at the byte floor in this tokenizer (sanderland/ctok, README), above o200k. 1.15 leans to
 * the high side, as a budget reservation should. Framing: 7 tokens for a one-message request
 * (ctok); recorded usage (20 tokens for 13 o200k tokens of text) agrees. Tool use adds a system
 * prompt of 346 tokens (docs.claude.com, tool use: pricing). Images: w×h/750, at most ~1,600.
 */
const CLAUDE_V3: TokenProfile = {
  name: "claude (Claude 3 … 4.6 tokenizer)",
  native: false,
  factor: 1.15,
  minFactor: 0.95,
  perRequest: 7,
  perMessage: 3,
  perToolCall: 7,
  perToolResult: 3,
  toolsPreamble: 346,
  image: { low: 1_600, other: 1_600 },
  windowIncludesOutput: false,
};

/**
 * Claude Opus 4.7 and later (Opus 4.8/4.9, Opus 5, Sonnet 5) use a new tokenizer: Anthropic says
 * 1.0–1.35× the tokens of earlier models; measured, ×1.44 on English, ×1.22–1.27 on code, ×1.00 on
 * Cyrillic, Arabic, Devanagari and CJK (sanderland/ctok README; claudecodecamp.com: English 3.60
 * characters per token, TypeScript 2.69). Against o200k: ×1.35–1.6 on English, ×1.3–1.4 on code.
 * Its message frame is 12 tokens (ctok).
 */
const CLAUDE_V47: TokenProfile = { ...CLAUDE_V3, name: "claude (Opus 4.7+ tokenizer)", factor: 1.45, minFactor: 1, perRequest: 12 };

/**
 * Gemini's SentencePiece tokenizer (256k pieces) is not shipped for JavaScript. It spends ~5–10%
 * more than o200k on English and code and fewer on many other scripts; recorded usage here
 * (9/13/18 tokens for 7/13/16 o200k tokens) agrees. Tool declarations count far lighter than their
 * JSON (23 tokens where the JSON is 49 o200k tokens), so tools are over-estimated. Images: 1,120
 * (Gemini 3's default media resolution; Gemini 2.5 spends 258 per 768×768 tile).
 */
const GEMINI: TokenProfile = {
  name: "gemini (o200k-based estimate)",
  native: false,
  factor: 1.1,
  minFactor: 0.8,
  perRequest: 0,
  perMessage: 1,
  perToolCall: 3,
  perToolResult: 1,
  toolsPreamble: 0,
  image: { low: 1_120, other: 1_120 },
  windowIncludesOutput: false,
};

/**
 * Other models behind OpenAI-compatible servers (DeepSeek, Llama, Qwen, Mistral …): BPE
 * vocabularies of 100k–150k pieces, close to o200k on English, up to ~25% fewer on Chinese
 * (DeepSeek documents ~0.6 tokens per Chinese character where o200k spends ~0.8).
 */
const GENERIC: TokenProfile = { ...OPENAI, name: "other BPE (o200k-based estimate)", native: false, factor: 1.1, minFactor: 0.75, perMessage: 4 };

/**
 * The simulated provider bills ⌈characters / 4⌉ per text, 4 per message, 3 per request and the
 * image figures below (see providers/simulated/estimate-tokens.ts): about o200k ×1.2 on English,
 * ×0.6 on JSON, ×0.3 on Chinese.
 */
const SIMULATED: TokenProfile = { ...OPENAI, name: "simulated", native: false, factor: 1, minFactor: 0.3, perMessage: 4, image: { low: 85, other: 765 } };

const OPENAI_MODEL = /(?:^|[/:.])(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[1-9]|chatgpt-|gpt-oss|codex-)/;
const CLAUDE_MODEL = /claude-([a-z]+)-(\d+)(?:[-.](\d{1,2}))?(?=$|[-@:.])/;

/**
 * The counting profile of a model: known model families by name first (a Claude or an OpenAI
 * model stays one behind a proxy), then by the provider's type.
 */
export function tokenProfileOf(providerType: ProviderType, model: string): TokenProfile {
  const keys = [providerType, model];
  let profile = profiles.get(keys);
  if (profile === undefined) {
    profile = profileOf(providerType, model);
    profiles.set(keys, profile);
  }
  return profile;
}

/** Profiles by provider type and model, worked out once each (bounded: clients choose model names). */
const profiles = new KeyTree<TokenProfile>(2, 10_000);

function profileOf(providerType: ProviderType, model: string): TokenProfile {
  const id = model.toLowerCase();
  if (providerType === "simulated") return SIMULATED;
  if (OPENAI_MODEL.test(id)) return OPENAI;
  if (id.includes("claude")) return claudeProfile(id);
  if (id.includes("gemini")) return GEMINI;
  switch (providerType) {
    case "anthropic":
      return claudeProfile(id);
    case "gemini":
      return GEMINI;
    case "openai":
    case "openai-compatible":
      return GENERIC;
    default: {
      const never: never = providerType;
      return never;
    }
  }
}

/** Opus 4.7 and every family from 5 on read with the new tokenizer; unknown names are taken as recent. */
function claudeProfile(id: string): TokenProfile {
  if (/claude-(?:instant|\d)/.test(id)) return CLAUDE_V3; // claude-3-5-sonnet-20241022, claude-2.1
  const match = CLAUDE_MODEL.exec(id);
  if (!match) return CLAUDE_V47;
  const major = Number(match[2]);
  const minor = Number(match[3] ?? 0);
  return major > 4 || (major === 4 && minor >= 7) ? CLAUDE_V47 : CLAUDE_V3;
}
