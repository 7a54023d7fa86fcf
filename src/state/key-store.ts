import { hash, randomBytes } from "node:crypto";

/** Spending caps of one gateway key; an absent field is no cap. */
export interface KeyBudget {
  daily_usd?: number;
  monthly_usd?: number;
  daily_tokens?: number;
  monthly_tokens?: number;
}

/** Request-rate caps of one gateway key; an absent field is no cap. */
export interface KeyRateLimit {
  requests_per_minute?: number;
  tokens_per_minute?: number;
}

/** What `create` is given. */
export interface KeySpec {
  /** Unique among keys that are not revoked. */
  name: string;
  budget?: KeyBudget;
  rateLimit?: KeyRateLimit;
  /** Route, alias, lane or model names the key may ask for; null or absent: all. */
  routes?: readonly string[] | null;
}

/** A stored gateway key. The secret itself is never stored: only its SHA-256 hash. */
export interface KeyRecord {
  /** `key_` + random characters; what receipts, budgets and limits are keyed by. */
  id: string;
  name: string;
  /** The first characters of the secret, for people to recognise it: `sk-sy-AbCd…`. */
  prefix: string;
  /** SHA-256 of the secret, lowercase hex. */
  hash: string;
  /** Unix milliseconds. */
  createdAt: number;
  /** Unix milliseconds; null while the key is valid. */
  revokedAt: number | null;
  budget: KeyBudget;
  rateLimit: KeyRateLimit;
  routes: string[] | null;
}

/** A key as shown to people and the admin API: everything but the hash. */
export type KeyView = Omit<KeyRecord, "hash">;

export type RevokeResult =
  | { type: "revoked"; record: KeyRecord }
  /** It was revoked before; `record.revokedAt` is when. */
  | { type: "already_revoked"; record: KeyRecord }
  | { type: "not_found" };

/**
 * Where gateway keys are kept. Implementations: SQLite (default) and in-memory (tests); a shared
 * one (Redis, Postgres) may follow. Every implementation runs the same conformance suite.
 */
export interface KeyStore {
  /**
   * Issues a new key. The secret is returned here and nowhere else. Throws a KeyStoreError
   * (`duplicate_name`, `invalid_spec`) when the spec cannot be stored.
   */
  create(spec: KeySpec): Promise<{ record: KeyRecord; secret: string }>;
  /** Every key, revoked ones included, oldest first (keys of the same millisecond in the order they were created). */
  list(): Promise<KeyRecord[]>;
  /** Revokes by id, or by name (the key of that name that is not revoked, else the latest one). */
  revoke(idOrName: string): Promise<RevokeResult>;
  /** The key whose secret hashes to `hash`, revoked or not. */
  findByHash(hash: string): Promise<KeyRecord | null>;
  /**
   * How many keys were ever created, revoked ones included: revoking the last key must not
   * open a gateway that requires keys once any exist.
   */
  count(): Promise<number>;
  close(): Promise<void>;
}

export type KeyStoreErrorCode = "duplicate_name" | "invalid_spec";

export class KeyStoreError extends Error {
  readonly code: KeyStoreErrorCode;

  constructor(code: KeyStoreErrorCode, message: string) {
    super(message);
    this.name = "KeyStoreError";
    this.code = code;
  }
}

/** Every gateway key starts with this, so it can be told apart from a provider's key. */
export const KEY_SECRET_PREFIX = "sk-sy-";
const SECRET_CHARS = 40;
const PREFIX_CHARS = KEY_SECRET_PREFIX.length + 4;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` uniformly random base62 characters from the system CSPRNG. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: dropping bytes above it keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function generateKeySecret(): string {
  return KEY_SECRET_PREFIX + randomBase62(SECRET_CHARS);
}

export function generateKeyId(): string {
  return `key_${randomBase62(16)}`;
}

/** SHA-256 of a presented key, lowercase hex: what stores keep and look up by. */
export function hashKeySecret(secret: string): string {
  return hash("sha256", secret, "hex");
}

/** The part of a secret safe to show: `sk-sy-AbCd…`. */
export function keyDisplayPrefix(secret: string): string {
  return `${secret.slice(0, PREFIX_CHARS)}…`;
}

/** A new key from a spec: the record to store, and its secret (to show once, never to store). */
export function issueKey(spec: KeySpec, createdAt: number): { record: KeyRecord; secret: string } {
  const { name, budget, rateLimit, routes } = normalizeKeySpec(spec);
  const secret = generateKeySecret();
  const record: KeyRecord = { id: generateKeyId(), name, prefix: keyDisplayPrefix(secret), hash: hashKeySecret(secret), createdAt, revokedAt: null, budget, rateLimit, routes };
  return { record, secret };
}

export function toKeyView(record: KeyRecord): KeyView {
  const { hash: _hash, ...view } = record;
  return view;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/;
const BUDGET_FIELDS = ["daily_usd", "monthly_usd", "daily_tokens", "monthly_tokens"] as const;
const RATE_FIELDS = ["requests_per_minute", "tokens_per_minute"] as const;

/**
 * Checks a spec and returns it in stored form (fields copied, routes trimmed and de-duplicated).
 * Throws KeyStoreError `invalid_spec` saying what to fix.
 */
export function normalizeKeySpec(spec: KeySpec): Required<Pick<KeyRecord, "name" | "budget" | "rateLimit" | "routes">> {
  const name = spec.name.trim();
  if (!NAME.test(name) || name.startsWith("key_") || name.startsWith("sk-")) {
    throw new KeyStoreError(
      "invalid_spec",
      `A key name is 1–64 letters, digits and . _ : @ - (starting with a letter or digit, not with key_ or sk-); got '${spec.name}'.`,
    );
  }
  const budget: KeyBudget = {};
  for (const field of BUDGET_FIELDS) {
    const value = spec.budget?.[field];
    if (value === undefined) continue;
    const whole = field.endsWith("_tokens");
    if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isSafeInteger(value))) {
      throw new KeyStoreError("invalid_spec", `budget.${field} must be a positive ${whole ? "whole number" : "number"}; got ${value}.`);
    }
    budget[field] = value;
  }
  const rateLimit: KeyRateLimit = {};
  for (const field of RATE_FIELDS) {
    const value = spec.rateLimit?.[field];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new KeyStoreError("invalid_spec", `rate limit ${field} must be a positive whole number; got ${value}.`);
    }
    rateLimit[field] = value;
  }
  let routes: string[] | null = null;
  if (spec.routes != null) {
    routes = [...new Set(spec.routes.map((r) => r.trim()))];
    if (routes.length === 0 || routes.some((r) => r === "")) {
      throw new KeyStoreError("invalid_spec", "routes must name at least one route, alias, lane or model, with no empty names (leave it out to allow all).");
    }
  }
  return { name, budget, rateLimit, routes };
}
