import { isAlias, isMap, isScalar, isSeq, LineCounter, parse, parseDocument, Scalar } from "yaml";
import type { Document, Node, Pair } from "yaml";
import { formatPath } from "./config-issue.ts";
import type { ConfigIssue, PathSegment } from "./config-issue.ts";
import { interpolateEnv } from "./interpolate-env.ts";
import type { Env } from "./interpolate-env.ts";

/** A `${VAR}` without default whose variable is not set. */
export interface UnsetReference {
  variable: string;
  path: PathSegment[];
  line: number | null;
}

export interface ConfigDocument {
  /** The plain data after interpolation; `{}` for an empty file. */
  data: unknown;
  /** Line of the key (or list item) at `path`; the deepest existing ancestor's line when missing. */
  lineOf: (path: readonly PathSegment[]) => number | null;
  unset: UnsetReference[];
  /** Paths (formatted) of the quoted values that held a `${…}` reference; they stay strings. */
  quotedInterpolations: Set<string>;
  /** Syntax errors and malformed `${…}` references. */
  issues: ConfigIssue[];
  /** True when the text could not be parsed at all (`data` is then `{}`). */
  unreadable: boolean;
  warnings: string[];
}

export interface ParseDocumentOptions {
  text: string;
  file: string;
  env: Env;
  /** JSON files are read with the YAML parser's JSON schema (so `foo` unquoted is an error). */
  json: boolean;
  /**
   * Whether a value made only of unset references is dropped (as if the key were absent) instead
   * of becoming "". Lets an optional field such as an unused provider's `api_key` stay optional.
   */
  dropWhenUnset: (path: readonly PathSegment[]) => boolean;
}

/**
 * Parses YAML (or JSON) keeping line numbers, and replaces `${VAR}` references in every string
 * value (keys are left alone). An unquoted YAML value that becomes a number or boolean after
 * interpolation is read as one, so `port: ${PORT:-4141}` works; quoted values stay strings.
 */
export function parseConfigDocument(options: ParseDocumentOptions): ConfigDocument {
  const { text, file } = options;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, schema: options.json ? "json" : "core" });
  const lineAt = (offset: number | undefined): number | null => (offset === undefined ? null : lineCounter.linePos(offset).line);
  const lineOfNode = (node: unknown): number | null => (isNodeWithRange(node) ? lineAt(node.range?.[0]) : null);
  const warnings = doc.warnings.map((w) => `${file}:${lineAt(w.pos[0])}  ${w.message}`);
  const lineOf = (path: readonly PathSegment[]): number | null => findLine(doc, path, lineOfNode);

  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => ({ file, path: "", line: lineAt(e.pos[0]), message: `syntax error: ${e.message}` }));
    return { data: {}, lineOf, unset: [], quotedInterpolations: new Set(), issues, warnings, unreadable: true };
  }

  const unset: UnsetReference[] = [];
  const quotedInterpolations = new Set<string>();
  const issues: ConfigIssue[] = [];
  const visitValue = (node: unknown, path: PathSegment[], line: number | null): "keep" | "drop" => {
    if (isScalar(node)) {
      if (typeof node.value !== "string") return "keep";
      const result = interpolateEnv(node.value, options.env);
      if (!result.changed) return "keep";
      for (const bad of result.malformed) {
        issues.push({ file, path: formatPath(path), line, message: `malformed environment reference ${bad}: write \${NAME} or \${NAME:-default}, and $\${ for a literal \${` });
      }
      for (const variable of result.unset) unset.push({ variable, path, line });
      if (result.value === "" && result.unset.length > 0 && options.dropWhenUnset(path)) return "drop";
      if (node.type !== Scalar.PLAIN) quotedInterpolations.add(formatPath(path));
      node.value = node.type === Scalar.PLAIN ? coercePlain(result.value) : result.value;
      return "keep";
    }
    if (isMap(node)) {
      node.items = node.items.filter((pair: Pair) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        return visitValue(pair.value, [...path, key], lineOfNode(pair.key)) === "keep";
      });
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visitValue(item, [...path, i], lineOfNode(item)));
    }
    // Aliases (`*anchor`) share the anchored node, which is interpolated where it is defined.
    return "keep";
  };
  visitValue(doc.contents, [], null);

  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { data: {}, lineOf, unset, quotedInterpolations, issues: [...issues, { file, path: "", line: null, message }], warnings, unreadable: true };
  }
  return { data, lineOf, unset, quotedInterpolations, issues, warnings, unreadable: false };
}

function coercePlain(value: string): string | number | boolean {
  try {
    const parsed: unknown = parse(value);
    if (typeof parsed === "number" || typeof parsed === "boolean") return parsed;
  } catch {
    // not a scalar YAML would read as a number or boolean
  }
  return value;
}

function isNodeWithRange(node: unknown): node is { range?: [number, number, number] | null } {
  return typeof node === "object" && node !== null && "range" in node;
}

function findLine(doc: Document, path: readonly PathSegment[], lineOfNode: (node: unknown) => number | null): number | null {
  let node: unknown = doc.contents;
  let line = lineOfNode(node);
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) return line;
      line = lineOfNode(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item: Node | undefined = node.items[seg] as Node | undefined;
      if (item === undefined) return line;
      line = lineOfNode(item) ?? line;
      node = item;
    } else {
      return line;
    }
  }
  return line;
}
