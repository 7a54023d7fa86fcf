import { GatewayError } from "../../core/errors.ts";
import type { ChatRequest, ToolDefinition } from "../../core/request.ts";
import type { PromptFacts } from "./prompt-facts.ts";

/**
 * The tool the simulated model calls, or null when it answers in text: tools absent or
 * `tool_choice: none`, or a tool's result just came back and the choice does not force a call.
 */
export function chooseTool(request: ChatRequest, facts: PromptFacts, provider: string): ToolDefinition | null {
  const tools = request.tools ?? [];
  const choice = request.toolChoice ?? "auto";
  if (tools.length === 0 || choice === "none") return null;
  if (typeof choice === "object") {
    const named = tools.find((t) => t.name === choice.name);
    if (named === undefined) {
      throw new GatewayError("bad_request", `tool_choice names "${choice.name}", which is not among the tools`, {
        provider,
        param: "tool_choice",
      });
    }
    return named;
  }
  if (request.messages.at(-1)?.role === "tool" && choice !== "required") return null;
  return bestMatch(tools, facts);
}

/** The tool whose name and description share most words with the prompt; the first on a tie. */
function bestMatch(tools: ToolDefinition[], facts: PromptFacts): ToolDefinition {
  const words = new Set(facts.words.map((w) => w.toLowerCase()));
  let best = tools[0] as ToolDefinition;
  let bestScore = 0;
  for (const tool of tools) {
    const text = `${tool.name.replace(/([a-z])([A-Z])/g, "$1 $2")} ${tool.description ?? ""}`.toLowerCase();
    const score = text.split(/[^\p{L}\p{N}]+/u).filter((w) => words.has(w)).length;
    if (score > bestScore) [best, bestScore] = [tool, score];
  }
  return best;
}

/** The name of the tool whose result the last message carries. */
export function lastToolName(request: ChatRequest): string | undefined {
  const last = request.messages.at(-1);
  if (last?.role !== "tool") return undefined;
  for (const message of request.messages) {
    if (message.role !== "assistant") continue;
    const call = message.toolCalls?.find((c) => c.id === last.toolCallId);
    if (call !== undefined) return call.name;
  }
  return "the tool";
}
