import type { SimulatedTaskKind } from "./catalogue.ts";
import { estimateTokens } from "./estimate-tokens.ts";
import type { Rng } from "./prng.ts";
import type { PromptFacts } from "./prompt-facts.ts";

export interface ComposeTextOptions {
  kind: SimulatedTaskKind;
  facts: PromptFacts;
  rng: Rng;
  /** About how long the answer should be. */
  targetTokens: number;
  /** Set when the answer follows a tool's result: the name of that tool. */
  afterTool?: string;
}

const ON_TOPIC = [
  "The main point about {a} is how it relates to {b}.",
  "In practice, {a} works best when {b} is kept simple.",
  "A useful check is to compare {a} against {b}.",
  "This keeps {a} consistent with {b}.",
  "Note that {a} may change if {b} changes.",
  "Overall, {a} and {b} fit together without surprises.",
  "The evidence on {a} points the same way as {b}.",
  "One caveat: {a} depends on the assumptions behind {b}.",
] as const;

const OFF_TOPIC = [
  "Lighthouses were painted in bands so that sailors could tell them apart by day.",
  "A sourdough starter needs feeding with flour and water every day or two.",
  "Arctic terns fly from pole to pole and back again every year.",
  "Granite countertops are sealed so that stains do not soak in.",
  "The tuba is the lowest-pitched instrument of the brass family.",
  "Most houseplants prefer bright, indirect light to direct sun.",
  "Early railway timetables drove the adoption of standard time zones.",
] as const;

const GENERIC_LABELS = ["positive", "negative", "neutral"] as const;

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function camel(words: string[]): string {
  const parts = words.map((w) => w.toLowerCase().replace(/[^a-z0-9]/g, "")).filter((w) => w.length > 0);
  const [head = "handle", ...rest] = parts;
  return /^[a-z]/.test(head) ? head + rest.map(capitalise).join("") : `handle${capitalise(head)}`;
}

/** On-topic sentences; the templates come round in turn, so that none repeats soon. */
function sentences(facts: PromptFacts, rng: Rng): () => string {
  let turn = rng.int(0, ON_TOPIC.length - 1);
  return () => {
    const a = rng.pick(facts.words);
    const others = facts.words.filter((w) => w !== a);
    const b = others.length > 0 ? rng.pick(others) : "the rest of the request";
    const template = ON_TOPIC[turn++ % ON_TOPIC.length] ?? ON_TOPIC[0];
    return template.replace("{a}", a).replace("{b}", b);
  };
}

/** Adds sentences until the text is about `targetTokens` long. */
function fill(opening: string, options: ComposeTextOptions): string {
  const next = sentences(options.facts, options.rng);
  let text = opening;
  while (estimateTokens(text) < options.targetTokens) text += `${text.endsWith("\n") ? "" : " "}${next()}`;
  return text;
}

/** A plausible, on-topic answer of the given kind, built from the prompt's own words. */
export function composeAnswerText(options: ComposeTextOptions): string {
  const { facts, rng } = options;
  const [w0 = "this", w1 = w0, w2 = w1] = facts.words;
  if (options.afterTool !== undefined) {
    return fill(`Based on the result of ${options.afterTool}, here is what I found about ${w0}.`, options);
  }
  switch (options.kind) {
    case "chat":
      return fill(`Regarding ${w0}:`, options);
    case "summarization":
      return fill(`Summary: the text covers ${w0}, ${w1} and ${w2}.`, options);
    case "extraction":
      return facts.words
        .slice(0, 5)
        .map((w, i) => `- ${w}: ${facts.names[i] ?? facts.numbers[i] ?? "present"}`)
        .join("\n");
    case "classification": {
      const label = rng.pick(facts.labels.length > 0 ? facts.labels : GENERIC_LABELS);
      return options.targetTokens > 8 ? `${label} (the text is mostly about ${w0}).` : label;
    }
    case "code": {
      const name = camel(facts.words.slice(0, 2));
      const code = [
        "```ts",
        `export function ${name}(input: string): string {`,
        `  // ${w0}: handle ${w1} before ${w2}.`,
        "  const value = input.trim();",
        "  if (value.length === 0) throw new Error(\"empty input\");",
        "  return value;",
        "}",
        "```",
      ].join("\n");
      return fill(`Here is an implementation for ${w0}:\n\n${code}\n`, options);
    }
    case "reasoning": {
      const next = sentences(facts, rng);
      let text = `Step 1: restate the problem about ${w0}.\nStep 2: work out how ${w1} follows.`;
      for (let i = 3; estimateTokens(text) < options.targetTokens - 12; i++) text += `\nStep ${i}: ${next()}`;
      return `${text}\nTherefore, the answer about ${w0} follows from ${w2}.`;
    }
    case "tool_use":
      return fill(`I can answer about ${w0} directly.`, options);
    default: {
      const never: never = options.kind;
      return never;
    }
  }
}

/** A fluent answer about something else entirely: a visible failure. */
export function composeOffTopicText(facts: PromptFacts, rng: Rng, targetTokens: number): string {
  const words = facts.words.map((w) => w.toLowerCase());
  const unrelated = OFF_TOPIC.filter((s) => !words.some((w) => s.toLowerCase().includes(w)));
  const pool = unrelated.length > 0 ? unrelated : OFF_TOPIC;
  let turn = rng.int(0, pool.length - 1);
  const next = (): string => pool[turn++ % pool.length] ?? "";
  let text = next();
  while (estimateTokens(text) < targetTokens) text += ` ${next()}`;
  return text;
}

/** A short summary of hidden reasoning, shown as `reasoning`. */
export function composeReasoningSummary(facts: PromptFacts): string {
  const [w0 = "the request", w1 = w0] = facts.words;
  return `Considering ${w0} and ${w1}. Checking the constraints, then drafting the answer.`;
}
