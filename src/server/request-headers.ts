import type { IncomingHttpHeaders } from "node:http";
import { GatewayError } from "../core/errors.ts";

/** The optional `x-switchyard-*` request headers of DESIGN.md, read once at the edge. */
export interface SwitchyardRequestHeaders {
  taskId: string | null;
  taskType: string | null;
  complexity: "low" | "medium" | "high" | null;
  priority: "low" | "normal" | "high" | null;
  user: string | null;
  idempotencyKey: string | null;
  /** `x-switchyard-timeout-ms`: the whole request's deadline. */
  timeoutMs: number | null;
  /** `x-switchyard-max-cost-usd`, in integer micro-USD. */
  maxCostMicroUsd: number | null;
}

function one(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? null : text;
}

function oneOf<T extends string>(headers: IncomingHttpHeaders, name: string, allowed: readonly T[]): T | null {
  const value = one(headers, name);
  if (value === null) return null;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new GatewayError("bad_request", `Header ${name} must be one of ${allowed.join(", ")} (got '${value}').`, { param: name });
}

export function readSwitchyardHeaders(headers: IncomingHttpHeaders): SwitchyardRequestHeaders {
  return {
    taskId: one(headers, "x-switchyard-task-id"),
    taskType: one(headers, "x-switchyard-task-type"),
    complexity: oneOf(headers, "x-switchyard-complexity", ["low", "medium", "high"]),
    priority: oneOf(headers, "x-switchyard-priority", ["low", "normal", "high"]),
    user: one(headers, "x-switchyard-user"),
    idempotencyKey: one(headers, "idempotency-key"),
    timeoutMs: positiveInteger(headers, "x-switchyard-timeout-ms"),
    maxCostMicroUsd: usdAmount(headers, "x-switchyard-max-cost-usd"),
  };
}

function positiveInteger(headers: IncomingHttpHeaders, name: string): number | null {
  const value = one(headers, name);
  if (value === null) return null;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new GatewayError("bad_request", `Header ${name} must be a positive whole number of milliseconds (got '${value}').`, { param: name });
  }
  return n;
}

function usdAmount(headers: IncomingHttpHeaders, name: string): number | null {
  const value = one(headers, name);
  if (value === null) return null;
  const text = value.trim();
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n) || n <= 0) {
    throw new GatewayError("bad_request", `Header ${name} must be a positive amount in USD such as 0.05 (got '${value}').`, { param: name });
  }
  return Math.round(n * 1e6);
}
