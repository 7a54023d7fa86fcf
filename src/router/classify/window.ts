import type { HashIndex } from "./lexicon.ts";
import type { Features } from "./types.ts";

/**
 * Keyword hits per lexicon category (index = position in LEXICON_CATEGORIES), summed over all the
 * windows of one request and written into the Features once at the end.
 */
export type Hits = Float64Array;

/** Words of the request's tool names, looked up like lexicon words. */
export type ToolWords = HashIndex<{ word: string }>;

/** Line counts that span the windows of one message. */
export interface LineState {
  letterOptions: number;
}

/**
 * One bounded window of a message's text, read in place (never sliced or lower-cased), and where
 * what it finds is counted.
 */
export interface Window {
  features: Features;
  hits: Hits;
  /** The string the window is read from; the window is [start, end) of it. */
  text: string;
  start: number;
  end: number;
  /** Where text[start] sits in the whole message, and the message's length. */
  offset: number;
  length: number;
  weight: number;
  /** Characters at each end of the message that count with the instruction-zone weight (0: none). */
  zone: number;
  /** Present for the last user turn only, when tools are offered. */
  toolWords: ToolWords | undefined;
  /** Present for the last user turn only: structural signals (code lines, lists, …) are counted there. */
  lines: LineState | undefined;
}

/** The character code at i, A–Z folded to a–z; -1 outside the window, as if the window were the whole string. */
export function codeAt(w: Window, i: number): number {
  if (i < w.start || i >= w.end) return -1;
  const ch = w.text.charCodeAt(i);
  return ch >= 65 && ch <= 90 ? ch + 32 : ch;
}

/** Whether `literal` (lower-case ASCII) occurs at `pos`, case-insensitively, within the window. */
export function matchesAt(w: Window, pos: number, literal: string): boolean {
  const n = literal.length;
  if (pos < w.start || pos + n > w.end) return false;
  const text = w.text;
  for (let k = 0; k < n; k++) {
    let ch = text.charCodeAt(pos + k);
    if (ch >= 65 && ch <= 90) ch += 32;
    if (ch !== literal.charCodeAt(k)) return false;
  }
  return true;
}

/** Whether a character code (as codeAt gives it) is an ASCII digit. */
export function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}
