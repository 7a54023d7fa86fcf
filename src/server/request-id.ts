import { randomFillSync } from "node:crypto";

/** Two hex digits for each byte, three for each 12-bit sequence number. */
const HEX2: readonly string[] = Array.from({ length: 0x100 }, (_, i) => i.toString(16).padStart(2, "0"));
const HEX3: readonly string[] = Array.from({ length: 0x1000 }, (_, i) => i.toString(16).padStart(3, "0"));

/** Random bytes drawn from the OS a pool at a time, 10 per id: 62 bits of the id's own and 11 for a millisecond's first sequence number. */
const BYTES_PER_ID = 10;
const POOL_IDS = 512;
const pool = Buffer.alloc(POOL_IDS * BYTES_PER_ID);
let poolAt = pool.length;

let lastMs = -1;
let sequence = 0;
/** `tttttttt-tttt-`: the time part of the ids of `lastMs`, made once per millisecond. */
let timePart = "";

/**
 * A request id: a UUIDv7 (RFC 9562) — 48 bits of Unix milliseconds, then random bits — so ids
 * sort by time. The ledger's primary key is the request id; time-ordered ids land on the last
 * index page instead of a random one, which halves the cost of each receipt insert. Within one
 * millisecond a 12-bit counter keeps them in order, and ids never go back in time even when the
 * clock does. The 62 random bits come from a pool of cryptographically strong bytes, refilled
 * 512 ids at a time.
 */
export function newRequestId(nowMs = Date.now()): string {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += BYTES_PER_ID;
  if (nowMs > lastMs) {
    lastMs = nowMs;
    // A random start in the lower half leaves room for the millisecond's other ids.
    sequence = (((pool[at + 8] as number) << 8) | (pool[at + 9] as number)) & 0x7ff;
    timePart = timePartOf(lastMs);
  } else if (sequence < 0xfff) {
    sequence += 1;
  } else {
    // 4096 ids in one millisecond (or a clock that stepped back): borrow the next millisecond.
    lastMs += 1;
    sequence = 0;
    timePart = timePartOf(lastMs);
  }
  const b = (i: number): string => HEX2[pool[at + i] as number] as string;
  // `Vxxx-xxxxxxxxxxxx`: the variant (binary 10) in the top bits of the first byte, then 62 random bits.
  const variant = HEX2[((pool[at] as number) & 0x3f) | 0x80] as string;
  return `${timePart}7${HEX3[sequence] as string}-${variant}${b(1)}-${b(2)}${b(3)}${b(4)}${b(5)}${b(6)}${b(7)}`;
}

function timePartOf(ms: number): string {
  const hex = ms.toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-`;
}
