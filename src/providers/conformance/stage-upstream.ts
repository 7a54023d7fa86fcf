import type { ChatRequest } from "../../core/request.ts";
import type { ProviderAdapter } from "../provider.ts";
import type { Staged, UpstreamProbe } from "./adapter-harness.ts";

/** A started fake upstream (structurally test/support's `FakeUpstream`). */
export interface StartedUpstream extends UpstreamProbe {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

export interface StageUpstreamOptions<E> {
  /** Already started with the scenario's replies, e.g. `await startFakeUpstream(sse(lines))`. */
  upstream: StartedUpstream;
  /** The adapter under test, pointed at the fake (`url` is the fake's origin). */
  adapter: (url: string) => ProviderAdapter;
  request: ChatRequest;
  expect: E;
}

/**
 * The plumbing of a network adapter's stage: the adapter against a fake upstream, and a `close`
 * that shuts the fake first — destroying its sockets, so that closing the adapter's pool never
 * waits on a stream a failed check left open.
 */
export function stageUpstream<E>(options: StageUpstreamOptions<E>): Staged<E> {
  const { upstream, request, expect } = options;
  const adapter = options.adapter(upstream.url);
  return {
    adapter,
    request,
    expect,
    upstream,
    async close() {
      await upstream.close();
      await adapter.close?.();
    },
  };
}
