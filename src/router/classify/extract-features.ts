import type { ChatRequest, ContentPart, Message } from "../../core/request.ts";
import { LEXICON_CATEGORIES, type LexiconCategory } from "./lexicon.ts";
import { readRequestShape, toolNameWords } from "./request-shape.ts";
import { SCAN_LIMITS } from "./scan-limits.ts";
import { scanWindow } from "./scan-window.ts";
import type { Features } from "./types.ts";
import { REGION_WEIGHTS } from "./weights.ts";
import type { Hits, LineState, ToolWords, Window } from "./window.ts";

export { SCAN_LIMITS } from "./scan-limits.ts";

type CountKey = { [K in keyof Features]: Features[K] extends number ? K : never }[keyof Features];

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

/** How one message is read: a head and a tail window (the whole of it when short enough). */
interface Reading {
  head: number;
  tail: number;
  weight: number;
  zone: number;
  toolWords: ToolWords | undefined;
  lines: LineState | undefined;
}

/** The system prompt: its head only, as context. */
const SYSTEM: Reading = { head: SCAN_LIMITS.systemHead, tail: 0, weight: REGION_WEIGHTS.system, zone: 0, toolWords: undefined, lines: undefined };
/** Earlier turns: head and tail, as context. */
const HISTORY: Reading = { head: SCAN_LIMITS.historyHead, tail: SCAN_LIMITS.historyTail, weight: REGION_WEIGHTS.history, zone: 0, toolWords: undefined, lines: undefined };

/**
 * Computes the classifier's features from a bounded part of the request (SCAN_LIMITS). Pure.
 * Reads the request's strings in place: what it allocates does not grow with the prompt.
 */
export function extractFeatures(request: ChatRequest): Features {
  const f = emptyFeatures();
  const hits: Hits = new Float64Array(LEXICON_CATEGORIES.length);
  readRequestShape(f, request);
  const messages = request.messages;
  let lastUser = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") {
      lastUser = i;
      break;
    }
  }
  f.lastIsToolResult = messages[messages.length - 1]?.role === "tool";

  let historyRead = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    const length = contentLength(m);
    f.totalChars += length;
    switch (m.role) {
      case "system":
        f.systemChars += length;
        scanMessage(f, hits, m, SYSTEM);
        break;
      case "user":
        f.userTurns++;
        if (i === lastUser) {
          f.lastUserChars = length;
          // The ask: instruction zones at both ends, line shapes and tool names counted.
          const last: Reading = { head: SCAN_LIMITS.lastUserHead, tail: SCAN_LIMITS.lastUserTail, weight: REGION_WEIGHTS.lastUserBody, zone: SCAN_LIMITS.zone, toolWords: toolNameWords(request), lines: { letterOptions: 0 } };
          scanMessage(f, hits, m, last);
        } else if (historyRead++ < SCAN_LIMITS.historyMessages) {
          scanMessage(f, hits, m, HISTORY);
        }
        break;
      case "assistant":
        f.assistantTurns++;
        f.toolCallsInHistory += m.toolCalls?.length ?? 0;
        if (historyRead++ < SCAN_LIMITS.historyMessages) scanMessage(f, hits, m, HISTORY);
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
  for (let k = 0; k < LEXICON_CATEGORIES.length; k++) f[CATEGORY_FEATURE[LEXICON_CATEGORIES[k]!]] = round2(hits[k]!);
  // The only other counts that can be fractional.
  f.codeFences = round2(f.codeFences);
  f.inlineCode = round2(f.inlineCode);
  return f;
}

/**
 * Scans the first `head` and last `tail` characters of a message, or all of it when that is
 * shorter. A string is read in place; content parts are joined first, only as much as is read.
 */
function scanMessage(f: Features, hits: Hits, m: Message, r: Reading): void {
  const content = m.content;
  if (content === null) return;
  const length = contentLength(m);
  const whole = length <= r.head + r.tail;
  const text = typeof content === "string" ? content : partsSlice(content, whole ? length : r.head, false);
  const end = typeof content === "string" ? (whole ? length : r.head) : text.length;
  const w: Window = { features: f, hits, text, start: 0, end, offset: 0, length, weight: r.weight, zone: r.zone, toolWords: r.toolWords, lines: r.lines };
  scanWindow(w);
  if (whole || r.tail === 0) return;
  // The tail window of the same message.
  if (typeof content === "string") {
    w.start = length - r.tail;
    w.end = length;
  } else {
    w.text = partsSlice(content, r.tail, true);
    w.start = 0;
    w.end = w.text.length;
  }
  w.offset = length - r.tail;
  scanWindow(w);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function contentLength(m: Message): number {
  const content = m.content;
  if (content === null) return 0;
  if (typeof content === "string") return content.length;
  let n = 0;
  for (const part of content) if (part.type === "text") n += part.text.length;
  return n;
}

/** The first (or last) `max` characters of the text parts, joined with newlines. */
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
