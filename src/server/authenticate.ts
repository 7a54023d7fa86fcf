import type { IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { GatewayError } from "../core/errors.ts";
import type { Plan } from "../router/plan.ts";
import { hashKeySecret, KEY_SECRET_PREFIX, type KeyRecord, type KeyStore } from "../state/key-store.ts";

export interface AuthenticatorOptions {
  store: KeyStore;
  /** `keys.required` from the config: `auto` requires a key once any key has been created. */
  required: boolean | "auto";
  /** Monotonic milliseconds. Default `performance.now`. */
  clock?: () => number;
  /** How often the store is re-read, so revocations and new keys arrive unasked. Default 5 s; 0: never. */
  refreshIntervalMs?: number;
  /** The least time between store reads that unknown keys cause. Default 1 s. */
  missRefreshMs?: number;
  /** A store read failed; the keys known before stay in force. Default: logged. */
  onError?: (err: unknown) => void;
}

const HOW_TO_SEND =
  "send it as `authorization: Bearer sk-sy-…` (the OpenAI SDKs' apiKey) or `x-api-key: sk-sy-…` (the Anthropic SDKs' apiKey); `switchyard keys create --name NAME` issues one";

/**
 * Gateway keys at the edge. Keys live in memory, by hash; the store is read at start, every few
 * seconds, and when a key that looks like a gateway key is not known (at most once per
 * `missRefreshMs`), so keys created by the CLI while the gateway runs work on first use.
 */
export class Authenticator {
  private readonly store: KeyStore;
  private readonly mode: boolean | "auto";
  private readonly clock: () => number;
  private readonly missRefreshMs: number;
  private readonly onError: (err: unknown) => void;
  /** Every key ever created, revoked ones included (so they get their own message, and count for `auto`). */
  private byHash = new Map<string, KeyRecord>();
  private lastStart = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout | null;

  constructor(options: AuthenticatorOptions) {
    this.store = options.store;
    this.mode = options.required;
    this.clock = options.clock ?? (() => performance.now());
    this.missRefreshMs = options.missRefreshMs ?? 1_000;
    this.onError = options.onError ?? ((err) => console.error("[switchyard] reading the gateway keys failed:", err));
    const every = options.refreshIntervalMs ?? 5_000;
    this.timer = every > 0 ? setInterval(() => void this.refresh(), every).unref() : null;
  }

  /** Whether a request without a gateway key is refused right now. */
  required(): boolean {
    return this.mode === true || (this.mode === "auto" && this.byHash.size > 0);
  }

  /**
   * The key a request presents (`authorization: Bearer`, else `x-api-key`), or null when none is
   * needed and none was sent. Throws a 401 `unauthorized` GatewayError for a missing key where
   * one is required, and for an unknown or revoked gateway key. A token that is not a gateway
   * key (a client's placeholder or provider key) counts as no key, and is never echoed.
   */
  authenticate(headers: IncomingHttpHeaders): KeyRecord | null | Promise<KeyRecord | null> {
    // No key exists and none is required: the common fresh install pays this check and nothing
    // else. A first key created meanwhile is seen at the next periodic read.
    if (this.byHash.size === 0 && this.mode !== true) return null;
    const token = presentedKey(headers);
    if (token === null) {
      if (!this.required()) return null;
      const sentOther = headers.authorization !== undefined || headers["x-api-key"] !== undefined;
      throw unauthorized(
        sentOther
          ? `The key sent is not a gateway key (those start with ${KEY_SECRET_PREFIX}) and this gateway requires one: ${HOW_TO_SEND}.`
          : `This gateway requires a gateway key: ${HOW_TO_SEND}.`,
        sentOther ? "invalid_api_key" : "missing_api_key",
      );
    }
    const hash = hashKeySecret(token);
    const record = this.byHash.get(hash);
    // A known key is answered at once; only an unknown one waits for a fresh read of the store.
    if (record !== undefined) return this.check(token, record);
    return this.freshSince(this.clock()).then(() => this.check(token, this.byHash.get(hash)));
  }

  private check(token: string, record: KeyRecord | undefined): KeyRecord {
    const shown = `${token.slice(0, 8)}…`;
    if (record === undefined) throw unauthorized(`The gateway key ${shown} is not known to this gateway; ${HOW_TO_SEND}.`, "invalid_api_key");
    if (record.revokedAt !== null) {
      throw unauthorized(`The gateway key ${shown} ('${record.name}') was revoked at ${new Date(record.revokedAt).toISOString()}; ask for a new one.`, "revoked_api_key");
    }
    return record;
  }

  /** Null when `record` may ask for `requestedModel` (resolved as `plan`); else a 403 naming what it may use. */
  allowed(record: KeyRecord | null, requestedModel: string, plan: Plan): GatewayError | null {
    return checkAllowedRoutes(record, requestedModel, plan);
  }

  /** Re-reads the store now (joining a read under way). Never rejects. */
  refresh(): Promise<void> {
    if (this.running) return this.running;
    this.lastStart = this.clock();
    this.running = this.load().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops the periodic re-read; the store is the caller's to close. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async load(): Promise<void> {
    try {
      const records = await this.store.list();
      this.byHash = new Map(records.map((r) => [r.hash, freeze(r)]));
    } catch (err) {
      this.onError(err);
    }
  }

  /** Resolves once a store read that started at or after `t` has finished; reads at most once per `missRefreshMs`. */
  private freshSince(t: number): Promise<void> {
    if (this.running && this.lastStart >= t) return this.running;
    this.queued ??= (async () => {
      const wait = this.lastStart + this.missRefreshMs - this.clock();
      if (wait > 0) await sleep(wait, undefined, { ref: false });
      // A read that began before the miss may not see the key: let it end, then read again.
      if (this.running) await this.running;
      this.queued = null;
      await this.refresh();
    })();
    return this.queued;
  }
}

/** Builds the authenticator and reads the keys once, so the first request is decided right. */
export async function createAuthenticator(options: AuthenticatorOptions): Promise<Authenticator> {
  const authenticator = new Authenticator(options);
  await authenticator.refresh();
  return authenticator;
}

/** Null when `record` may ask for `requestedModel` (resolved as `plan`); else a 403 naming what it may use. */
export function checkAllowedRoutes(record: KeyRecord | null, requestedModel: string, plan: Plan): GatewayError | null {
  const routes = record?.routes;
  if (!record || !routes) return null;
  // Allowed by any name the request was asked or resolved by, or when every model it may reach is allowed.
  for (const name of [requestedModel, plan.route, plan.alias, plan.lane]) if (name !== null && routes.includes(name)) return null;
  if (plan.targets.every((t) => routes.includes(t.modelId))) return null;
  const via = plan.route ?? plan.lane ?? plan.alias;
  const asked = requestedModel === via || via === null ? `'${requestedModel}'` : `'${requestedModel}' (resolved to '${via}')`;
  return new GatewayError(
    "forbidden",
    `The gateway key '${record.name}' may use only ${routes.map((r) => `'${r}'`).join(", ")}; ${asked} is not one of them.`,
    { code: "model_not_allowed", param: "model" },
  );
}

/**
 * The gateway key a request presents: the first of `authorization: Bearer …` and `x-api-key` that
 * starts with `sk-sy-`. Anything else (an SDK's placeholder, a provider key) is not a gateway key.
 */
export function presentedKey(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match?.[1]?.startsWith(KEY_SECRET_PREFIX)) return match[1];
  }
  const apiKey = headers["x-api-key"];
  const value = (Array.isArray(apiKey) ? apiKey[0] : apiKey)?.trim();
  return value?.startsWith(KEY_SECRET_PREFIX) ? value : null;
}

function unauthorized(message: string, code: string): GatewayError {
  return new GatewayError("unauthorized", message, { code });
}

function freeze(record: KeyRecord): KeyRecord {
  Object.freeze(record.budget);
  Object.freeze(record.rateLimit);
  if (record.routes) Object.freeze(record.routes);
  return Object.freeze(record);
}
