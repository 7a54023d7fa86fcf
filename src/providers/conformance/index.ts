export { runAdapterConformance } from "./run-adapter-conformance.ts";
export { stageUpstream } from "./stage-upstream.ts";
export type { StageUpstreamOptions, StartedUpstream } from "./stage-upstream.ts";
export { CONFORMANCE_LIMITS } from "./conformance-limits.ts";
export type {
  AbortExpect,
  AdapterHarness,
  CallMode,
  Capability,
  Check,
  CommonExpect,
  ErrorExpect,
  HarnessScenarios,
  Stage,
  Staged,
  StructuredOutputExpect,
  TextExpect,
  ToolsExpect,
  UpstreamProbe,
  UsageExpect,
} from "./adapter-harness.ts";
