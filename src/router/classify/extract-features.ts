import type { ChatRequest, ContentPart, Message } from "../../core/request.ts";
import { indexByHash, MAX_WORD_LENGTH, type HashIndex, PHRASE_INDEX, SYMBOL_PHRASES, WORD_INDEX, type LexiconCategory } from "./lexicon.ts";
import type { Features } from "./types.ts";
import { REGION_WEIGHTS } from "./weights.ts";

/**
 * How much of a request is read. Everything past these bounds is counted by length only, so the
 * cost of classifying does not grow with the prompt: a 1 MB paste reads the same few kilobytes.
 */
export const SCAN_LIMITS = {
  lastUserHead: 3000,
  lastUserTail: 1000,
  /** Instruction zone at each end of the last user turn; phrases are searched only here. */
  zone: 300,
  systemHead: 1500,
  historyHead: 400,
  historyTail: 200,
  /** Earlier turns read (most recent first); older ones count toward depth only. */
  historyMessages: 12,
  tools: 64,
  schemaProperties: 64,
} as const;

const CATEGORY_FEATURE: Record<LexiconCategory, CountKey> = {
  summary: "summaryHits",
  extraction: "extractionHits",
  classification: "classificationHits",
  code: "codeHits",
  reasoning: "reasoningHits",
  planning: "planningHits",
  chat: "chatHits",
  action: "actionHits",
  constraint: "constraintHits",
  multiStep: "multiStepHits",
  hard: "hardHits",
};

/** Generic tool-name words that say nothing about what the user asked for. */
const TOOL_STOP_WORDS = new Set(["get", "set", "list", "create", "update", "delete", "tool", "run", "the", "for", "and", "with", "from", "info", "data"]);

type CountKey = { [K in keyof Features]: Features[K] extends number ? K : never }[keyof Features];

/** Computes the classifier's features from a bounded part of the request. Pure. */
export function extractFeatures(request: ChatRequest): Features {
  const f = emptyFeatures();
  const messages = request.messages;
  f.messageCount = messages.length;
  f.hasTools = (request.tools?.length ?? 0) > 0;
  f.toolCount = request.tools?.length ?? 0;
  const choice = request.toolChoice;
  f.toolChoiceRequired = choice === "required" || (typeof choice === "object" && choice.type === "tool");
  f.toolChoiceNone = choice === "none";
  f.jsonSchema = request.responseFormat?.type === "json_schema";
  f.jsonObject = request.responseFormat?.type === "json_object";
  if (request.responseFormat?.type === "json_schema") {
    const counted = countSchemaProperties(request.responseFormat.schema);
    f.schemaProperties = counted.properties;
    // Only a schema that is mostly labels asks for a label; a contract schema with a few boolean
    // fields is still extraction.
    f.schemaEnums = counted.enums * 2 >= counted.properties ? counted.enums : 0;
  }

  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") {
      lastUser = i;
      break;
    }
  }
  const last = messages[messages.length - 1];
  f.lastIsToolResult = last?.role === "tool";

  const toolWords = toolNameWords(request);
  let historyRead = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    const length = contentLength(m);
    f.totalChars += length;
    switch (m.role) {
      case "system":
        f.systemChars += length;
        scanWindow(f, { text: head(m, SCAN_LIMITS.systemHead), offset: 0, length, weight: REGION_WEIGHTS.system, zone: 0 });
        break;
      case "user":
        f.userTurns++;
        if (i === lastUser) {
          f.lastUserChars = length;
          scanLastUser(f, m, length, toolWords);
        } else if (historyRead++ < SCAN_LIMITS.historyMessages) {
          scanHistory(f, m, length);
        }
        break;
      case "assistant":
        f.assistantTurns++;
        f.toolCallsInHistory += m.toolCalls?.length ?? 0;
        if (historyRead++ < SCAN_LIMITS.historyMessages) scanHistory(f, m, length);
        break;
      case "tool":
        // Tool output is data the model reads, not an ask: only its presence counts.
        f.toolResults++;
        break;
      default: {
        const _never: never = m;
        return _never;
      }
    }
  }
  for (const key of Object.keys(f) as (keyof Features)[]) {
    const value = f[key];
    if (typeof value === "number" && !Number.isInteger(value)) (f as Record<keyof Features, number | boolean>)[key] = Math.round(value * 100) / 100;
  }
  return f;
}

function scanLastUser(f: Features, m: Message, length: number, toolWords: ToolWords): void {
  const { lastUserHead, lastUserTail } = SCAN_LIMITS;
  const weight = REGION_WEIGHTS.lastUserBody;
  const zone = SCAN_LIMITS.zone;
  const lines: LineState = { letterOptions: 0 };
  if (length <= lastUserHead + lastUserTail) {
    scanWindow(f, { text: head(m, length), offset: 0, length, weight, zone, lines, toolWords });
    return;
  }
  scanWindow(f, { text: head(m, lastUserHead), offset: 0, length, weight, zone, lines, toolWords });
  scanWindow(f, { text: tail(m, lastUserTail), offset: length - lastUserTail, length, weight, zone, lines, toolWords });
}

function scanHistory(f: Features, m: Message, length: number): void {
  const { historyHead, historyTail } = SCAN_LIMITS;
  const weight = REGION_WEIGHTS.history;
  if (length <= historyHead + historyTail) {
    scanWindow(f, { text: head(m, length), offset: 0, length, weight, zone: 0 });
    return;
  }
  scanWindow(f, { text: head(m, historyHead), offset: 0, length, weight, zone: 0 });
  scanWindow(f, { text: tail(m, historyTail), offset: length - historyTail, length, weight, zone: 0 });
}

interface Window {
  /** Raw text of this window (at most a bounded slice of the message). */
  text: string;
  /** Where the window starts in the whole message, and the message's length. */
  offset: number;
  length: number;
  weight: number;
  /** Characters at each end of the message that count with the instruction-zone weight (0: none). */
  zone: number;
  toolWords?: ToolWords;
  /** Present for the last user turn only: structural signals (code lines, lists, …) are counted there. */
  lines?: LineState;
}

/** Line counts that span the windows of one message. */
interface LineState {
  letterOptions: number;
}

/**
 * One pass over the characters: words are looked up in the lexicon (and phrases starting with
 * them, in the instruction zones only), lines are checked for code, list, diff and stack-trace
 * shapes. Words are hashed as they are read, so nothing is allocated per word.
 */
function scanWindow(f: Features, w: Window): void {
  const text = w.text.toLowerCase();
  const n = text.length;
  f.scannedChars += n;
  const zoneWeight = (pos: number): number =>
    w.zone > 0 && (w.offset + pos < w.zone || w.offset + pos >= w.length - w.zone) ? REGION_WEIGHTS.instructionZone : w.weight;

  const state = w.lines;
  let wordStart = -1;
  let hash = 0;
  let lineStart = 0;
  for (let i = 0; i <= n; i++) {
    const ch = i < n ? text.charCodeAt(i) : 10;
    const isWord = (ch >= 97 && ch <= 122) || (ch >= 48 && ch <= 57) || ch === 95;
    if (isWord) {
      if (wordStart < 0) {
        wordStart = i;
        hash = 0;
        if (state && ch <= 57 && ch !== 95) f.numbers++;
      }
      hash = (Math.imul(hash, 31) + ch) | 0;
      continue;
    }
    if (wordStart >= 0) {
      const len = i - wordStart;
      const phrases = PHRASE_INDEX.get(hash);
      if (phrases !== undefined && inPhraseZone(w, wordStart)) {
        for (const p of phrases) {
          if (p.word.length === len && text.startsWith(p.phrase, wordStart)) f[CATEGORY_FEATURE[p.category]] += zoneWeight(wordStart);
        }
      }
      if (len >= 2 && len <= MAX_WORD_LENGTH) {
        const entry = lookup(WORD_INDEX.get(hash), text, wordStart, len);
        if (entry) {
          const weight = zoneWeight(wordStart);
          for (const cat of entry.categories) f[CATEGORY_FEATURE[cat]] += weight;
        }
        if (w.toolWords && lookup(w.toolWords.get(hash), text, wordStart, len)) f.toolNameMentions++;
      }
      wordStart = -1;
    }
    if (!state) {
      if (ch === 96 && text.startsWith("```", i) && (i === 0 || text.charCodeAt(i - 1) === 10)) f.codeFences += 0.5 * w.weight;
      continue;
    }
    if (ch === 63) f.questionMarks++;
    else if (ch === 96 && text.charCodeAt(i + 1) !== 96 && (i === 0 || text.charCodeAt(i - 1) !== 96)) f.inlineCode += 0.5;
    else if (ch === 37 && isDigit(text.charCodeAt(i - 1))) f.mathSymbols++;
    else if (isMathOperator(ch) && nearDigit(text, i)) f.mathSymbols++;
    if (ch === 10) {
      scanLine(f, state, text, lineStart, i);
      lineStart = i + 1;
    }
  }
  if (w.zone > 0) scanSymbolPhrases(f, text, w, zoneWeight);
  else scanSymbolPhrasesFlat(f, text, w.weight);
}

/** In the last user turn, phrases count only in the instruction zones; elsewhere within the read window. */
function inPhraseZone(w: Window, pos: number): boolean {
  return w.zone === 0 || w.offset + pos < w.zone || w.offset + pos >= w.length - w.zone;
}

function scanSymbolPhrases(f: Features, text: string, w: Window, weightAt: (pos: number) => number): void {
  // Only the instruction zones of this window (the ask, not the pasted middle), sliced so that
  // each search stops at the zone's end.
  const headEnd = Math.max(0, Math.min(text.length, w.zone - w.offset));
  const tailStart = Math.min(text.length, Math.max(headEnd, w.length - w.zone - w.offset));
  if (headEnd > 0) countPhrases(f, text.slice(0, headEnd), 0, weightAt);
  if (tailStart < text.length) countPhrases(f, text.slice(tailStart), tailStart, weightAt);
}

function scanSymbolPhrasesFlat(f: Features, text: string, weight: number): void {
  const zone = text.length <= SCAN_LIMITS.historyHead ? text : text.slice(0, SCAN_LIMITS.historyHead);
  countPhrases(f, zone, 0, () => weight);
}

/** At most 4 hits per phrase and zone: a phrase repeated in a template is still one ask. */
function countPhrases(f: Features, zone: string, offset: number, weightAt: (pos: number) => number): void {
  for (const { phrase, category } of SYMBOL_PHRASES) {
    let at = 0;
    for (let k = 0; k < 4; k++) {
      const found = zone.indexOf(phrase, at);
      if (found < 0) break;
      f[CATEGORY_FEATURE[category]] += weightAt(offset + found);
      at = found + phrase.length;
    }
  }
}

/** Classifies one line [start, end) by its shape. */
function scanLine(f: Features, state: LineState, text: string, start: number, end: number): void {
  let s = start;
  while (s < end && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  if (s >= end) return;
  const indent = s - start;
  let e = end - 1;
  while (e > s && (text.charCodeAt(e) === 32 || text.charCodeAt(e) === 13 || text.charCodeAt(e) === 9)) e--;
  const first = text.charCodeAt(s);
  const lastCh = text.charCodeAt(e);
  const second = s + 1 < end ? text.charCodeAt(s + 1) : 0;

  if (first === 96 && text.startsWith("```", s)) {
    f.codeFences += 0.5;
    return;
  }
  if ((first === 64 && second === 64) || text.startsWith("diff --git", s) || text.startsWith("+++ ", s) || text.startsWith("--- a/", s)) {
    f.diffMarkers++;
    return;
  }
  if ((indent > 0 && text.startsWith("at ", s) && text.indexOf("(", s) < end && text.indexOf("(", s) >= 0) || text.startsWith('file "', s) || text.startsWith("traceback (", s)) {
    f.stackTraceLines++;
    return;
  }
  // "1. foo", "2) bar"
  if (first >= 48 && first <= 57) {
    let d = s;
    while (d < end && text.charCodeAt(d) >= 48 && text.charCodeAt(d) <= 57) d++;
    const after = text.charCodeAt(d);
    if (d - s <= 2 && (after === 46 || after === 41) && text.charCodeAt(d + 1) === 32) {
      f.numberedItems++;
      return;
    }
  }
  // "a. foo" / "b) bar": multiple-choice options
  if (first >= 97 && first <= 100 && (second === 46 || second === 41) && text.charCodeAt(s + 2) === 32 && e - s < 200) {
    state.letterOptions++;
    if (state.letterOptions >= 3) f.multipleChoice = true;
    return;
  }
  if ((first === 45 || first === 42 || first === 8226) && second === 32) {
    f.bulletItems++;
    return;
  }
  const codeEnding = lastCh === 59 || lastCh === 123 || lastCh === 125 || (lastCh === 41 && indent >= 2);
  const codeStart = text.startsWith("//", s) || text.startsWith("#include", s) || text.startsWith("def ", s) || text.startsWith("import ", s) || text.startsWith("return ", s);
  if (codeEnding || codeStart || (lastCh === 58 && startsWithBlockKeyword(text, s)) || isAssignment(text, s, end)) f.codeLines++;
}

const BLOCK_KEYWORDS = ["for ", "if ", "while ", "elif ", "else", "try", "except", "with ", "class "];

/** Python-style block openers: "for x in data:", "if x > 0:". */
function startsWithBlockKeyword(text: string, s: number): boolean {
  for (const k of BLOCK_KEYWORDS) if (text.startsWith(k, s)) return true;
  return false;
}

/** "name = …" or "obj.field = …" at the start of a line: code, rarely prose. */
function isAssignment(text: string, s: number, end: number): boolean {
  let i = s;
  while (i < end) {
    const ch = text.charCodeAt(i);
    if ((ch >= 97 && ch <= 122) || ch === 95 || ch === 46 || (i > s && isDigit(ch))) i++;
    else break;
  }
  return i > s && text.charCodeAt(i) === 32 && text.charCodeAt(i + 1) === 61 && text.charCodeAt(i + 2) === 32;
}

function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}

function isMathOperator(ch: number): boolean {
  // = + - * / ^ < > × ÷
  return ch === 61 || ch === 43 || ch === 45 || ch === 42 || ch === 47 || ch === 94 || ch === 60 || ch === 62 || ch === 215 || ch === 247;
}

/** An operator between digits or a digit and a one-letter variable: "3 + 4", "2x = 6", "n^2". */
function nearDigit(text: string, i: number): boolean {
  let p = i - 1;
  if (text.charCodeAt(p) === 32) p--;
  let q = i + 1;
  if (text.charCodeAt(q) === 32) q++;
  const a = text.charCodeAt(p);
  const b = text.charCodeAt(q);
  const digitA = a >= 48 && a <= 57;
  const digitB = b >= 48 && b <= 57;
  return (digitA && (digitB || (b >= 97 && b <= 122) || b === 40)) || (digitB && (a === 41 || (a >= 97 && a <= 122 && !isLetter(text.charCodeAt(p - 1)))));
}

function isLetter(ch: number): boolean {
  return (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90);
}

type ToolWords = HashIndex<{ word: string }>;

/** The entry among hash collisions whose word is exactly text[start, start + len). */
function lookup<T extends { word: string }>(entries: readonly T[] | undefined, text: string, start: number, len: number): T | undefined {
  if (entries === undefined) return undefined;
  for (const e of entries) if (e.word.length === len && text.startsWith(e.word, start)) return e;
  return undefined;
}

function toolNameWords(request: ChatRequest): ToolWords {
  const words = new Set<string>();
  const tools = request.tools ?? [];
  for (let t = 0; t < tools.length && t < SCAN_LIMITS.tools; t++) {
    const name = (tools[t]?.name ?? "").slice(0, 64).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
    for (const part of name.split(/[^a-z]+/)) {
      if (part.length >= 4 && !TOOL_STOP_WORDS.has(part)) {
        words.add(part);
        // "emails" ↔ "email", "searching" is rare enough to skip
        if (part.endsWith("s")) words.add(part.slice(0, -1));
        else words.add(`${part}s`);
      }
    }
  }
  return indexByHash([...words].map((word) => ({ word })));
}

function countSchemaProperties(schema: Record<string, unknown>): { properties: number; enums: number } {
  let count = 0;
  let enums = 0;
  const visit = (node: unknown, depth: number): void => {
    if (depth > 3 || count >= SCAN_LIMITS.schemaProperties || typeof node !== "object" || node === null) return;
    const props = (node as Record<string, unknown>).properties;
    if (typeof props === "object" && props !== null) {
      for (const child of Object.values(props)) {
        if (++count >= SCAN_LIMITS.schemaProperties) return;
        if (typeof child === "object" && child !== null && (Array.isArray((child as Record<string, unknown>).enum) || (child as Record<string, unknown>).type === "boolean")) enums++;
        visit(child, depth + 1);
      }
    }
    visit((node as Record<string, unknown>).items, depth + 1);
  };
  visit(schema, 0);
  return { properties: count, enums };
}

function contentLength(m: Message): number {
  const content = m.content;
  if (content === null) return 0;
  if (typeof content === "string") return content.length;
  let n = 0;
  for (const part of content) if (part.type === "text") n += part.text.length;
  return n;
}

/** The first `max` characters of a message's text, without joining the whole of it. */
function head(m: Message, max: number): string {
  const content = m.content;
  if (content === null) return "";
  if (typeof content === "string") return content.length <= max ? content : content.slice(0, max);
  return partsSlice(content, max, false);
}

function tail(m: Message, max: number): string {
  const content = m.content;
  if (content === null) return "";
  if (typeof content === "string") return content.slice(Math.max(0, content.length - max));
  return partsSlice(content, max, true);
}

function partsSlice(parts: ContentPart[], max: number, fromEnd: boolean): string {
  const out: string[] = [];
  let remaining = max;
  for (let k = 0; k < parts.length && remaining > 0; k++) {
    const part = parts[fromEnd ? parts.length - 1 - k : k];
    if (part?.type !== "text") continue;
    const piece = part.text.length <= remaining ? part.text : fromEnd ? part.text.slice(part.text.length - remaining) : part.text.slice(0, remaining);
    remaining -= piece.length;
    out.push(piece);
  }
  if (fromEnd) out.reverse();
  return out.join("\n");
}

function emptyFeatures(): Features {
  return {
    messageCount: 0,
    userTurns: 0,
    assistantTurns: 0,
    toolResults: 0,
    toolCallsInHistory: 0,
    lastIsToolResult: false,
    hasTools: false,
    toolCount: 0,
    toolChoiceRequired: false,
    toolChoiceNone: false,
    toolNameMentions: 0,
    jsonSchema: false,
    jsonObject: false,
    schemaProperties: 0,
    schemaEnums: 0,
    lastUserChars: 0,
    systemChars: 0,
    totalChars: 0,
    scannedChars: 0,
    codeFences: 0,
    inlineCode: 0,
    codeLines: 0,
    stackTraceLines: 0,
    diffMarkers: 0,
    numberedItems: 0,
    bulletItems: 0,
    questionMarks: 0,
    mathSymbols: 0,
    numbers: 0,
    multipleChoice: false,
    summaryHits: 0,
    extractionHits: 0,
    classificationHits: 0,
    codeHits: 0,
    reasoningHits: 0,
    planningHits: 0,
    chatHits: 0,
    actionHits: 0,
    constraintHits: 0,
    multiStepHits: 0,
    hardHits: 0,
  };
}
