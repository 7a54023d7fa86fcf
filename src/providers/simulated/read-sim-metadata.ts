import { GatewayError } from "../../core/errors.ts";
import type { ErrorKind } from "../../core/errors.ts";
import { SIMULATED_DIFFICULTIES, SIMULATED_TASK_KINDS } from "./catalogue.ts";
import type { SimulatedDifficulty, SimulatedTaskKind } from "./catalogue.ts";

export const SIM_ERRORS = ["rate_limited", "overloaded", "upstream_5xx", "timeout"] as const satisfies readonly ErrorKind[];
export type SimError = (typeof SIM_ERRORS)[number];

/** The `sim_*` keys of `request.metadata`: overrides for demos and tests. */
export interface SimMetadata {
  taskKind?: SimulatedTaskKind;
  difficulty?: SimulatedDifficulty;
  outcome?: "success" | "failure";
  error?: SimError;
}

const OUTCOMES = ["success", "failure"] as const;

/** Reads and checks the overrides; a misspelt value is the caller's mistake, so it is a 400. */
export function readSimMetadata(metadata: Record<string, string> | undefined, provider: string): SimMetadata {
  if (metadata === undefined) return {};
  return {
    taskKind: oneOf(metadata, "sim_task_type", SIMULATED_TASK_KINDS, provider),
    difficulty: oneOf(metadata, "sim_difficulty", SIMULATED_DIFFICULTIES, provider),
    outcome: oneOf(metadata, "sim_outcome", OUTCOMES, provider),
    error: oneOf(metadata, "sim_error", SIM_ERRORS, provider),
  };
}

function oneOf<T extends string>(
  metadata: Record<string, string>,
  key: string,
  allowed: readonly T[],
  provider: string,
): T | undefined {
  const value = metadata[key];
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new GatewayError("bad_request", `metadata.${key} must be one of ${allowed.join(", ")}; got "${value}"`, {
    provider,
    param: `metadata.${key}`,
  });
}

const SIM_ERROR_DETAILS: Readonly<Record<SimError, { status?: number; message: string; retryAfterMs?: number }>> = {
  rate_limited: { status: 429, message: "simulated rate limit: too many requests", retryAfterMs: 1000 },
  overloaded: { status: 503, message: "simulated overload: the model is busy, try again later" },
  upstream_5xx: { status: 500, message: "simulated upstream failure: internal server error" },
  timeout: { message: "simulated timeout: no response from the model in time" },
};

/** The error a `metadata.sim_error` asks for, shaped like a classified upstream failure. */
export function simulatedError(kind: SimError, provider: string): GatewayError {
  const detail = SIM_ERROR_DETAILS[kind];
  return new GatewayError(kind, detail.message, {
    provider,
    upstreamStatus: detail.status,
    retryAfterMs: detail.retryAfterMs,
  });
}
