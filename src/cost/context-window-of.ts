import { CONTEXT_WINDOWS } from "./context-windows.ts";
import { stripDatedSuffix } from "./resolve-price.ts";

export interface ContextWindow {
  tokens: number;
  /** `config` (`models.<id>.context_window`) or the bundled table's key (`bundled:gpt-4o`). */
  source: "config" | `bundled:${string}`;
}

/**
 * A model's context window: the configured one, else the bundled table's by exact upstream id,
 * by model id, then both with a dated suffix stripped (as resolvePrice matches prices). Unknown →
 * null: no window is guessed.
 */
export function contextWindowOf(modelId: string, upstreamModel: string, configured?: number): ContextWindow | null {
  if (configured !== undefined) return { tokens: configured, source: "config" };
  const upstream = upstreamModel.toLowerCase();
  const model = modelId.toLowerCase();
  for (const id of [upstream, model, stripDatedSuffix(upstream), stripDatedSuffix(model)]) {
    const entry = Object.hasOwn(CONTEXT_WINDOWS, id) ? CONTEXT_WINDOWS[id] : undefined;
    if (entry) return { tokens: entry.tokens, source: `bundled:${id}` };
  }
  return null;
}
