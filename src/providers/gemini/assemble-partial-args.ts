import type { GeminiPartialArg } from "./gemini-schemas.ts";

/**
 * Rebuilds a function call's arguments from the pieces Gemini streams them in: each names a
 * JSON path (`$.recipe.ingredients[0].name`) and a value; a string value with `willContinue`
 * is continued by the next pieces for the same path.
 */
export function assemblePartialArgs(pieces: readonly GeminiPartialArg[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const open = new Set<string>();
  for (const piece of pieces) {
    const path = parseJsonPath(piece.jsonPath);
    if (path === null || path.length === 0) continue;
    if (typeof piece.stringValue === "string") {
      const current = open.has(piece.jsonPath) ? get(root, path) : undefined;
      set(root, path, typeof current === "string" ? current + piece.stringValue : piece.stringValue);
      if (piece.willContinue === true) open.add(piece.jsonPath);
      else open.delete(piece.jsonPath);
    } else if (typeof piece.numberValue === "number") set(root, path, piece.numberValue);
    else if (typeof piece.boolValue === "boolean") set(root, path, piece.boolValue);
    else if ("nullValue" in piece) set(root, path, null);
  }
  return root;
}

type Segment = string | number;

/** `$.a.b[0]['c d']` → ["a", "b", 0, "c d"]; null when it is not a path. */
export function parseJsonPath(path: string): Segment[] | null {
  if (!path.startsWith("$")) return null;
  const segments: Segment[] = [];
  const token = /\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  token.lastIndex = 1;
  while (token.lastIndex < path.length) {
    const match = token.exec(path);
    if (!match) return null;
    const [, dotted, index, single, double] = match;
    segments.push(index !== undefined ? Number(index) : (dotted ?? single ?? double ?? "").replace(/\\(.)/g, "$1"));
  }
  return segments;
}

function get(root: unknown, path: readonly Segment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<Segment, unknown>)[segment];
  }
  return node;
}

function set(root: Record<string, unknown>, path: readonly Segment[], value: unknown): void {
  let node: Record<Segment, unknown> = root;
  for (const [i, segment] of path.entries()) {
    if (i === path.length - 1) {
      node[segment] = value;
      return;
    }
    const next = path[i + 1];
    const existing = node[segment];
    if (typeof existing !== "object" || existing === null) node[segment] = typeof next === "number" ? [] : {};
    node = node[segment] as Record<Segment, unknown>;
  }
}
