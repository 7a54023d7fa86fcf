import { codeAt, isDigit, matchesAt, type Window } from "./window.ts";

/**
 * Classifies one line [start, end) of the window by its shape: code fence, diff, stack trace,
 * numbered item, multiple-choice option, bullet or code-shaped line. Case folded; nothing past
 * the window is looked at.
 */
export function scanLine(w: Window, start: number, end: number): void {
  const { features: f, text, lines } = w;
  if (lines === undefined) return; // only the last user turn's lines are read
  let s = start;
  while (s < end && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  if (s >= end) return;
  const indent = s - start;
  let e = end - 1;
  while (e > s && (text.charCodeAt(e) === 32 || text.charCodeAt(e) === 13 || text.charCodeAt(e) === 9)) e--;
  const first = codeAt(w, s);
  const lastCh = codeAt(w, e);
  const second = s + 1 < end ? codeAt(w, s + 1) : 0;

  if (first === 96 && matchesAt(w, s, "```")) {
    f.codeFences += 0.5;
    return;
  }
  if ((first === 64 && second === 64) || matchesAt(w, s, "diff --git") || matchesAt(w, s, "+++ ") || matchesAt(w, s, "--- a/")) {
    f.diffMarkers++;
    return;
  }
  if ((indent > 0 && matchesAt(w, s, "at ") && hasOpenParen(text, s, end)) || matchesAt(w, s, 'file "') || matchesAt(w, s, "traceback (")) {
    f.stackTraceLines++;
    return;
  }
  // "1. foo", "2) bar"
  if (isDigit(first)) {
    let d = s;
    while (d < end && isDigit(codeAt(w, d))) d++;
    const after = codeAt(w, d);
    if (d - s <= 2 && (after === 46 || after === 41) && codeAt(w, d + 1) === 32) {
      f.numberedItems++;
      return;
    }
  }
  // "a. foo" / "b) bar": multiple-choice options
  if (first >= 97 && first <= 100 && (second === 46 || second === 41) && codeAt(w, s + 2) === 32 && e - s < 200) {
    lines.letterOptions++;
    if (lines.letterOptions >= 3) f.multipleChoice = true;
    return;
  }
  if ((first === 45 || first === 42 || first === 8226) && second === 32) {
    f.bulletItems++;
    return;
  }
  const codeEnding = lastCh === 59 || lastCh === 123 || lastCh === 125 || (lastCh === 41 && indent >= 2);
  const codeStart = matchesAt(w, s, "//") || matchesAt(w, s, "#include") || matchesAt(w, s, "def ") || matchesAt(w, s, "import ") || matchesAt(w, s, "return ");
  if (codeEnding || codeStart || (lastCh === 58 && startsWithBlockKeyword(w, s)) || isAssignment(w, s, end)) f.codeLines++;
}

/** Whether "(" occurs in [from, to). */
function hasOpenParen(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 40) return true;
  return false;
}

const BLOCK_KEYWORDS = ["for ", "if ", "while ", "elif ", "else", "try", "except", "with ", "class "];

/** Python-style block openers: "for x in data:", "if x > 0:". */
function startsWithBlockKeyword(w: Window, s: number): boolean {
  for (const k of BLOCK_KEYWORDS) if (matchesAt(w, s, k)) return true;
  return false;
}

/** "name = …" or "obj.field = …" at the start of a line: code, rarely prose. */
function isAssignment(w: Window, s: number, end: number): boolean {
  let i = s;
  while (i < end) {
    const ch = codeAt(w, i);
    if ((ch >= 97 && ch <= 122) || ch === 95 || ch === 46 || (i > s && isDigit(ch))) i++;
    else break;
  }
  return i > s && codeAt(w, i) === 32 && codeAt(w, i + 1) === 61 && codeAt(w, i + 2) === 32;
}

/** = + - * / ^ < > × ÷ */
export function isMathOperator(ch: number): boolean {
  return ch === 61 || ch === 43 || ch === 45 || ch === 42 || ch === 47 || ch === 94 || ch === 60 || ch === 62 || ch === 215 || ch === 247;
}

/** An operator at i between digits or a digit and a one-letter variable: "3 + 4", "2x = 6", "n^2". */
export function nearDigit(w: Window, i: number): boolean {
  let p = i - 1;
  if (codeAt(w, p) === 32) p--;
  let q = i + 1;
  if (codeAt(w, q) === 32) q++;
  const a = codeAt(w, p);
  const b = codeAt(w, q);
  const digitA = isDigit(a);
  const digitB = isDigit(b);
  return (digitA && (digitB || (b >= 97 && b <= 122) || b === 40)) || (digitB && (a === 41 || (a >= 97 && a <= 122 && !isLetter(codeAt(w, p - 1)))));
}

function isLetter(ch: number): boolean {
  return ch >= 97 && ch <= 122;
}
