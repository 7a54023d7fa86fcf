import { z } from "zod";
import { closestIds } from "./closest-ids.ts";
import type { PathSegment } from "./config-issue.ts";

export interface PathMessage {
  path: PathSegment[];
  message: string;
}

/**
 * Turns zod's issues into messages that say what to fix: one issue per unknown key (with the
 * nearest allowed key or the list of allowed keys), "missing" for absent required keys.
 */
export function schemaIssues(issues: readonly z.core.$ZodIssue[], data: unknown, schema: z.ZodType): PathMessage[] {
  const out: PathMessage[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys(schema, path);
      for (const key of issue.keys) out.push({ path: [...path, key], message: unknownKeyMessage(key, allowed) });
      continue;
    }
    const missing = path.length > 0 && valueAt(data, path) === undefined;
    if (issue.code === "invalid_value" && missing) {
      out.push({ path, message: `required key is missing (one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")})` });
    } else if (issue.code === "invalid_type" && missing) {
      out.push({ path, message: `required key is missing (expected ${issue.expected})` });
    } else {
      out.push({ path, message: issue.message.replace(/^(Invalid input|Invalid option|Too small|Too big): /, "") });
    }
  }
  return out;
}

function unknownKeyMessage(key: string, allowed: string[]): string {
  if (allowed.length === 0) return `unknown key \`${key}\``;
  const close = closestIds(key, allowed, { limit: 1 });
  if (close.length > 0) return `unknown key \`${key}\` (did you mean \`${close[0]}\`?)`;
  return `unknown key \`${key}\` (allowed: ${allowed.join(", ")})`;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const seg of path) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, seg)) return undefined;
    node = (node as Record<PathSegment, unknown>)[seg];
  }
  return node;
}

/** The keys the schema allows for the object at `path`, for "did you mean" hints. */
export function allowedKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (node instanceof z.ZodObject) node = unwrap((node.shape as Record<string, z.ZodType>)[String(seg)]);
    else if (node instanceof z.ZodRecord) node = unwrap(node.valueType as z.ZodType);
    else if (node instanceof z.ZodArray) node = unwrap(node.element as z.ZodType);
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let node = schema;
  for (let i = 0; i < 10 && node !== undefined; i++) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodPrefault || node instanceof z.ZodNullable) {
      node = node.unwrap() as z.ZodType;
    } else if (node instanceof z.ZodPipe) {
      node = node.in as z.ZodType;
    } else {
      break;
    }
  }
  return node;
}
