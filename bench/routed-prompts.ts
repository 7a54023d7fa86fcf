import type { BenchLane } from "./write-bench-config.ts";

export interface RoutedPrompt {
  /** The lane the bench config's `auto.rules` must pick for it (checked before the load). */
  lane: BenchLane;
  /** What the built-in classifier makes of it (src/router/classify), for the reader. */
  classifiedAs: string;
  messages: readonly { role: "system" | "user"; content: string }[];
}

/**
 * What the routed path sends with `model: "auto"`, each connection taking them in turn: three
 * realistic prompts of the kind a logistics company's assistant gets, one per lane, so that the
 * classifier reads real text (not a one-word prompt) and all three lanes serve the load. They are
 * longer than the direct-model path's prompt (the first is that same prompt): the table's
 * `req B` column shows the mean body size, so parsing more bytes is not mistaken for routing.
 */
export const ROUTED_PROMPTS: readonly RoutedPrompt[] = [
  {
    lane: "cheap",
    classifiedAs: "chat / low",
    messages: [
      { role: "system", content: "You are a concise assistant for a logistics company. Answer in one or two sentences." },
      { role: "user", content: "Which rail yard should handle the overnight container transfer from Rotterdam, and why?" },
    ],
  },
  {
    lane: "work",
    classifiedAs: "summarization / medium",
    messages: [
      { role: "system", content: "You are a helpful assistant for a logistics company." },
      {
        role: "user",
        content:
          "Summarize this email from the Duisburg terminal for the operations channel in three bullet points, then list the decisions we need to make today and who should make each one:\n\n" +
          "Hi team, the crane on berth 4 is out of service until Thursday because of a hydraulic leak. We have moved the Rotterdam shuttle to berth 2, which means the 22:00 slot now loads at 23:30. " +
          "Two reefer containers on the shuttle need shore power during the wait; please confirm that the plugs on berth 2 have been tested. Customs pre-clearance for the Antwerp boxes is still pending, " +
          "so those stay in the yard until Friday. Let me know if the revised schedule causes problems for the Milan connection. Regards, Petra",
      },
    ],
  },
  {
    lane: "hard",
    classifiedAs: "code / high",
    messages: [
      { role: "system", content: "You are a senior backend engineer. Answer with code and a short explanation." },
      {
        role: "user",
        content:
          "Write a TypeScript function that plans overnight container transfers between rail yards. Constraints: each yard has a crane capacity per hour and opening windows; " +
          "reefer containers must be plugged in within 45 minutes of arrival; hazardous goods may not share a wagon with food; every transfer must respect the customs pre-clearance time. " +
          "Optimise for the fewest late departures, then the least crane idle time. Explain the algorithm's complexity, prove that the greedy step cannot violate the reefer constraint, " +
          "and include unit tests for the edge cases (a yard closing mid-transfer, two trains with the same departure minute).\n\n" +
          "```ts\ninterface Yard { id: string; cranePerHour: number; opens: number; closes: number }\n" +
          "interface Container { id: string; reefer: boolean; hazardous: boolean; food: boolean; clearedAt: number }\n```",
      },
    ],
  },
];
