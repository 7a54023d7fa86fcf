import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { createParser } from "eventsource-parser";
import { anthropicStreamEvents } from "../../../bench/fake-anthropic-responses.ts";
import { chatCompletionStreamEvents } from "../../../bench/fake-chat-responses.ts";
import { fixturePath, readFixture, skipWithoutFixtures } from "../../../test/support/fixtures.ts";
import { createSseReader, type SseEvent } from "./sse-reader.ts";

/** What eventsource-parser alone makes of the pieces. */
function byParser(pieces: readonly string[]): SseEvent[] {
  const out: SseEvent[] = [];
  const parser = createParser({ onEvent: (m) => out.push({ event: m.event, data: m.data }) });
  for (const p of pieces) parser.feed(p);
  return out;
}

function byReader(pieces: readonly string[]): SseEvent[] {
  const out: SseEvent[] = [];
  const reader = createSseReader((e) => out.push({ event: e.event, data: e.data }));
  for (const p of pieces) reader.feed(p);
  return out;
}

/** The text cut into pieces of 1..max characters, from a seeded generator. */
function cut(text: string, seed: number, max: number): string[] {
  const pieces: string[] = [];
  let s = seed;
  for (let i = 0; i < text.length; ) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const n = 1 + (s % max);
    pieces.push(text.slice(i, i + n));
    i += n;
  }
  return pieces;
}

function assertSameAsParser(text: string, label: string): void {
  assert.deepEqual(byReader([text]), byParser([text]), `${label}: whole`);
  for (let seed = 1; seed <= 20; seed++) {
    const pieces = cut(text, seed, seed % 2 === 0 ? 7 : 300);
    assert.deepEqual(byReader(pieces), byParser(pieces), `${label}: pieces (seed ${seed})`);
  }
}

test("the bench's OpenAI and Anthropic streams read as eventsource-parser reads them, whole and in pieces", () => {
  assertSameAsParser(chatCompletionStreamEvents.join(""), "openai");
  assertSameAsParser(anthropicStreamEvents.join(""), "anthropic");
  assert.equal(byReader([chatCompletionStreamEvents.join("")]).length, chatCompletionStreamEvents.length);
});

test("every recorded raw SSE stream reads as eventsource-parser reads it", { skip: skipWithoutFixtures }, () => {
  let streams = 0;
  for (const dir of readdirSync(fixturePath("raw-sse"), { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const name of readdirSync(fixturePath(`raw-sse/${dir.name}`)).filter((n) => n.endsWith(".sse"))) {
      assertSameAsParser(readFixture(`raw-sse/${dir.name}/${name}`), `${dir.name}/${name}`);
      streams++;
    }
  }
  assert.ok(streams > 5, `only ${streams} raw SSE streams found`);
});

test("what the shortcut does not take still reads as the parser reads it", () => {
  const cases = [
    ": a comment\n\ndata: a\n\n",
    "id: 7\ndata: a\n\nretry: 10\ndata: b\n\n",
    "data: line one\ndata: line two\n\ndata: c\n\n",
    "data: crlf\r\n\r\ndata: d\r\n\r\n",
    "data: e\n\ndata: cr later\r\n\r\ndata: f\n\n",
    "event: ping\ndata: {}\n\nevent:tight\ndata:tight\n\n",
    "event: only\n\ndata: g\n\n",
    "\n\n\ndata: leading blank lines\n\n",
    "data:\n\ndata: \n\ndata:  two spaces\n\n",
    "data: no end",
    "datum: not a field\n\ndata: h\n\n",
    "event: a\nevent: b\ndata: two event lines\n\n",
    "data: x\nid: after\n\n",
  ];
  for (const text of cases) assertSameAsParser(text, JSON.stringify(text));
});
