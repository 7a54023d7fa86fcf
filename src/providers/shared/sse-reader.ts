import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";

/** What the reader hands on per event: the fields the adapters read. */
export type SseEvent = Pick<EventSourceMessage, "event" | "data">;

export interface SseReader {
  /** Feeds the next piece of the stream's text; complete events go to `onEvent`, in order. */
  feed(text: string): void;
}

/**
 * An SSE reader that takes the common shape of provider streams — events of one `data:` line,
 * or one `event:` line and one `data:` line, ended by a blank line, `\n` only — straight from
 * the text, and hands everything else to eventsource-parser: comments, `id:` and `retry:`,
 * multi-line data, CR line ends, and an event split across two pieces of text. The parser only
 * ever starts at an event boundary, so the two read the same stream the same way.
 */
export function createSseReader(onEvent: (event: SseEvent) => void): SseReader {
  // Made on first need: most streams never need it.
  let parser: EventSourceParser | null = null;
  /** The stream uses CR line ends: everything goes to the parser. */
  let parserOnly = false;
  /** The last two characters of the stream so far: "\n\n" at an event boundary (and at the start). */
  let lastTwo = "\n\n";
  const toParser = (text: string): void => {
    parser ??= createParser({ onEvent });
    parser.feed(text);
    if (text.includes("\r")) parserOnly = true;
    lastTwo = text.length >= 2 ? text.slice(-2) : (lastTwo + text).slice(-2);
  };
  return {
    feed(text) {
      if (text === "") return;
      if (parserOnly || lastTwo !== "\n\n" || text.includes("\r")) {
        toParser(text);
        return;
      }
      let pos = 0;
      for (;;) {
        const end = text.indexOf("\n\n", pos);
        if (end === -1) break;
        const event = simpleEvent(text, pos, end);
        if (event === null) break;
        onEvent(event);
        pos = end + 2;
      }
      if (pos < text.length) toParser(pos === 0 ? text : text.slice(pos));
    },
  };
}

/** The event in text[start, end) when it is one `data:` line, or one `event:` and one `data:` line; else null. */
function simpleEvent(text: string, start: number, end: number): SseEvent | null {
  let event: string | undefined;
  let line = start;
  const newline = text.indexOf("\n", start);
  if (newline < end) {
    if (!text.startsWith("event:", start)) return null;
    event = fieldValue(text, start + 6, newline);
    line = newline + 1;
    if (text.indexOf("\n", line) < end) return null;
  }
  if (!text.startsWith("data:", line)) return null;
  return { event, data: fieldValue(text, line + 5, end) };
}

/** A field's value: what follows the colon, less one leading space. */
function fieldValue(text: string, from: number, to: number): string {
  return text.slice(text.charCodeAt(from) === 32 ? from + 1 : from, to);
}
