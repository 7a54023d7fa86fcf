import type { ErrorKind } from "../../core/errors.ts";
import type { ChatRequest } from "../../core/request.ts";
import type { Usage } from "../../core/usage.ts";
import type { ProviderAdapter } from "../provider.ts";

/**
 * What the adapter conformance suite checks, one `test` each. A harness may opt out of a whole
 * capability or of one of its checks (see `Check`), always with a reason that the run prints.
 */
export type Capability = "text" | "stream" | "tools" | "structured_output" | "errors" | "abort" | "usage";

/** The checks (node:test subtests) inside the capabilities, each of which can be opted out of alone. */
export type Check =
  | "tools.chat"
  | "tools.stream"
  | "structured_output.chat"
  | "structured_output.stream"
  | "errors.rate_limited"
  | "errors.overloaded"
  | "errors.bad_response"
  | "abort.stream"
  | "abort.chat"
  | "abort.before"
  | "usage.chat"
  | "usage.stream";

/** Which adapter method a scenario is staged for: `chat` or `chatStream`. */
export type CallMode = "chat" | "stream";

/** The side of a fake upstream the suite looks at (structurally `FakeUpstream` of test/support). */
export interface UpstreamProbe {
  /** Requests received so far. */
  readonly calls: number;
  /** Resolves once `count` requests have been abandoned by their client (the socket closed early). */
  waitForAbort(count?: number): Promise<void>;
}

/** Expectations every scenario may declare. */
export interface CommonExpect {
  /**
   * The warnings the adapter must report through `CallOptions.warn`, in order, each matched by
   * equality (string) or `test` (RegExp). Default: none — a plain request must not warn.
   */
  warnings?: readonly (string | RegExp)[];
}

/** `text` scenario: a plain answer that ends with finish `stop`. */
export interface TextExpect extends CommonExpect {
  /** The exact answer text: `content` for `chat`, the joined text deltas for `stream`. */
  text: string;
  /** The exact usage the adapter must report (inputTokens and outputTokens > 0). */
  usage: Usage;
}

/** `tools` scenario: an answer that calls a tool and ends with finish `tool_calls`. */
export interface ToolsExpect extends CommonExpect {
  /** Name of the (first) tool called; must be one of `request.tools`. */
  name: string;
  /** The first call's arguments, parsed. Omit to check only that they parse as a JSON object. */
  arguments?: unknown;
  /** Number of tool calls. Default: at least one. */
  count?: number;
  usage?: Usage;
}

/** `structured_output` scenario: `request.responseFormat` is a `json_schema` and the answer obeys it. */
export interface StructuredOutputExpect extends CommonExpect {
  /** The parsed answer. Omit to check only that it parses and passes the request's schema. */
  value?: unknown;
  usage?: Usage;
}

/** `rate_limited`, `overloaded` and `bad_response` scenarios: every call to the adapter fails. */
export interface ErrorExpect extends CommonExpect {
  /** The `retryAfterMs` the error must carry; undefined means the reply names no wait. */
  retryAfterMs?: number;
  /** The `upstreamStatus` the error must carry, when declared. */
  upstreamStatus?: number;
  /**
   * `bad_response` scenario only: the exact kind. Default: `bad_response` or `upstream_5xx`
   * (an HTML 502 page is both a bad body and a 5xx).
   */
  kind?: Extract<ErrorKind, "bad_response" | "upstream_5xx">;
}

/**
 * `abort` scenario. For `stream`: the stream must deliver its first batch (with `start`) and then
 * stay open — slow or stalled — so the suite can abort it mid-stream. For `chat`: the answer must
 * not be complete before the suite aborts (a hanging or slow upstream).
 */
export type AbortExpect = CommonExpect;

/** `usage` scenario: an answer whose usage has cached-input, cache-write and/or reasoning tokens. */
export interface UsageExpect extends CommonExpect {
  /** The exact usage; at least one of cachedInputTokens, cacheWriteTokens, reasoningTokens > 0. */
  usage: Usage;
}

/**
 * An adapter ready to answer one scenario, and what its answer must be. `E` is left unconstrained
 * on purpose: a weak (all-optional) constraint makes TypeScript infer `CommonExpect` for helpers
 * that return `Promise<Staged<E>>`. Write `expect: { … } satisfies TextExpect` to catch typos.
 */
export interface Staged<E> {
  adapter: ProviderAdapter;
  /** The request to send; the suite sets `stream` to match the call mode. */
  request: ChatRequest;
  expect: E;
  /** The fake upstream behind a network adapter; lets the suite count requests and see sockets close. */
  upstream?: UpstreamProbe;
  /** Frees everything staged (adapter pools, fake upstream). Called once, even when a check fails. */
  close(): Promise<void>;
}

/** Stages a scenario for one call mode. Called anew for every check, so stages never share state. */
export type Stage<E> = (mode: CallMode) => Promise<Staged<E>>;

/** How a harness answers each scenario. A scenario left out must be opted out of. */
export interface HarnessScenarios {
  /** Used by the `text` capability (mode `chat`) and the `stream` capability (mode `stream`). */
  text?: Stage<TextExpect>;
  tools?: Stage<ToolsExpect>;
  structured_output?: Stage<StructuredOutputExpect>;
  /** An HTTP 429 (or the provider's own rate-limit answer): GatewayError `rate_limited`. */
  rate_limited?: Stage<ErrorExpect>;
  /** The provider's overload answer (503, 529, …): GatewayError `overloaded`. */
  overloaded?: Stage<ErrorExpect>;
  /** A garbage answer (an HTML error page, text where JSON belongs): `bad_response` or `upstream_5xx`. */
  bad_response?: Stage<ErrorExpect>;
  abort?: Stage<AbortExpect>;
  usage?: Stage<UsageExpect>;
}

/** One provider adapter under test. */
export interface AdapterHarness {
  /** Shown as the suite's name, e.g. `openai adapter (recorded fixtures)`. */
  name: string;
  /** Skips the whole suite with this reason printed (e.g. `skipWithoutFixtures`). */
  skip?: string | false;
  /** Capabilities or single checks the provider lacks, each with the reason printed as the skip. */
  optOut?: Partial<Record<Capability | Check, string>>;
  scenarios: HarnessScenarios;
}
