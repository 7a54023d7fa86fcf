import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { ChatResult } from "../../core/result.ts";
import type { StreamBatch } from "../../core/stream-event.ts";
import { firstIssue } from "../shared/first-issue.ts";
import type { CallOptions, ProviderAdapter } from "../provider.ts";
import { createUpstreamClient } from "../shared/upstream-client.ts";
import { supportsNativeStructuredOutput, type StructuredOutputMode } from "./anthropic-model-support.ts";
import { anthropicModelListSchema } from "./anthropic-schemas.ts";
import { initialAnthropicStreamState } from "./anthropic-stream-step.ts";
import { classifyAnthropicError } from "./classify-anthropic-error.ts";
import { mapAnthropicRequest, type MappedAnthropicRequest } from "./map-anthropic-request.ts";
import { mapAnthropicResponse } from "./map-anthropic-response.ts";
import { readAnthropicStream } from "./read-anthropic-stream.ts";
import { releasingIterable } from "../shared/releasing-iterable.ts";

export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";
export const DEFAULT_ANTHROPIC_VERSION = "2023-06-01";
/** listModels gets only a signal; this bounds it when the caller sets no deadline. */
const LIST_MODELS_TIMEOUT_MS = 30_000;
/** The model list is paginated (at most 1000 per page); a bound against a server that never says it is done. */
const MAX_MODEL_PAGES = 20;

export interface AnthropicAdapterOptions {
  /** The configured provider name (`providers.<name>`). */
  name: string;
  /** Written as the official SDK takes it, without `/v1`: `https://api.anthropic.com`. */
  baseUrl?: string;
  apiKey?: string;
  /** Extra headers sent with every request (they override the defaults; `anthropic-beta` flags are merged). */
  headers?: Record<string, string>;
  /** The `anthropic-version` header. */
  anthropicVersion?: string;
  /**
   * How `response_format: json_schema` is sent: `native` structured outputs (`output_format`),
   * a forced `tool` whose input is the answer, or `auto` (default): native where the model name
   * says the model has it (see `supportsNativeStructuredOutput`).
   */
  structuredOutput?: "auto" | StructuredOutputMode;
}

/** An adapter for Anthropic's Messages API (and servers that speak it). */
export function createAnthropicAdapter(options: AnthropicAdapterOptions): ProviderAdapter {
  const { name } = options;
  const base = new URL(options.baseUrl ?? DEFAULT_ANTHROPIC_BASE_URL);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, "");
  const secrets = options.apiKey ? [options.apiKey] : [];
  const upstream = createUpstreamClient({
    provider: name,
    origin,
    errors: {
      status: (status, body, responseHeaders) => classifyAnthropicError({ provider: name, status, body, headers: responseHeaders, secrets }),
      // An error object is an error even under status 200.
      inBody: (json, status, responseHeaders) =>
        isRecord(json) && json["type"] === "error" ? classifyAnthropicError({ provider: name, status, body: json, headers: responseHeaders, secrets }) : null,
    },
  });
  const pathFor = (endpoint: string, query: Record<string, string> = {}): string => {
    const params = new URLSearchParams(base.search);
    for (const [key, value] of Object.entries(query)) params.set(key, value);
    const search = params.toString();
    return `${basePath}/v1/${endpoint}${search ? `?${search}` : ""}`;
  };
  const messagesPath = pathFor("messages");

  const configured = options.headers ?? {};
  const configuredBeta = Object.entries(configured).find(([key]) => key.toLowerCase() === "anthropic-beta");
  const common: Record<string, string> = {
    ...(options.apiKey && { "x-api-key": options.apiKey }),
    "anthropic-version": options.anthropicVersion ?? DEFAULT_ANTHROPIC_VERSION,
    ...configured,
  };
  /** Headers of a request with a JSON body (`listModels` drops the content type). */
  const headersFor = (accept: string, betas: readonly string[] = []): Record<string, string> => {
    const headers: Record<string, string> = { accept, "content-type": "application/json", ...common };
    if (betas.length > 0) {
      if (configuredBeta) delete headers[configuredBeta[0]];
      const flags = [...(configuredBeta ? configuredBeta[1].split(",").map((f) => f.trim()) : []), ...betas];
      headers["anthropic-beta"] = [...new Set(flags.filter((f) => f !== ""))].join(",");
    }
    return headers;
  };
  const { "content-type": _json, ...listHeaders } = headersFor("application/json");

  const structuredOutputFor = (model: string): StructuredOutputMode => {
    const mode = options.structuredOutput ?? "auto";
    if (mode !== "auto") return mode;
    return supportsNativeStructuredOutput(model) ? "native" : "tool";
  };

  /** Maps the request and reports what it could not send as asked; mapping errors are the client's. */
  const prepare = (request: ChatRequest, callOptions: CallOptions): MappedAnthropicRequest => {
    let mapped: MappedAnthropicRequest;
    try {
      mapped = mapAnthropicRequest(request, { structuredOutput: structuredOutputFor(request.model) });
    } catch (err) {
      if (err instanceof GatewayError) throw new GatewayError(err.kind, `${name}: ${err.message}`, { provider: name, ...(err.param !== undefined && { param: err.param }) });
      throw err;
    }
    for (const warning of mapped.warnings) callOptions.warn?.(`${name}: ${warning}`);
    return mapped;
  };

  return {
    name,
    type: "anthropic",

    async chat(request: ChatRequest, callOptions: CallOptions): Promise<ChatResult> {
      const mapped = prepare({ ...request, stream: false }, callOptions);
      return upstream.run(callOptions.signal, { ms: callOptions.timeoutMs, what: "complete answer" }, async (call) => {
        const res = await upstream.send(call, { path: messagesPath, headers: headersFor("application/json", mapped.betas), body: mapped.body });
        const { json } = upstream.readJson(res);
        return mapAnthropicResponse(json, {
          provider: name,
          status: res.statusCode,
          requestModel: request.model,
          nowSeconds: Math.floor(Date.now() / 1000),
          jsonTool: mapped.jsonTool,
        });
      });
    },

    async chatStream(request: ChatRequest, callOptions: CallOptions): Promise<AsyncIterable<StreamBatch>> {
      const mapped = prepare({ ...request, stream: true }, callOptions);
      const { call, body, release } = await upstream.openStream(callOptions.signal, callOptions.timeoutMs, {
        path: messagesPath,
        headers: headersFor("text/event-stream", mapped.betas),
        body: mapped.body,
      });
      const initialState = initialAnthropicStreamState({ provider: name, nowSeconds: Math.floor(Date.now() / 1000), jsonTool: mapped.jsonTool });
      return releasingIterable(readAnthropicStream({ body, call, initialState, idleTimeoutMs: callOptions.idleTimeoutMs, release }), release);
    },

    async listModels({ signal }: { signal: AbortSignal }): Promise<string[]> {
      return upstream.run(signal, { ms: LIST_MODELS_TIMEOUT_MS, what: "model list" }, async (call) => {
        const ids: string[] = [];
        // https://docs.claude.com/en/api/models-list: pages of `data`, continued from `last_id`.
        let after: string | undefined;
        for (let page = 0; page < MAX_MODEL_PAGES; page++) {
          const query: Record<string, string> = { limit: "1000", ...(after !== undefined && { after_id: after }) };
          const res = await upstream.send(call, { path: pathFor("models", query), headers: listHeaders });
          const parsed = anthropicModelListSchema.safeParse(upstream.readJson(res).json);
          if (!parsed.success) {
            throw new GatewayError("bad_response", `provider ${name} answered with JSON that is not a model list: ${firstIssue(parsed.error)}`, {
              provider: name,
              upstreamStatus: res.statusCode,
            });
          }
          ids.push(...parsed.data.data.map((m) => m.id));
          after = parsed.data.last_id ?? parsed.data.data.at(-1)?.id;
          if (parsed.data.has_more !== true || after === undefined) break;
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
