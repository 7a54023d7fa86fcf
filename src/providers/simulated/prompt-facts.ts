import type { ChatRequest } from "../../core/request.ts";
import { messageText } from "./estimate-tokens.ts";

/** Words and values taken from the prompt, so that answers stay on its topic. */
export interface PromptFacts {
  /** Content words, in order of appearance, without repeats. Never empty. */
  words: string[];
  emails: string[];
  urls: string[];
  dates: string[];
  numbers: number[];
  /** Runs of capitalised words, e.g. people's or places' names. */
  names: string[];
  /** Options a classification prompt offers ("one of: a, b or c"). */
  labels: string[];
}

const STOPWORDS = new Set(
  (
    "about above after again against also because been before being below between both could does doing down during " +
    "each from further have having here into itself just more most much must need only other over please same should " +
    "some such than that their them then there these they this those through under until very what when where which " +
    "while whom will with would your yours give tell write make want like know text following below answer question " +
    "return using used uses based hello thanks thank help show list find create explain describe summarize summarise " +
    "summary prove extract classify label implement write step steps sure okay function code program"
  ).split(" "),
);
const FALLBACK_WORDS = ["request", "details", "context"];
const MAX_WORDS = 8;

export function extractPromptFacts(request: ChatRequest): PromptFacts {
  const lastUser = request.messages.findLast((m) => m.role === "user");
  const last = request.messages.at(-1);
  const sources = [lastUser, last?.role === "tool" ? last : undefined].filter((m) => m !== undefined);
  const text = sources.map(messageText).join("\n");
  const whole = text.length > 0 ? text : request.messages.map(messageText).join("\n");
  return {
    words: contentWords(whole),
    emails: unique(whole.match(EMAIL) ?? []),
    urls: unique(whole.match(URL) ?? []),
    dates: unique(whole.match(DATE) ?? []),
    numbers: plainNumbers(whole),
    names: unique(whole.match(/\b\p{Lu}\p{Ll}+(?: \p{Lu}\p{Ll}+)+\b/gu) ?? []),
    labels: labelOptions(request.messages.map(messageText).join("\n")),
  };
}

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
const URL = /https?:\/\/[^\s)"'>\]]+/g;
const DATE = /\b\d{4}-\d{2}-\d{2}\b/g;

/** Numbers standing on their own: not parts of dates, times, versions, addresses or words. */
function plainNumbers(text: string): number[] {
  const bare = text.replace(EMAIL, " ").replace(URL, " ").replace(DATE, " ");
  const found = bare.match(/(?<![\w.:/-])-?\d+(?:\.\d+)?(?![\w:/-]|\.\d)/g) ?? [];
  return found.map(Number).filter(Number.isFinite).slice(0, MAX_WORDS);
}

function contentWords(text: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const word of text.match(/\p{L}[\p{L}\p{N}_-]{3,}/gu) ?? []) {
    const key = word.toLowerCase();
    if (STOPWORDS.has(key) || seen.has(key)) continue;
    seen.add(key);
    words.push(word);
    if (words.length === MAX_WORDS) break;
  }
  return words.length > 0 ? words : [...FALLBACK_WORDS];
}

const LABEL_LIST = /\b(?:one of|labels?|categories|classes|options)\b[^:\n]{0,40}:\s*([^\n.?;)]+)/i;
const ONE_OF = /\bone of\s+([^\n.?;)]+)/i;

function labelOptions(text: string): string[] {
  const list = (LABEL_LIST.exec(text) ?? ONE_OF.exec(text))?.[1] ?? "";
  return unique(
    list
      .split(/,|\bor\b|\/|\|/)
      .map((s) => s.trim().replace(/^["'`]+|["'`]+$/g, ""))
      .filter((s) => s.length > 0 && s.length <= 30),
  );
}

function unique(items: string[]): string[] {
  return [...new Set(items)].slice(0, MAX_WORDS);
}
