export type CountTokens = (text: string) => number;

let counter: CountTokens | null = null;
let loading: Promise<void> | null = null;

/**
 * Loads the o200k tokenizer (`gpt-tokenizer`). Importing it takes 0.3–1 s and ~30 MB, so it is
 * not loaded with this module: call this once at startup, off the request path (the first exact
 * count starts it otherwise). Never rejects; a failed load leaves exact counting unavailable.
 */
export function preloadO200k(): Promise<void> {
  loading ??= import("gpt-tokenizer/encoding/o200k_base").then(
    (tokenizer) => {
      // Text such as "<|endoftext|>" is counted as the text it is, the way the API counts it;
      // gpt-tokenizer's default would throw on it.
      const options = { disallowedSpecial: new Set<string>() };
      counter = (text) => tokenizer.countTokens(text, options);
    },
    () => undefined,
  );
  return loading;
}

/**
 * The o200k counter (exact; ~1 ms per 2k tokens), or null while the tokenizer is not loaded yet —
 * asking starts the load, so a later call gets it.
 */
export function o200kCounter(): CountTokens | null {
  if (counter === null) void preloadO200k();
  return counter;
}
