/**
 * Vocabulary the feature scan counts. Single words are matched whole (ASCII word characters, case
 * folded); phrases are matched as substrings, ASCII case-insensitively. Words are kept short
 * and unambiguous: a word that is as common in chat as in code ("error", "list") is left out
 * rather than weighted down, because a miscount cannot be explained away in a reason.
 */

const LEXICON_BUCKET_BITS = 12;

/**
 * A fixed-size bucket array indexed by the low bits of wordHash: in the scan's inner loop an
 * array index is several times cheaper than a Map lookup. Entries in a bucket are confirmed by
 * comparing the word itself. `bits` sizes it: 2^bits buckets (the lexicon's 4096; a request's
 * few tool words need far fewer, so that building their index stays cheap).
 */
export class HashIndex<T extends { word: string }> {
  private readonly buckets: Array<T[] | undefined>;
  private readonly mask: number;
  constructor(entries: readonly T[], bits: number = LEXICON_BUCKET_BITS) {
    this.mask = (1 << bits) - 1;
    this.buckets = new Array<T[] | undefined>(1 << bits).fill(undefined);
    for (const entry of entries) {
      const b = wordHash(entry.word) & this.mask;
      (this.buckets[b] ??= []).push(entry);
    }
  }
  get(hash: number): readonly T[] | undefined {
    return this.buckets[hash & this.mask];
  }
  /** Whether an entry may have this hash: false for most words, so the scan can skip them cheaply. */
  has(hash: number): boolean {
    return this.buckets[hash & this.mask] !== undefined;
  }
}

/** A HashIndex of the entries, with 2^bits buckets (default: the lexicon's size). */
export function indexByHash<T extends { word: string }>(entries: readonly T[], bits?: number): HashIndex<T> {
  return new HashIndex(entries, bits);
}

/** The lexicon's categories, in a fixed order: a category's index is its slot in the scan's hit counters. */
export const LEXICON_CATEGORIES = ["summary", "extraction", "classification", "code", "reasoning", "planning", "chat", "action", "constraint", "multiStep", "hard"] as const;
export type LexiconCategory = (typeof LEXICON_CATEGORIES)[number];

const slotOf = (category: LexiconCategory): number => LEXICON_CATEGORIES.indexOf(category);

const WORDS: Record<LexiconCategory, string> = {
  summary: "summarize summarise summarizing summarising summary summaries tldr recap condense condensed gist shorten digest synopsis abstract changelog",
  extraction: "extract extracting extraction parse fields field entities entity json csv yaml invoice receipt itemized attributes populate structured normalize unstructured mentioned tracking",
  classification:
    "classify classifying classification categorize categorise categorization category categories sentiment label labels spam intent toxic toxicity tag triage urgent severity complaint",
  code:
    "function functions code coding implement implementation refactor debug bug bugs compile compiler exception traceback stacktrace regex sql python javascript typescript java rust golang kotlin swift php ruby bash shell script api endpoint dockerfile kubernetes npm pip typeerror segfault undefined nullpointerexception async await class method variable repo commit pr lint linter unittest pytest jest react django flask node fastapi css html webpack git k8s ansible terraform docker nginx svelte vue angular postgres mysql usestate useeffect component rerender props cli vb",
  reasoning:
    "prove proof theorem lemma derive derivation solve equation equations calculate compute probability integral derivative matrix prime primes puzzle riddle logic deduce infer inequality geometry algebra percent percentage ratio remainder divisible expected optimal optimize isomorphic eigenvalue converge convergence induction contradiction integer integers solutions rational irrational additive multiplicative gradient propositions truth determine markov dice doubles thrice twice total velocity interest compounded discount",
  planning: "plan strategy tradeoff tradeoffs tradeoff architecture design compare evaluate analyze analyse assess roadmap migrate migration scalable capacity schedule prioritize justify",
  chat: "hi hello hey thanks thank lol joke poem story haiku recommend suggestion suggestions advice favorite favourite chat feel feeling hobby movie movies song lyrics birthday",
  action: "search lookup book booking send email weather fetch retrieve cancel reschedule reserve order refund create delete update query check today tomorrow current latest now",
  constraint: "must exactly only never always strictly required mandatory cannot",
  multiStep: "then afterwards finally next subsequently",
  hard:
    "rigorous rigorously formal edge concurrency concurrent distributed asymptotic complexity invariant proof prove optimal race deadlock consistency latency throughput tradeoffs scalability adversarial counterexample",
};

/** Substring phrases (may include spaces and punctuation); lower-case. */
const PHRASES: Record<LexiconCategory, readonly string[]> = {
  summary: ["tl;dr", "key points", "main points", "key takeaways", "in one sentence", "in two sentences", "in a few sentences", "bullet points", "executive summary", "boil this down", "what is this about", "short version", "sum up", "consolidated summary"],
  extraction: ["pull out", "list all the", "find all the", "return only the", "fill in the", "as json", "in json", "into json", "key-value", "named entities", "phone number", "email address", "line items", "each person", "the following fields", "action item", "give me a table", "list every", "key facts", "in a structured form"],
  classification: ["is this spam", "positive, negative", "positive or negative", "which category", "one of the following labels", "yes or no", "respond with only the label", "one word:", "is this message", "which department", "urgency", "true or false", "detect whether", "respond with only", "label only", "one word", "or can it wait"],
  code: ["```", "def ", "function ", "=> ", "const ", "import ", "#include", "public static", "console.log", "print(", "select ", "error:", "exception", "stack trace", "pull request", "unit test", "write a program", "write a script", "code review", "this code", "my code", "the code"],
  reasoning: ["how many", "how much", "step by step", "what is the probability", "show that", "prove that", "if and only if", "\\frac", "\\sum", "\\int", "let x", "let n", "find the", "what is the minimum", "what is the maximum", "is it true"],
  planning: ["pros and cons", "trade-off", "trade-offs", "should we", "what would you recommend", "design a", "come up with a plan", "long-term", "which approach"],
  chat: ["how are you", "what do you think", "can you help", "tell me about", "write a poem", "write a story", "good morning", "thank you", "what's up", "i feel", "any tips", "fun fact"],
  action: ["look up", "find me", "book a", "send a", "check the", "what's the weather", "schedule a", "open a ticket", "create a ticket", "set a reminder"],
  constraint: ["do not", "don't", "at least", "at most", "no more than", "no less than", "make sure", "without using", "you must", "should not", "must not", "no longer than", "under no circumstances"],
  multiStep: ["step by step", "step-by-step", "first,", "first ", "second,", "then ", "after that", "finally,", "walk me through", "for each", "phase"],
  hard: ["edge case", "race condition", "worst case", "time complexity", "in o(", "big-o", "formally", "lock-free", "deadlock", "from first principles", "thread-safe", "at scale", "production-ready", "zero downtime", "backwards compatible"],
};

/** One word → the categories it counts toward (a word may count twice, e.g. "proof"). */
export const WORD_CATEGORIES: ReadonlyMap<string, readonly LexiconCategory[]> = buildWordMap();

export interface LexiconEntry {
  word: string;
  categories: readonly LexiconCategory[];
  /** The categories' indexes in LEXICON_CATEGORIES. */
  slots: readonly number[];
}

/**
 * The same words keyed by wordHash, so the scan can look a word up from a hash it computes as it
 * reads, without slicing a string per word; a hit is confirmed against the text.
 */
export const WORD_INDEX: HashIndex<LexiconEntry> = indexByHash([...WORD_CATEGORIES].map(([word, categories]) => ({ word, categories, slots: categories.map(slotOf) })));

/** The hash the scan computes incrementally: h = h * 31 + charCode, in 32 bits. */
export function wordHash(word: string): number {
  let h = 0;
  for (let i = 0; i < word.length; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) | 0;
  return h;
}

export interface PhraseEntry {
  /** The phrase's leading run of word characters: the scan looks the phrase up when it reads this word. */
  word: string;
  phrase: string;
  category: LexiconCategory;
  /** The category's index in LEXICON_CATEGORIES. */
  slot: number;
}

/** Every phrase. Like the words, all lower-case ASCII: the scan folds only A–Z when it compares. */
export const PHRASE_LIST: readonly PhraseEntry[] = Object.entries(PHRASES).flatMap(([category, phrases]) =>
  phrases.map((phrase) => ({ word: /^[a-z0-9_]*/.exec(phrase)?.[0] ?? "", phrase, category: category as LexiconCategory, slot: slotOf(category as LexiconCategory) })),
);

/** Phrases that start with a word, keyed by that word's hash: checked only where the word occurs. */
export const PHRASE_INDEX: HashIndex<PhraseEntry> = indexByHash(PHRASE_LIST.filter((p) => p.word !== ""));

/** Phrases that start with a symbol ("```", "#include", "\\frac"): few, looked for where their first character occurs. */
export const SYMBOL_PHRASES: readonly PhraseEntry[] = PHRASE_LIST.filter((p) => p.word === "");

/** Longest word worth looking up; longer runs of letters are skipped without allocating. */
export const MAX_WORD_LENGTH = 24;

function buildWordMap(): Map<string, LexiconCategory[]> {
  const map = new Map<string, LexiconCategory[]>();
  for (const [category, words] of Object.entries(WORDS)) {
    for (const word of words.split(" ")) {
      if (word.length === 0) continue;
      const list = map.get(word) ?? [];
      if (!list.includes(category as LexiconCategory)) list.push(category as LexiconCategory);
      map.set(word, list);
    }
  }
  return map;
}
