export { createSimulatedAdapter } from "./simulated-adapter.ts";
export type { SimulatedAdapterOptions } from "./simulated-adapter.ts";
export {
  SIMULATED_DIFFICULTIES,
  SIMULATED_MODELS,
  SIMULATED_OWNER,
  SIMULATED_TASK_KINDS,
  findSimulatedModel,
  listSimulatedModelIds,
} from "./catalogue.ts";
export type { SimulatedDifficulty, SimulatedModel, SimulatedTaskKind, SuccessRates } from "./catalogue.ts";
export { planAnswer } from "./plan-answer.ts";
export type { PlanAnswerOptions, SimulatedAnswer } from "./plan-answer.ts";
export { inferTask } from "./infer-task.ts";
export type { SimulatedTask } from "./infer-task.ts";
export { readSimMetadata, SIM_ERRORS } from "./read-sim-metadata.ts";
export type { SimError, SimMetadata } from "./read-sim-metadata.ts";
