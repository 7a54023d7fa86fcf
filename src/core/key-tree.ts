/**
 * Values keyed by a fixed number of strings, in maps nested one level per string. A lookup hashes
 * strings that mostly come from the config, whose hashes V8 keeps on the string; a key joined from
 * them would be built, flattened and hashed again on every request.
 */
export class KeyTree<V> {
  private readonly root = new Map<string, unknown>();
  private readonly depth: number;
  private readonly maxSize: number;
  private count = 0;

  /** `maxSize`: values remembered at most; past it, `set` forgets (clients choose some of these keys). */
  constructor(depth: number, maxSize = Number.POSITIVE_INFINITY) {
    if (!Number.isInteger(depth) || depth < 1) throw new Error(`KeyTree depth must be a positive integer, got ${depth}`);
    this.depth = depth;
    this.maxSize = maxSize;
  }

  get size(): number {
    return this.count;
  }

  get(keys: readonly string[]): V | undefined {
    this.check(keys);
    let node: Map<string, unknown> | undefined = this.root;
    for (let i = 0; i < this.depth - 1; i++) {
      node = node.get(keys[i] as string) as Map<string, unknown> | undefined;
      if (node === undefined) return undefined;
    }
    return node.get(keys[this.depth - 1] as string) as V | undefined;
  }

  /** Remembers `value` under `keys`, unless the tree is full and `keys` is new. */
  set(keys: readonly string[], value: V): void {
    this.check(keys);
    let node = this.root;
    for (let i = 0; i < this.depth - 1; i++) {
      const key = keys[i] as string;
      let next = node.get(key) as Map<string, unknown> | undefined;
      if (next === undefined) {
        if (this.count >= this.maxSize) return;
        next = new Map<string, unknown>();
        node.set(key, next);
      }
      node = next;
    }
    const last = keys[this.depth - 1] as string;
    if (!node.has(last)) {
      if (this.count >= this.maxSize) return;
      this.count++;
    }
    node.set(last, value);
  }

  /** Every value with its keys, in insertion order per level. */
  *entries(): Generator<[string[], V]> {
    const walk = function* (node: Map<string, unknown>, prefix: string[], levelsLeft: number): Generator<[string[], V]> {
      for (const [key, child] of node) {
        const keys = [...prefix, key];
        if (levelsLeft === 1) yield [keys, child as V];
        else yield* walk(child as Map<string, unknown>, keys, levelsLeft - 1);
      }
    };
    yield* walk(this.root, [], this.depth);
  }

  clear(): void {
    this.root.clear();
    this.count = 0;
  }

  private check(keys: readonly string[]): void {
    if (keys.length !== this.depth) throw new Error(`KeyTree needs ${this.depth} keys, got ${keys.length}`);
  }
}
