import { GatewayError } from "../../core/errors.ts";
import type { EmbeddingRequest, EmbeddingResult } from "../../core/embeddings.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import type { StreamBatch } from "../../core/stream-event.ts";
import { firstIssue } from "../shared/first-issue.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { createUpstreamClient } from "../shared/upstream-client.ts";
import { classifyGeminiError } from "./classify-gemini-error.ts";
import { geminiModelListSchema } from "./gemini-schemas.ts";
import { initialGeminiStreamState } from "./gemini-stream-step.ts";
import { mapGeminiEmbeddingsRequest, mapGeminiEmbeddingsResponse } from "./map-gemini-embeddings.ts";
import { mapGeminiRequest } from "./map-gemini-request.ts";
import { mapGeminiResponse } from "./map-gemini-response.ts";
import { readGeminiStream } from "./read-gemini-stream.ts";
import { releasingIterable } from "../shared/releasing-iterable.ts";

export const DEFAULT_GEMINI_BASE_URL = "https://generativelanguage.googleapis.com";
/** listModels gets only a signal; this bounds it when the caller sets no deadline. */
const LIST_MODELS_TIMEOUT_MS = 30_000;
/** A bound on pagination, in case an upstream hands out page tokens forever. */
const MAX_MODEL_PAGES = 50;

export interface GeminiAdapterOptions {
  /** The configured provider name (`providers.<name>`). */
  name: string;
  /** Written as the official SDK takes it, e.g. `https://generativelanguage.googleapis.com` (a trailing `/v1beta` is accepted). */
  baseUrl?: string;
  /** Sent as `x-goog-api-key`, never in the URL. */
  apiKey?: string;
  /** Extra headers sent with every request (they override the defaults). */
  headers?: Record<string, string>;
}

/** An adapter for the Gemini API (generateContent / streamGenerateContent). */
export function createGeminiAdapter(options: GeminiAdapterOptions): ProviderAdapter {
  const { name } = options;
  const base = new URL(options.baseUrl ?? DEFAULT_GEMINI_BASE_URL);
  const origin = base.origin;
  const trimmed = base.pathname.replace(/\/+$/, "");
  // The SDK appends the API version itself; a base URL that already names one keeps it.
  const apiPath = /\/v1(alpha|beta)?\d*$/.test(trimmed) ? trimmed : `${trimmed}/v1beta`;
  const secrets = options.apiKey ? [options.apiKey] : [];
  const upstream = createUpstreamClient({
    provider: name,
    origin,
    errors: {
      status: (status, body, responseHeaders) => classifyGeminiError({ provider: name, status, body, headers: responseHeaders, secrets }),
      /** A 200 whose body is an error object anyway (`{error}` or `[{error}]`). */
      inBody: (json, status, responseHeaders) => {
        const first = Array.isArray(json) ? json[0] : json;
        return isRecord(first) && first["error"] != null && !("candidates" in first)
          ? classifyGeminiError({ provider: name, status, body: json, headers: responseHeaders, secrets })
          : null;
      },
    },
  });

  /** `gemini-2.5-flash` → `models/gemini-2.5-flash`; `tunedModels/x` and `models/x` stay as they are. */
  const modelPath = (model: string): string => (model.includes("/") ? model : `models/${model}`).split("/").map(encodeURIComponent).join("/");
  const paths = {
    generate: (model: string) => `${apiPath}/${modelPath(model)}:generateContent`,
    stream: (model: string) => `${apiPath}/${modelPath(model)}:streamGenerateContent?alt=sse`,
    embed: (model: string) => `${apiPath}/${modelPath(model)}:batchEmbedContents`,
    models: (pageToken: string | undefined) => `${apiPath}/models?pageSize=1000${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ""}`,
  };

  const headersFor = (accept: string, withBody: boolean): Record<string, string> => ({
    accept,
    ...(withBody && { "content-type": "application/json" }),
    ...(options.apiKey && { "x-goog-api-key": options.apiKey }),
    ...options.headers,
  });
  // Built once: the same for every request.
  const headers = {
    json: headersFor("application/json", true),
    stream: headersFor("text/event-stream", true),
    list: headersFor("application/json", false),
  };

  /** Maps before any I/O, so a request Gemini cannot express fails without a call. */
  const mapRequest = (request: ChatRequest, callOptions: CallOptions): Record<string, unknown> => {
    const { body, warnings } = mapGeminiRequest(request, name);
    for (const warning of warnings) callOptions.warn?.(warning);
    return body;
  };
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);

  return {
    name,
    type: "gemini",

    async chat(request: ChatRequest, callOptions: CallOptions): Promise<ChatResult> {
      const body = mapRequest(request, callOptions);
      return upstream.run(callOptions.signal, { ms: callOptions.timeoutMs, what: "complete answer" }, async (call) => {
        const res = await upstream.send(call, { path: paths.generate(request.model), headers: headers.json, body });
        const { json } = upstream.readJson(res);
        return mapGeminiResponse(json, { provider: name, status: res.statusCode, requestModel: request.model, nowSeconds: nowSeconds() });
      });
    },

    async embed(request: EmbeddingRequest, callOptions: CallOptions): Promise<EmbeddingResult> {
      const warn = callOptions.warn ?? (() => undefined);
      const body = mapGeminiEmbeddingsRequest(request, { provider: name, modelPath: decodeURIComponent(modelPath(request.model)), warn });
      return upstream.run(callOptions.signal, { ms: callOptions.timeoutMs, what: "embeddings" }, async (call) => {
        const res = await upstream.send(call, { path: paths.embed(request.model), headers: headers.json, body });
        const { json } = upstream.readJson(res);
        return mapGeminiEmbeddingsResponse(json, { provider: name, request, warn });
      });
    },

    async chatStream(request: ChatRequest, callOptions: CallOptions): Promise<AsyncIterable<StreamBatch>> {
      const body = mapRequest(request, callOptions);
      const stream = await upstream.openStream(callOptions.signal, callOptions.timeoutMs, { path: paths.stream(request.model), headers: headers.stream, body });
      const initialState = initialGeminiStreamState({ provider: name, requestModel: request.model, nowSeconds: nowSeconds() });
      return releasingIterable(
        readGeminiStream({ provider: name, body: stream.body, call: stream.call, initialState, idleTimeoutMs: callOptions.idleTimeoutMs, release: stream.release }),
        stream.release,
      );
    },

    async listModels({ signal }: { signal: AbortSignal }): Promise<string[]> {
      return upstream.run(signal, { ms: LIST_MODELS_TIMEOUT_MS, what: "model list" }, async (call) => {
        const ids: string[] = [];
        let pageToken: string | undefined;
        for (let page = 0; page < MAX_MODEL_PAGES; page++) {
          const res = await upstream.send(call, { path: paths.models(pageToken), headers: headers.list });
          const { json } = upstream.readJson(res, { errorInBody: false });
          const parsed = geminiModelListSchema.safeParse(json);
          if (!parsed.success) {
            throw new GatewayError("bad_response", `provider ${name} answered with JSON that is not a model list: ${firstIssue(parsed.error)}`, {
              provider: name,
              upstreamStatus: res.statusCode,
            });
          }
          ids.push(...(parsed.data.models ?? []).map((m) => m.name.replace(/^models\//, "")));
          pageToken = parsed.data.nextPageToken ?? undefined;
          if (!pageToken) break;
        }
        return ids;
      });
    },

    async close(): Promise<void> {
      await upstream.close();
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
