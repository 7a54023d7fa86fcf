export interface ClosestIdsOptions {
  /** At most this many ids are returned. Default 3. */
  limit?: number;
}

/**
 * The candidates that look most like `target`, best first: for "did you mean" hints when a model
 * id, route, lane or config key is not found. A candidate qualifies when it is a few edits away
 * (Damerau–Levenshtein, case-insensitive), when one id is a prefix of the other or contains it,
 * or when both share the family segment before the first separator (`gpt-`, `claude-`).
 * Ranked by edit distance, then by longer common prefix, then alphabetically, so the answer is
 * stable.
 */
export function closestIds(target: string, candidates: Iterable<string>, options: ClosestIdsOptions = {}): string[] {
  const limit = options.limit ?? 3;
  const t = target.toLowerCase();
  const scored: { id: string; distance: number; prefix: number }[] = [];
  for (const id of new Set(candidates)) {
    if (id === target) continue;
    const c = id.toLowerCase();
    const distance = editDistance(t, c);
    const prefix = commonPrefixLength(t, c);
    if (qualifies({ t, c, distance, prefix })) scored.push({ id, distance, prefix });
  }
  scored.sort((a, b) => a.distance - b.distance || b.prefix - a.prefix || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.id);
}

function qualifies(s: { t: string; c: string; distance: number; prefix: number }): boolean {
  const { t, c, distance, prefix } = s;
  if (t.length === 0) return false;
  const allowed = Math.max(2, Math.floor(Math.max(t.length, c.length) / 3));
  if (distance <= allowed) return true;
  if (t.length >= 3 && (c.startsWith(t) || c.includes(t))) return true;
  if (c.length >= 3 && t.startsWith(c)) return true;
  const family = familyLength(t);
  return family >= 3 && prefix > family;
}

/** Length of the first segment (`gpt` in `gpt-5.4`), or 0 when the id has no separator. */
function familyLength(id: string): number {
  const match = /[-._/:]/.exec(id);
  return match ? match.index : 0;
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * cols + j] = v;
    }
  }
  return at(a.length, b.length);
}
