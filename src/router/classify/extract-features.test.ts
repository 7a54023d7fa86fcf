import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatRequest, ContentPart, Message, ToolDefinition } from "../../core/request.ts";
import { extractFeatures, SCAN_LIMITS } from "./extract-features.ts";
import { PHRASE_LIST, WORD_CATEGORIES } from "./lexicon.ts";

const user = (content: string | ContentPart[]): Message => ({ role: "user", content });
const req = (messages: Message[], more: Partial<ChatRequest> = {}): ChatRequest => ({ model: "auto", messages, stream: false, extra: {}, ...more });
const tool = (name: string): ToolDefinition => ({ name, parameters: { type: "object", properties: {} } });

test("the lexicon is lower-case ASCII, as the case-folding scan requires", () => {
  for (const text of [...WORD_CATEGORIES.keys(), ...PHRASE_LIST.map((p) => p.phrase)]) {
    assert.match(text, /^[\x20-\x7e]+$/, JSON.stringify(text));
    assert.equal(text, text.toLowerCase(), JSON.stringify(text));
  }
});

test("case does not matter: words, phrases, symbol phrases and line shapes are matched case-insensitively", () => {
  const text = [
    "Summarize the KEY POINTS of this Traceback, step by step. Prove That it halts.",
    "#include <stdio.h>",
    "DEF main():",
    "Traceback (most recent call last):",
    "DIFF --GIT a/x b/x",
    "RETURN 1;",
    "X = 2 + 3",
    "Thanks! How many? Is This Spam?",
  ].join("\n");
  const upper = extractFeatures(req([{ role: "system", content: "You MUST answer in JSON." }, user(text.toUpperCase())]));
  const lower = extractFeatures(req([{ role: "system", content: "You must answer in json." }, user(text.toLowerCase())]));
  const mixed = extractFeatures(req([{ role: "system", content: "You Must answer in Json." }, user(text)]));
  assert.deepEqual(upper, lower);
  assert.deepEqual(mixed, lower);
  assert.ok(lower.summaryHits > 0 && lower.codeHits > 0 && lower.reasoningHits > 0 && lower.constraintHits > 0);
  assert.equal(lower.stackTraceLines, 1);
  assert.equal(lower.diffMarkers, 1);
});

test("a window ends where it ends: a word is not joined with the text just outside it", () => {
  const { lastUserHead, lastUserTail } = SCAN_LIMITS;
  const head = "Please read this.".padEnd(lastUserHead, " ");
  const tail = "summarize".padEnd(lastUserTail, " ");
  // The tail window starts right after a run of letters: it must still read "summarize" as a word.
  const glued = extractFeatures(req([user(`${head}${"z".repeat(5000)}${tail}`)]));
  const spaced = extractFeatures(req([user(`${head}${"z".repeat(4999)} ${tail}`)]));
  assert.equal(glued.summaryHits, spaced.summaryHits);
  assert.ok(glued.summaryHits > 0);
  // A word cut by the end of the head window is not read whole.
  const cut = extractFeatures(req([user(`${"x".repeat(lastUserHead - 4)}summarize${" ".repeat(10_000)}`)]));
  assert.equal(cut.summaryHits, 0);
});

test("content parts read as their text parts joined by newlines", () => {
  const parts = extractFeatures(req([user([{ type: "text", text: "Summarize" }, { type: "image", url: "https://example.org/a.png" }, { type: "text", text: "this contract, step by step" }])]));
  const joined = extractFeatures(req([user("Summarize\nthis contract, step by step")]));
  // Lengths count the text only; the joining newline is read but is no part of the message.
  assert.equal(parts.lastUserChars, joined.lastUserChars - 1);
  assert.deepEqual({ ...parts, lastUserChars: 0, totalChars: 0 }, { ...joined, lastUserChars: 0, totalChars: 0 });
});

test("tool names: words of the offered tools' names count when the user uses them, in any case", () => {
  const ask = user("What's the WEATHER like in Oslo? Also send emails.");
  // "weather", "send" and "emails" (sendEmail → send, email and their plurals).
  assert.equal(extractFeatures(req([ask], { tools: [tool("get_weather"), tool("sendEmail")] })).toolNameMentions, 3);
  assert.equal(extractFeatures(req([ask], { tools: [tool("get_data"), tool("run")] })).toolNameMentions, 0);
  assert.equal(extractFeatures(req([ask])).toolNameMentions, 0);
});

test("a symbol phrase counts at most 4 times per instruction zone", () => {
  const f = extractFeatures(req([user("=> ".repeat(10))]));
  // "=> " is a code phrase; in the instruction zone each hit weighs 2.
  assert.equal(f.codeHits, 8);
});
