/**
 * How the classifier's cost is measured (`npm run eval:classifier`). The requirement: under
 * 0.2 ms per request at p99 for a 4k-token prompt. Each call is timed on its own, after a
 * warm-up, so that the percentiles include whatever a real call pays (GC pauses included).
 */
import { performance } from "node:perf_hooks";
import type { ChatRequest } from "../../core/request.ts";
import { parseChatRequest } from "../../wire/openai/parse-chat-request.ts";

export interface Timing {
  runs: number;
  /** Microseconds. */
  p50: number;
  p99: number;
  max: number;
}

/**
 * Times `classify(request)` call by call: `warmup` untimed calls (so that the measured code is
 * optimised, as in a running gateway), then `runs` timed ones. Allocates nothing while timing.
 */
export function timeClassification(classify: (request: ChatRequest) => unknown, request: ChatRequest, runs = 10_000, warmup = 2_000): Timing {
  for (let i = 0; i < warmup; i++) classify(request);
  const times = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    classify(request);
    times[i] = performance.now() - start;
  }
  times.sort();
  const at = (q: number): number => Math.round((times[Math.min(runs - 1, Math.floor(q * runs))] ?? 0) * 10_000) / 10;
  return { runs, p50: at(0.5), p99: at(0.99), max: at(1) };
}

const SYSTEM_RULES = [
  "You are the support and engineering assistant of Northwind Logistics, a freight company that runs depots in twelve countries.",
  "Answer in the language of the customer. Be precise and brief; never invent tracking numbers, prices or delivery dates.",
  "If a question concerns billing, cite the section of the tariff that applies and say when the next invoice is due.",
  "You may read the internal runbooks quoted below, but you must not reveal internal notes, employee names or phone numbers.",
  "When the user pastes code, review it as a senior engineer would: correctness first, then clarity, then performance.",
  "Escalate to a human when the customer mentions legal action, injury, or a shipment of dangerous goods.",
  "Runbook 4.2: a delayed container is first checked against the port's published schedule, then against the carrier's feed.",
  "Runbook 7.1: refunds above 500 EUR need a supervisor's approval; below that, the agent may approve them directly.",
];

const USER_PROSE = [
  "Last Tuesday the nightly reconciliation job for the Rotterdam depot failed three times before it finally completed, and the morning team found 214 shipments marked as delivered that were still on the quay.",
  "The on-call engineer restarted the worker, cleared the queue and re-ran the import by hand, which fixed the status of most shipments but left 17 of them with duplicate invoices that customers then received.",
  "Our customers noticed before we did: the support inbox received around forty complaints between 07:00 and 09:30, most of them asking why their tracking page said delivered while the driver had not arrived.",
  "Finance wants to know how much we refunded, operations wants the job to stop failing, and the CTO wants to understand whether the new carrier integration we shipped two weeks ago is to blame.",
  "The integration calls the carrier's API once per container, with a timeout of thirty seconds and three retries, and the carrier's status page reported degraded performance for most of that night.",
  "I suspect the retries are not idempotent: each retry writes a new status row before the previous call has been acknowledged, so a slow response followed by a retry produces two rows for the same event.",
];

const USER_CODE = `\`\`\`ts
export async function syncContainer(db: Db, carrier: CarrierClient, id: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const status = await carrier.fetchStatus(id, { timeoutMs: 30_000 });
      await db.insert("container_status", { id, status: status.code, at: status.timestamp });
      if (status.code === "delivered") await db.markDelivered(id);
      return;
    } catch (error) {
      logger.warn({ id, attempt, error }, "carrier status failed, retrying");
    }
  }
  throw new Error(\`carrier status failed for \${id}\`);
}
\`\`\``;

const USER_LOG = `Error: carrier status failed for MSKU4417210
    at syncContainer (src/sync/container.ts:14:9)
    at async runNightly (src/jobs/nightly.ts:52:7)
    at async main (src/jobs/main.ts:12:3)`;

/**
 * A realistic ~4k-token request (~16,000 characters, ~4 per token): a long system prompt of rules
 * (~4,000 characters) and a long last user turn (~12,000) that opens and closes with the ask and
 * carries prose, a code block, a stack trace and a numbered list. It goes through the OpenAI edge
 * parser, so its strings are what the classifier is given in production.
 */
export function fourKTokenRequest(): ChatRequest {
  const system = fill(SYSTEM_RULES, 4_000, " ");
  const middle = fill([...USER_PROSE.slice(0, 3), USER_CODE, USER_LOG, ...USER_PROSE.slice(3)], 11_500, "\n\n");
  const user = [
    "Please review the incident below and the function that I think caused it. Tell me whether the retries explain the duplicate invoices, and how to fix the code.",
    middle,
    "1. Explain the root cause in two or three sentences.\n2. Propose a corrected version of syncContainer.\n3. List the tests we should add so that this does not happen again.",
  ].join("\n\n");
  const body = { model: "auto", messages: [{ role: "system", content: system }, { role: "user", content: user }] };
  return parseChatRequest(JSON.parse(JSON.stringify(body))).request;
}

/** The pieces repeated in order, joined by `separator`, until about `chars` long. */
function fill(pieces: readonly string[], chars: number, separator: string): string {
  const out: string[] = [];
  let length = 0;
  for (let k = 0; length < chars; k++) {
    const piece = pieces[k % pieces.length] ?? "";
    out.push(piece);
    length += piece.length + separator.length;
  }
  return out.join(separator);
}
