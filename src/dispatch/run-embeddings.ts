import type { EmbeddingRequest, EmbeddingResult } from "../core/embeddings.ts";
import { GatewayError } from "../core/errors.ts";
import { adapterFor } from "./call-target.ts";
import type { ReceiptDraft } from "./receipt-draft.ts";
import { runDownChain } from "./run-down-chain.ts";

/** Runs an embeddings request down the plan's chain, as chat requests run. */
export function runEmbeddings(draft: ReceiptDraft, request: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult> {
  const runtime = draft.runtime;
  return runDownChain(draft, signal, async ({ target, timeouts, startedMs }) => {
    const adapter = adapterFor(runtime, target);
    if (!adapter.embed) {
      throw new GatewayError("bad_request", `Model '${target.modelId}' is served by provider '${target.provider}', which has no embeddings endpoint. Name an embedding model of an openai, openai-compatible or gemini provider.`, {
        param: "model",
      });
    }
    const upstreamModel = target.upstreamModel;
    const result = await adapter.embed(request.model === upstreamModel ? request : { ...request, model: upstreamModel }, {
      signal,
      timeoutMs: timeouts.totalMs,
      idleTimeoutMs: timeouts.idleMs,
      warn: draft.warnFor(target),
    });
    draft.recordAnswered(target, runtime.monotonicMs() - startedMs);
    draft.usage = { inputTokens: result.inputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0 };
    draft.upstreamModelReported = result.model;
    return result;
  });
}
