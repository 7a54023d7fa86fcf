import { GatewayError } from "../../core/errors.ts";
import type { EmbeddingRequest, EmbeddingResult } from "../../core/embeddings.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import type { StreamBatch } from "../../core/stream-event.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { classifyOpenAIError } from "./classify-openai-error.ts";
import { mapOpenAIEmbeddingsRequest, mapOpenAIEmbeddingsResponse } from "./map-openai-embeddings.ts";
import { mapOpenAIRequest, type OpenAIAdapterType } from "./map-openai-request.ts";
import { mapOpenAIResponse } from "./map-openai-response.ts";
import { firstIssue } from "../shared/first-issue.ts";
import { openAIModelListSchema } from "./openai-schemas.ts";
import { readOpenAIStream } from "./read-openai-stream.ts";
import { createUpstreamClient } from "../shared/upstream-client.ts";
import { releasingIterable } from "../shared/releasing-iterable.ts";

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
/** listModels gets only a signal; this bounds it when the caller sets no deadline. */
const LIST_MODELS_TIMEOUT_MS = 30_000;

export interface OpenAIAdapterOptions {
  /** The configured provider name (`providers.<name>`). */
  name: string;
  type: OpenAIAdapterType;
  /** Written as the official SDK takes it, e.g. `https://api.deepseek.com/v1`. */
  baseUrl?: string;
  apiKey?: string;
  /** Extra headers sent with every request (they override the defaults). */
  headers?: Record<string, string>;
  /** Azure: sent as the `api-version` query parameter, and the key then goes in an `api-key` header. */
  apiVersion?: string;
}

/** An adapter for OpenAI and any Chat Completions server (DeepSeek, vLLM, Ollama, Groq, Azure…). */
export function createOpenAIAdapter(options: OpenAIAdapterOptions): ProviderAdapter {
  const { name, type } = options;
  const base = new URL(options.baseUrl ?? DEFAULT_OPENAI_BASE_URL);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, "");
  const secrets = options.apiKey ? [options.apiKey] : [];
  const upstream = createUpstreamClient({
    provider: name,
    origin,
    errors: {
      status: (status, body, responseHeaders) => classifyOpenAIError({ provider: name, status, body, headers: responseHeaders, secrets }),
      // A successful status with a JSON body that still is an error object (some compatible servers do this).
      inBody: (json, status, responseHeaders) =>
        isRecord(json) && json["error"] != null && !("choices" in json)
          ? classifyOpenAIError({ provider: name, status, body: json, headers: responseHeaders, secrets })
          : null,
    },
  });

  const pathFor = (endpoint: string): string => {
    const query = new URLSearchParams(base.search);
    if (options.apiVersion) query.set("api-version", options.apiVersion);
    const search = query.toString();
    return `${basePath}/${endpoint}${search ? `?${search}` : ""}`;
  };
  const paths = { chat: pathFor("chat/completions"), models: pathFor("models"), embeddings: pathFor("embeddings") };

  const headersFor = (accept: string, withBody: boolean): Record<string, string> => ({
    accept,
    ...(withBody && { "content-type": "application/json" }),
    ...(options.apiKey && (options.apiVersion ? { "api-key": options.apiKey } : { authorization: `Bearer ${options.apiKey}` })),
    ...options.headers,
  });
  // Built once: the same for every request.
  const headers = {
    json: headersFor("application/json", true),
    stream: headersFor("text/event-stream", true),
    list: headersFor("application/json", false),
  };

  return {
    name,
    type,

    // Not async itself: run's promise is the answer (an async wrapper would add a promise and a turn per call).
    chat(request: ChatRequest, callOptions: CallOptions): Promise<ChatResult> {
      return upstream.run(callOptions.signal, { ms: callOptions.timeoutMs, what: "complete answer" }, async (call) => {
        const body = mapOpenAIRequest(request.stream ? { ...request, stream: false } : request, type);
        const res = await upstream.send(call, { path: paths.chat, headers: headers.json, body });
        const { json, text } = upstream.readJson(res);
        const result = mapOpenAIResponse(json, {
          provider: name,
          status: res.statusCode,
          requestModel: request.model,
          nowSeconds: Math.floor(Date.now() / 1000),
        });
        result.openaiText = text;
        return result;
      });
    },

    async chatStream(request: ChatRequest, callOptions: CallOptions): Promise<AsyncIterable<StreamBatch>> {
      const { call, body, release } = await upstream.openStream(callOptions.signal, callOptions.timeoutMs, {
        path: paths.chat,
        headers: headers.stream,
        body: mapOpenAIRequest(request.stream ? request : { ...request, stream: true }, type),
      });
      return releasingIterable(readOpenAIStream({ provider: name, body, call, idleTimeoutMs: callOptions.idleTimeoutMs, release }), release);
    },

    async embed(request: EmbeddingRequest, callOptions: CallOptions): Promise<EmbeddingResult> {
      return upstream.run(callOptions.signal, { ms: callOptions.timeoutMs, what: "embeddings" }, async (call) => {
        const res = await upstream.send(call, { path: paths.embeddings, headers: headers.json, body: mapOpenAIEmbeddingsRequest(request) });
        const { json, text } = upstream.readJson(res);
        return mapOpenAIEmbeddingsResponse(json, { provider: name, requestModel: request.model, text });
      });
    },

    async listModels({ signal }: { signal: AbortSignal }): Promise<string[]> {
      return upstream.run(signal, { ms: LIST_MODELS_TIMEOUT_MS, what: "model list" }, async (call) => {
        const res = await upstream.send(call, { path: paths.models, headers: headers.list });
        const { json } = upstream.readJson(res, { errorInBody: false });
        const parsed = openAIModelListSchema.safeParse(json);
        if (!parsed.success) {
          throw new GatewayError("bad_response", `provider ${name} answered with JSON that is not a model list: ${firstIssue(parsed.error)}`, {
            provider: name,
            upstreamStatus: res.statusCode,
          });
        }
        return parsed.data.data.map((m) => m.id);
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
