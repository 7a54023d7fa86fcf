import type { StreamEvent } from "../../core/stream-event.ts";
import { paceTokens, safeSlice } from "./estimate-tokens.ts";
import type { SimulatedAnswer } from "./plan-answer.ts";
import { deriveRng, hashString } from "./prng.ts";
import type { Rng } from "./prng.ts";

/** One stream message and the output tokens it stands for, which set how long it takes. */
export interface PacedChunk {
  events: StreamEvent[];
  tokens: number;
}

const LONG_WORD_CHARS = 12;

/** The answer as a provider would stream it: start, a few tokens per delta, finish, usage. */
export function answerToChunks(answer: SimulatedAnswer, created: number): PacedChunk[] {
  const rng = deriveRng(hashString(answer.id), "stream");
  const chunks: PacedChunk[] = [{ events: [{ type: "start", id: answer.id, model: answer.model, created }], tokens: 0 }];
  for (const delta of splitText(answer.reasoning ?? "", rng)) {
    chunks.push({ events: [{ type: "reasoning-delta", delta }], tokens: paceTokens(delta) });
  }
  for (const delta of splitText(answer.content ?? "", rng)) {
    chunks.push({ events: [{ type: "text-delta", delta }], tokens: paceTokens(delta) });
  }
  answer.toolCalls.forEach((call, index) => {
    const head: StreamEvent = { type: "tool-call-delta", index, id: call.id, name: call.name, argumentsDelta: "" };
    chunks.push({ events: [head], tokens: paceTokens(call.name) });
    for (let at = 0; at < call.arguments.length; ) {
      const piece = safeSlice(call.arguments.slice(at), rng.int(8, 16)) || call.arguments.slice(at, at + 2);
      at += piece.length;
      chunks.push({ events: [{ type: "tool-call-delta", index, argumentsDelta: piece }], tokens: paceTokens(piece) });
    }
  });
  chunks.push({ events: [{ type: "finish", finishReason: answer.finishReason }], tokens: 0 });
  chunks.push({ events: [{ type: "usage", usage: { ...answer.usage } }], tokens: 0 });
  return chunks;
}

/** Pieces of one to a few words (long words cut), which concatenate back to `text`. */
function splitText(text: string, rng: Rng): string[] {
  const words: string[] = [];
  for (const word of text.match(/\s*\S+|\s+$/g) ?? []) {
    for (let rest = word; rest.length > 0; ) {
      const piece = rest.length > LONG_WORD_CHARS + 4 ? safeSlice(rest, LONG_WORD_CHARS) || rest.slice(0, 2) : rest;
      words.push(piece);
      rest = rest.slice(piece.length);
    }
  }
  const pieces: string[] = [];
  let current = "";
  let target = rng.int(6, 16);
  for (const word of words) {
    current += word;
    if (current.length >= target) {
      pieces.push(current);
      current = "";
      target = rng.int(6, 16);
    }
  }
  if (current.length > 0) pieces.push(current);
  return pieces;
}
