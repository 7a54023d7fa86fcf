import type { RequestEstimate } from "./estimate-request.ts";

/**
 * Null when the request can fit the target's context window (or the window is unknown); else
 * what to tell the client. Only a request whose lowest plausible size is over the window is
 * refused, so an estimate never refuses a prompt the model would take.
 */
export function checkFits(estimate: RequestEstimate): string | null {
  const window = estimate.contextWindow;
  if (window === null || estimate.minInputTokens + estimate.outputInWindow <= window) return null;
  const prompt = `the prompt is ${estimate.exact ? "" : "about "}${count(estimate.inputTokens)} tokens`;
  const where = `model ${estimate.model}'s context window is ${count(window)} tokens`;
  if (estimate.outputInWindow > 0 && estimate.minInputTokens <= window) {
    return `${prompt} and the output cap ${count(estimate.outputInWindow)}; ${where}: shorten the prompt or lower max_tokens`;
  }
  return `${prompt}; ${where}: shorten the prompt`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
