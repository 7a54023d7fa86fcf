import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import type { Target } from "../router/plan.ts";
import { adapterFor, requestFor } from "./call-target.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { runDownChain } from "./run-down-chain.ts";

export interface ChatOutcome {
  result: ChatResult;
  target: Target;
}

/** Runs a non-streaming request down the plan's chain: the first target that answers wins. */
export function runChat(draft: ReceiptDraft, request: ChatRequest, signal: AbortSignal): Promise<ChatOutcome> {
  const runtime = draft.runtime;
  return runDownChain(draft, signal, async ({ target, timeouts, startedMs }) => {
    const result = await adapterFor(runtime, target).chat(requestFor(request, target), {
      signal,
      timeoutMs: timeouts.totalMs,
      idleTimeoutMs: timeouts.idleMs,
      warn: draft.warnFor(target),
    });
    draft.recordAnswered(target, runtime.monotonicMs() - startedMs);
    draft.ttftMs = draft.elapsedMs();
    draft.usage = result.usage;
    draft.upstreamModelReported = result.model;
    draft.finishReason = result.finishReason;
    draft.toolCalls = result.toolCalls.length;
    return { result, target };
  });
}
