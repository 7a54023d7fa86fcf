import type { ReasoningEffort } from "../../core/request.ts";

/** Shown as `owned_by` in model listings, so a simulated model is never taken for a real one. */
export const SIMULATED_OWNER = "simulated";

/** The task kinds the simulated models know how good they are at. */
export const SIMULATED_TASK_KINDS = [
  "chat",
  "summarization",
  "extraction",
  "classification",
  "code",
  "reasoning",
  "tool_use",
] as const;
export type SimulatedTaskKind = (typeof SIMULATED_TASK_KINDS)[number];

export const SIMULATED_DIFFICULTIES = ["low", "medium", "high"] as const;
export type SimulatedDifficulty = (typeof SIMULATED_DIFFICULTIES)[number];

/** Probability of a good answer, as `[low, medium, high]` difficulty. */
export type SuccessRates = Readonly<Record<SimulatedTaskKind, readonly [number, number, number]>>;

export interface SimulatedModel {
  id: string;
  /** Reported as the answering model, the way real providers report dated versions. */
  version: string;
  /** USD per 1M tokens. */
  price: { input: number; output: number; cached_input: number };
  contextWindow: number;
  maxOutputTokens: number;
  /** Median time to first token, in ms. */
  ttftMs: number;
  /** Median output speed. */
  tokensPerSecond: number;
  /** Relative spread of the seeded latency jitter (0.15 = ±15 %). */
  jitter: { ttft: number; throughput: number };
  /** Multiplies the length of answers. */
  verbosity: number;
  successRates: SuccessRates;
  /** Hidden reasoning; null when the model does not reason. */
  reasoning: {
    /** Reasoning tokens at medium difficulty, per requested effort. */
    tokens: Readonly<Record<ReasoningEffort, number>>;
    /** Added to the success rate, per requested effort. */
    successBonus: Readonly<Record<ReasoningEffort, number>>;
  } | null;
}

export const SIMULATED_MODELS: readonly SimulatedModel[] = [
  {
    id: "sim-mini",
    version: "sim-mini-2026-06-15",
    price: { input: 0.15, output: 0.6, cached_input: 0.015 },
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    ttftMs: 150,
    tokensPerSecond: 180,
    jitter: { ttft: 0.15, throughput: 0.1 },
    verbosity: 0.85,
    successRates: {
      chat: [0.95, 0.85, 0.65],
      summarization: [0.94, 0.85, 0.65],
      extraction: [0.96, 0.9, 0.75],
      classification: [0.95, 0.88, 0.72],
      code: [0.8, 0.55, 0.25],
      reasoning: [0.75, 0.45, 0.15],
      tool_use: [0.9, 0.75, 0.5],
    },
    reasoning: null,
  },
  {
    id: "sim-pro",
    version: "sim-pro-2026-10-01",
    price: { input: 1.25, output: 10, cached_input: 0.125 },
    contextWindow: 400_000,
    maxOutputTokens: 64_000,
    ttftMs: 350,
    tokensPerSecond: 90,
    jitter: { ttft: 0.15, throughput: 0.1 },
    verbosity: 1,
    successRates: {
      chat: [0.98, 0.94, 0.85],
      summarization: [0.98, 0.94, 0.85],
      extraction: [0.98, 0.95, 0.88],
      classification: [0.98, 0.95, 0.88],
      code: [0.93, 0.82, 0.6],
      reasoning: [0.92, 0.78, 0.5],
      tool_use: [0.96, 0.9, 0.75],
    },
    reasoning: null,
  },
  {
    id: "sim-frontier",
    version: "sim-frontier-2026-11-20",
    price: { input: 5, output: 30, cached_input: 0.5 },
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    ttftMs: 800,
    tokensPerSecond: 45,
    jitter: { ttft: 0.15, throughput: 0.1 },
    verbosity: 1.15,
    successRates: {
      chat: [0.99, 0.97, 0.94],
      summarization: [0.99, 0.97, 0.93],
      extraction: [0.99, 0.98, 0.95],
      classification: [0.99, 0.97, 0.94],
      code: [0.98, 0.93, 0.85],
      reasoning: [0.97, 0.92, 0.82],
      tool_use: [0.98, 0.95, 0.9],
    },
    reasoning: {
      tokens: { none: 0, minimal: 32, low: 128, medium: 384, high: 1024, xhigh: 2560 },
      successBonus: { none: 0, minimal: 0, low: 0.01, medium: 0.02, high: 0.04, xhigh: 0.05 },
    },
  },
];

/** The ids of the simulated models, cheapest first. */
export function listSimulatedModelIds(): string[] {
  return SIMULATED_MODELS.map((m) => m.id);
}

/** Finds a model by id or by its reported version string. */
export function findSimulatedModel(idOrVersion: string): SimulatedModel | undefined {
  return SIMULATED_MODELS.find((m) => m.id === idOrVersion || m.version === idOrVersion);
}
