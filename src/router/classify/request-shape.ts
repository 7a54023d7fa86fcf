import type { ChatRequest } from "../../core/request.ts";
import { indexByHash } from "./lexicon.ts";
import { SCAN_LIMITS } from "./scan-limits.ts";
import type { Features } from "./types.ts";
import type { ToolWords } from "./window.ts";

/** Generic tool-name words that say nothing about what the user asked for. */
const TOOL_STOP_WORDS = new Set(["get", "set", "list", "create", "update", "delete", "tool", "run", "the", "for", "and", "with", "from", "info", "data"]);

/** Features of the request's shape rather than its text: tools, tool choice, response format. */
export function readRequestShape(f: Features, request: ChatRequest): void {
  f.messageCount = request.messages.length;
  f.hasTools = (request.tools?.length ?? 0) > 0;
  f.toolCount = request.tools?.length ?? 0;
  const choice = request.toolChoice;
  f.toolChoiceRequired = choice === "required" || (typeof choice === "object" && choice.type === "tool");
  f.toolChoiceNone = choice === "none";
  f.jsonSchema = request.responseFormat?.type === "json_schema";
  f.jsonObject = request.responseFormat?.type === "json_object";
  if (request.responseFormat?.type === "json_schema") {
    const counted = countSchemaProperties(request.responseFormat.schema);
    f.schemaProperties = counted.properties;
    // Only a schema that is mostly labels asks for a label; a contract schema with a few boolean
    // fields is still extraction.
    f.schemaEnums = counted.enums * 2 >= counted.properties ? counted.enums : 0;
  }
}

/**
 * The words of the tool names ("get_weather" → weather, weathers), to spot the user naming what a
 * tool does. Undefined when no tool is offered, so that a request without tools builds nothing.
 */
export function toolNameWords(request: ChatRequest): ToolWords | undefined {
  const tools = request.tools;
  if (tools === undefined || tools.length === 0) return undefined;
  const words = new Set<string>();
  for (let t = 0; t < tools.length && t < SCAN_LIMITS.tools; t++) {
    const name = (tools[t]?.name ?? "").slice(0, 64).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
    for (const part of name.split(/[^a-z]+/)) {
      if (part.length >= 4 && !TOOL_STOP_WORDS.has(part)) {
        words.add(part);
        // "emails" ↔ "email", "searching" is rare enough to skip
        if (part.endsWith("s")) words.add(part.slice(0, -1));
        else words.add(`${part}s`);
      }
    }
  }
  if (words.size === 0) return undefined;
  // About two buckets per word: few collisions, and a small array to build.
  const bits = Math.min(12, Math.max(4, Math.ceil(Math.log2(words.size * 2))));
  return indexByHash(
    [...words].map((word) => ({ word })),
    bits,
  );
}

function countSchemaProperties(schema: Record<string, unknown>): { properties: number; enums: number } {
  let count = 0;
  let enums = 0;
  const visit = (node: unknown, depth: number): void => {
    if (depth > 3 || count >= SCAN_LIMITS.schemaProperties || typeof node !== "object" || node === null) return;
    const props = (node as Record<string, unknown>).properties;
    if (typeof props === "object" && props !== null) {
      for (const child of Object.values(props)) {
        if (++count >= SCAN_LIMITS.schemaProperties) return;
        if (typeof child === "object" && child !== null && (Array.isArray((child as Record<string, unknown>).enum) || (child as Record<string, unknown>).type === "boolean")) enums++;
        visit(child, depth + 1);
      }
    }
    visit((node as Record<string, unknown>).items, depth + 1);
  };
  visit(schema, 0);
  return { properties: count, enums };
}
