import { MAX_WORD_LENGTH, PHRASE_INDEX, SYMBOL_PHRASES, WORD_INDEX } from "./lexicon.ts";
import { isMathOperator, nearDigit, scanLine } from "./scan-line.ts";
import { SCAN_LIMITS } from "./scan-limits.ts";
import { codeAt, isDigit, matchesAt, type Window } from "./window.ts";
import { REGION_WEIGHTS } from "./weights.ts";

/** For an ASCII code: its case-folded code if it is a word character (a–z, A–Z, 0–9, _), else 0. */
const WORD_CODE = new Uint8Array(128);
for (let c = 48; c <= 57; c++) WORD_CODE[c] = c;
for (let c = 97; c <= 122; c++) WORD_CODE[c] = c;
for (let c = 65; c <= 90; c++) WORD_CODE[c] = c + 32;
WORD_CODE[95] = 95;

/** ASCII characters the last user turn's scan looks at outside words: ? ` % math operators, newline (× and ÷ are checked apart). */
const MARKS = new Uint8Array(128);
for (const c of "?`%=+-*/^<>\n") MARKS[c.charCodeAt(0)] = 1;

/**
 * One pass over the window's characters, case folded as they are read: words are hashed as they
 * go and looked up in the lexicon (and phrases starting with them, in the instruction zones
 * only); in the last user turn, lines are checked for code, list, diff and stack-trace shapes.
 * Nothing is allocated per character, word or line. (The helpers below take positions as
 * plain arguments rather than an options object for the same reason: they run per word.)
 */
export function scanWindow(w: Window): void {
  const { features: f, text, start, end, weight, zone } = w;
  const lines = w.lines;
  f.scannedChars += end - start;
  const zoned = zone > 0;
  // The instruction zones in text positions: before headZoneEnd and from tailZoneStart on.
  const shift = w.offset - start;
  const headZoneEnd = zone - shift;
  const tailZoneStart = w.length - zone - shift;

  let wordStart = -1;
  let hash = 0;
  let lineStart = start;
  for (let i = start; i < end; i++) {
    const raw = text.charCodeAt(i);
    const ch = raw < 128 ? WORD_CODE[raw]! : 0;
    if (ch !== 0) {
      if (wordStart < 0) {
        wordStart = i;
        hash = 0;
        if (lines !== undefined && ch <= 57) f.numbers++;
      }
      hash = (Math.imul(hash, 31) + ch) | 0;
      continue;
    }
    if (wordStart >= 0) {
      // Most words are in neither index: only a possible hit pays for the call.
      const inZone = !zoned || wordStart < headZoneEnd || wordStart >= tailZoneStart;
      if (WORD_INDEX.has(hash) || (inZone && PHRASE_INDEX.has(hash)) || w.toolWords !== undefined) countWord(w, wordStart, i - wordStart, hash);
      wordStart = -1;
    }
    // Outside words the character is not a letter, so it needs no folding.
    if (lines === undefined) {
      if (raw === 96 && matchesAt(w, i, "```") && (i === start || text.charCodeAt(i - 1) === 10)) f.codeFences += 0.5 * weight;
      continue;
    }
    if (raw < 128 ? MARKS[raw] === 0 : raw !== 215 && raw !== 247) continue;
    if (raw === 63) f.questionMarks++;
    else if (raw === 96 && codeAt(w, i + 1) !== 96 && (i === start || text.charCodeAt(i - 1) !== 96)) f.inlineCode += 0.5;
    else if (raw === 37 && isDigit(codeAt(w, i - 1))) f.mathSymbols++;
    else if (isMathOperator(raw) && nearDigit(w, i)) f.mathSymbols++;
    if (raw === 10) {
      scanLine(w, lineStart, i);
      lineStart = i + 1;
    }
  }
  // The window's end ends the last word and the last line.
  if (wordStart >= 0) countWord(w, wordStart, end - wordStart, hash);
  if (lines !== undefined) scanLine(w, lineStart, end);

  if (zoned) {
    // Only the instruction zones of this window (the ask, not the pasted middle).
    const n = end - start;
    const headEnd = Math.max(0, Math.min(n, zone - w.offset));
    const tailStart = Math.min(n, Math.max(headEnd, w.length - zone - w.offset));
    if (headEnd > 0) countSymbolPhrases(w, start, start + headEnd);
    if (tailStart < n) countSymbolPhrases(w, start + tailStart, end);
  } else {
    countSymbolPhrases(w, start, Math.min(end, start + SCAN_LIMITS.historyHead));
  }
}

/** Whether text position `at` is in an instruction zone (every position is, in a window without zones). */
function inZone(w: Window, at: number): boolean {
  const pos = at - w.start + w.offset;
  return w.zone === 0 || pos < w.zone || pos >= w.length - w.zone;
}

/** The word [at, at + len) with the given hash: phrases starting with it (in a zone), its lexicon entry, tool names. */
function countWord(w: Window, at: number, len: number, hash: number): void {
  const zoned = inZone(w, at);
  const weight = w.zone > 0 && zoned ? REGION_WEIGHTS.instructionZone : w.weight;
  const hits = w.hits;
  if (zoned) {
    const phrases = PHRASE_INDEX.get(hash);
    if (phrases !== undefined) {
      for (const p of phrases) if (p.word.length === len && matchesAt(w, at, p.phrase)) hits[p.slot]! += weight;
    }
  }
  if (len < 2 || len > MAX_WORD_LENGTH) return;
  const entry = findWord(WORD_INDEX.get(hash), w, at, len);
  if (entry !== undefined) for (const slot of entry.slots) hits[slot]! += weight;
  if (w.toolWords !== undefined && findWord(w.toolWords.get(hash), w, at, len) !== undefined) w.features.toolNameMentions++;
}

/** The entry among hash collisions whose word is exactly [at, at + len), case folded. */
function findWord<T extends { word: string }>(entries: readonly T[] | undefined, w: Window, at: number, len: number): T | undefined {
  if (entries === undefined) return undefined;
  for (const e of entries) if (e.word.length === len && matchesAt(w, at, e.word)) return e;
  return undefined;
}

/** Each symbol phrase's first character, and which characters start one at all (all are ASCII). */
const SYMBOL_FIRST_CHARS = SYMBOL_PHRASES.map((p) => p.phrase.charCodeAt(0));
const STARTS_SYMBOL_PHRASE = new Uint8Array(128);
for (const ch of SYMBOL_FIRST_CHARS) STARTS_SYMBOL_PHRASE[ch] = 1;
const MAX_SYMBOL_HITS = 4;
// Scratch for countSymbolPhrases, reset on every call (the scan is synchronous): no allocation per zone.
const SYMBOL_COUNT = new Int32Array(SYMBOL_PHRASES.length);
const SYMBOL_NEXT = new Int32Array(SYMBOL_PHRASES.length);

/**
 * Phrases that start with a symbol ("```", "#include", "\\frac") within [from, to). At most 4
 * non-overlapping hits per phrase and zone: a phrase repeated in a template is still one ask.
 */
function countSymbolPhrases(w: Window, from: number, to: number): void {
  // Zones of the last user turn weigh as instruction zones throughout; other windows, as themselves.
  const weight = w.zone > 0 ? REGION_WEIGHTS.instructionZone : w.weight;
  // Per phrase: hits so far and the first position where it may match again (after its last hit).
  const count = SYMBOL_COUNT.fill(0);
  const next = SYMBOL_NEXT.fill(from);
  const text = w.text;
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 128 || STARTS_SYMBOL_PHRASE[ch] === 0) continue;
    for (let k = 0; k < SYMBOL_PHRASES.length; k++) {
      if (SYMBOL_FIRST_CHARS[k] !== ch || i < next[k]! || count[k]! >= MAX_SYMBOL_HITS) continue;
      const p = SYMBOL_PHRASES[k]!;
      if (i + p.phrase.length > to || !matchesAt(w, i, p.phrase)) continue;
      w.hits[p.slot]! += weight;
      count[k]!++;
      next[k] = i + p.phrase.length;
    }
  }
}
