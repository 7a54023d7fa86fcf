import type { IncomingMessage, ServerResponse } from "node:http";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import type { ChatRequest } from "../core/request.ts";
import type { ChatResult } from "../core/result.ts";
import type { StreamBatch } from "../core/stream-event.ts";
import { formatUsd } from "../cost/compute-cost.ts";
import { applyRouteSettings } from "../dispatch/apply-route-settings.ts";
import { collectStreamResult } from "../dispatch/collect-stream-result.ts";
import { ReceiptDraft } from "../dispatch/receipt-draft.ts";
import { answerFromCache, cacheFallback, cachePolicyFor, lookupCache, storeInCache, type CachePolicy } from "../dispatch/response-cache.ts";
import { idempotencyFingerprint } from "../dispatch/response-keys.ts";
import type { CachedAnswer, ResponseStores } from "../dispatch/response-stores.ts";
import { runChat } from "../dispatch/run-chat.ts";
import type { Runtime } from "../dispatch/runtime.ts";
import { committedFromResult, startChatStream, type CommittedStream } from "../dispatch/stream-chat.ts";
import { admitRequest } from "../dispatch/admit-request.ts";
import type { Authenticator } from "./authenticate.ts";
import { orderChain } from "../dispatch/order-plan.ts";
import type { Target } from "../router/plan.ts";
import { autoSignals } from "../router/auto-signals.ts";
import { resolveModel } from "../router/resolve-model.ts";
import type { IdempotencyClaim } from "../state/idempotency-store.ts";
import { parseJsonBody, readBody } from "./read-body.ts";
import { newRequestId } from "./request-id.ts";
import { readSwitchyardHeaders, type SwitchyardRequestHeaders } from "./request-headers.ts";
import { idHeaders, responseHeaders } from "./response-headers.ts";
import { sendJsonText } from "./send.ts";
import { idempotencyKeyConflict, idempotencyKeyTooLong, MAX_IDEMPOTENCY_KEY_CHARS, serveReplay } from "./serve-replay.ts";
import { serveStream } from "./serve-stream.ts";
import { routeOf } from "../config/route-of.ts";

export { responseHeaders } from "./response-headers.ts";

/** What a client codec makes of a request body. */
export interface EdgeRequest {
  /** The `model` field as the client sent it. */
  requestedModel: string;
  request: ChatRequest;
  /** Parameters the codec dropped or approximated; they reach the receipt and `x-switchyard-warning`. */
  warnings?: readonly string[];
}

/** The request being answered, as the codec sees it when it encodes the answer. */
export interface EdgeContext<P extends EdgeRequest> {
  parsed: P;
  draft: ReceiptDraft;
  /** The target that answered. */
  target: Target;
}

/** One stream's core batches in the client's wire format. */
export interface EdgeStreamEncoder {
  /** The text for one batch ("" when it carries nothing for the client). */
  batch(batch: StreamBatch): string;
  /** The text that ends a stream that finished well. */
  end(): string;
  /** The text that ends a stream that broke after it started: an explicit error, never a clean end. */
  fail(error: GatewayError): string;
}

/**
 * The wire-format half of a chat endpoint. The other half — receipts, response headers, the
 * commit gate and the stream pump — is the same for every format and lives here.
 */
export interface ChatEdgeCodec<P extends EdgeRequest> {
  /** The receipt's `endpoint`. */
  endpoint: string;
  /** Validates a JSON-parsed body; throws a `bad_request` GatewayError that says what to fix. */
  parse(body: unknown): P;
  /** The JSON text of a non-streaming answer. */
  encodeResult(result: ChatResult, context: EdgeContext<P>): string;
  openStream(context: EdgeContext<P>): EdgeStreamEncoder;
  /** Answers with the format's error body and the error's status. */
  sendError(res: ServerResponse, error: GatewayError, headers: Record<string, string>): void;
  /** The format's own request-id response header (the Anthropic SDK reads `request-id`), if any. */
  requestIdHeader?: string;
}

export interface ChatHandlerOptions {
  runtime: Runtime;
  maxBodyBytes: number;
  /** Gateway keys; absent: every request is let in. */
  auth?: Authenticator | undefined;
}

/** A request on its way to an answer, once it is parsed and planned. */
interface Answering<P extends EdgeRequest> {
  req: { parsed: P; request: ChatRequest; draft: ReceiptDraft };
  res: ServerResponse;
  signal: AbortSignal;
  /** Set when the runtime has response stores and the route caches this request. */
  cache: { stores: ResponseStores; policy: CachePolicy } | null;
  /** Collects the SSE text sent, when an idempotency key will replay it. */
  tee: string[] | undefined;
}

/** What reached the client whole: what an idempotency key replays. */
interface Answered {
  stream: boolean;
  body: string;
}

/** A thin edge over dispatch for one wire format. Every outcome writes a receipt. */
export function createChatHandler<P extends EdgeRequest>(options: ChatHandlerOptions & { codec: ChatEdgeCodec<P> }) {
  const { runtime, codec } = options;
  const newDraft = (requestId: string, hdrs: SwitchyardRequestHeaders | null): ReceiptDraft =>
    new ReceiptDraft(runtime, {
      requestId,
      endpoint: codec.endpoint,
      taskId: hdrs?.taskId ?? null,
      taskType: hdrs?.taskType ?? null,
      complexity: hdrs?.complexity ?? null,
      idempotencyKey: hdrs?.idempotencyKey ?? null,
      stream: false,
      reasoningEffort: null,
      timeoutMs: hdrs?.timeoutMs ?? null,
    });

  /** Answers from the cache, or down the chain (the cache as its last link); null when it did not end well. */
  async function answer(a: Answering<P>): Promise<Answered | null> {
    const { draft, request, parsed } = a.req;
    // A cache that cannot be read is a miss: it may cost a provider call, never the request.
    const hit = a.cache ? await lookupCache(a.cache.stores, a.cache.policy).catch(cacheUnreadable) : null;
    if (hit) answerFromCache(draft, hit);
    else runtime.health.noteRequest();
    /** Runs upstream; when every target fails, a `cache.fallback` route answers from the cache. */
    const orFromCache = <T>(run: () => Promise<T>, fromCache: (cached: CachedAnswer) => T): Promise<T> => {
      const cache = a.cache;
      if (cache === null) return run();
      return run().catch(async (err: unknown) => {
        const cached = await cacheFallback(cache.stores, cache.policy, draft, err, a.signal).catch(cacheUnreadable);
        if (cached === null) throw err;
        return fromCache(cached);
      });
    };
    const keep = (outcome: CachedAnswer): void => {
      if (a.cache && !draft.cacheHit) void storeInCache(a.cache.stores, a.cache.policy, draft, outcome).catch(storeFailed);
    };
    const send = { draft, res: a.res, idHeader: codec.requestIdHeader, signal: a.signal, tee: a.tee };

    if (!request.stream) {
      const outcome = hit ?? (await orFromCache(() => runChat(draft, request, a.signal), (cached) => cached));
      const text = codec.encodeResult(outcome.result, { parsed, draft, target: outcome.target });
      const cost = draft.okCostMicroUsd();
      const headers = responseHeaders(draft, codec.requestIdHeader);
      if (cost !== null) headers["x-switchyard-cost-usd"] = formatUsd(cost);
      sendJsonText(a.res, 200, text, headers);
      draft.finish("ok", 200);
      keep(outcome);
      return { stream: false, body: text };
    }
    if (hit || bufferStream(runtime, draft.plan)) {
      // A cached answer, or a route that validates answers: the stream is read whole first, so it can be escalated.
      const outcome = hit ?? (await orFromCache(() => runChat(draft, { ...request, stream: false }, a.signal), (cached) => cached));
      const stream = committedFromResult(outcome, runtime.monotonicMs());
      const encoder = codec.openStream({ parsed, draft, target: outcome.target });
      if ((await serveStream({ ...send, stream, encoder, recorded: true })) !== "ok") return null;
      keep(outcome);
      return { stream: true, body: a.tee?.join("") ?? "" };
    }
    const live = await orFromCache<{ stream: CommittedStream; recorded: boolean }>(
      async () => ({ stream: await startChatStream(draft, request, a.signal), recorded: false }),
      (cached) => ({ stream: committedFromResult(cached, runtime.monotonicMs()), recorded: true }),
    );
    const collector = a.cache && !live.recorded ? collectStreamResult() : undefined;
    const encoder = codec.openStream({ parsed, draft, target: live.stream.target });
    if ((await serveStream({ ...send, stream: live.stream, encoder, recorded: live.recorded, collector })) !== "ok") return null;
    const result = collector?.result();
    if (result) keep({ result, target: live.stream.target });
    return { stream: true, body: a.tee?.join("") ?? "" };
  }

  return async function handleChat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const clientGone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    let draft: ReceiptDraft | null = null;
    let claim: IdempotencyClaim | null = null;
    try {
      const hdrs = readSwitchyardHeaders(req.headers);
      draft = newDraft(requestId, hdrs);
      const authenticated = options.auth?.authenticate(req.headers) ?? null;
      const gatewayKey = authenticated instanceof Promise ? await authenticated : authenticated;
      draft.keyId = gatewayKey?.id ?? null;
      const bytes = await readBody(req, options.maxBodyBytes);
      const stores = runtime.responses;
      const key = hdrs.idempotencyKey;
      if (key !== null && stores !== undefined) {
        if (key.length > MAX_IDEMPOTENCY_KEY_CHARS) throw idempotencyKeyTooLong(key.length);
        // One gateway key cannot replay another's answers.
        const scoped = `${gatewayKey?.id ?? "-"}:${key}`;
        const begun = await stores.idempotency.begin(scoped, idempotencyFingerprint(codec.endpoint, bytes), clientGone.signal);
        if (begun.type === "replay") return serveReplay({ res, draft, stored: begun.value, idHeader: codec.requestIdHeader });
        if (begun.type === "conflict") throw idempotencyKeyConflict(key);
        claim = begun.claim;
      }
      const body = parseJsonBody(bytes);
      const peek = body as { model?: unknown; stream?: unknown };
      if (typeof peek?.model === "string") draft.requestedModel = peek.model;
      if (peek?.stream === true) draft.meta.stream = true;
      const parsed = codec.parse(body);
      if (parsed.warnings) draft.warnings.push(...parsed.warnings);
      draft.meta.reasoningEffort = parsed.request.reasoningEffort ?? null;
      const signals = autoSignals(parsed.requestedModel, parsed.request, { taskType: hdrs.taskType, complexity: hdrs.complexity });
      const plan = resolveModel(runtime.config, parsed.requestedModel, signals);
      draft.plan = plan;
      const denied = options.auth?.allowed(gatewayKey, parsed.requestedModel, plan);
      if (denied) throw denied;
      const request = applyRouteSettings(runtime.config, plan, parsed.request, draft.warnings);
      draft.request = request;
      const stickyKey = hdrs.taskId ?? hdrs.user;
      const ordered = orderChain(draft, plan, stickyKey);
      const admitted = admitRequest({
        draft,
        plan: ordered === plan.targets ? plan : { ...plan, targets: ordered },
        request,
        key: gatewayKey,
        priority: hdrs.priority,
        maxCostMicroUsd: hdrs.maxCostMicroUsd,
        stickyKey,
      });
      // Requests that meet no budget, cap or key are admitted without a promise hop.
      draft.plan = admitted instanceof Promise ? await admitted : admitted;
      const policy = stores === undefined ? null : cachePolicyFor(runtime.config, plan, request);
      const answered = await answer({
        req: { parsed, request, draft },
        res,
        signal: clientGone.signal,
        cache: stores !== undefined && policy !== null ? { stores, policy } : null,
        tee: claim === null || !request.stream ? undefined : [],
      });
      if (claim !== null && stores !== undefined && answered !== null) {
        const stored = { requestId, requestedModel: draft.requestedModel, plan: draft.plan, target: draft.target, finishReason: draft.finishReason, ...answered };
        void stores.idempotency.complete(claim, stored).catch(storeFailed);
        claim = null;
      }
    } catch (err) {
      const error = clientGone.signal.aborted ? new GatewayError("client_closed", "the client closed the connection") : toGatewayError(err);
      if (error.kind === "internal") console.error(`[switchyard] request ${requestId} failed:`, err);
      if (!res.headersSent && !res.destroyed) {
        codec.sendError(res, error, draft ? responseHeaders(draft, codec.requestIdHeader) : idHeaders(requestId, codec.requestIdHeader));
      }
      const d = draft ?? newDraft(requestId, null);
      d.finish(d.statusFor(error), error.status, error);
    } finally {
      // A request that did not end well leaves its key free: the client's retry (or a waiter) runs for real.
      if (claim !== null) void runtime.responses?.idempotency.release(claim).catch(storeFailed);
    }
  };
}

/** A store that fails after the answer went out costs a replay or a cache entry, never the request. */
function storeFailed(err: unknown): void {
  console.error("[switchyard] a response store failed:", err);
}

function cacheUnreadable(err: unknown): null {
  storeFailed(err);
  return null;
}

/** Streams on a route with `validate` and `buffer_stream: true` are read whole first. */
function bufferStream(runtime: Runtime, plan: { route: string | null } | null): boolean {
  const route = routeOf(runtime.config, plan?.route);
  return route?.buffer_stream === true && route.validate !== undefined;
}
