import { readFileSync } from "node:fs";
import { ConfigError, formatIssue, formatPath } from "./config-issue.ts";
import type { ConfigIssue, PathSegment } from "./config-issue.ts";
import { parseConfigDocument } from "./config-document.ts";
import { viewConfig } from "./config-view.ts";
import { crossCheck, providersInUse } from "./cross-check.ts";
import type { Env } from "./interpolate-env.ts";
import { configSchema } from "./schema.ts";
import type { Config } from "./schema.ts";
import { schemaIssues } from "./schema-issues.ts";
import type { PathMessage } from "./schema-issues.ts";

export { ConfigError } from "./config-issue.ts";
export type { ConfigIssue } from "./config-issue.ts";
export type { Env } from "./interpolate-env.ts";

export interface LoadedConfig {
  config: Config;
  /** Formatted like issues: `file:line  path: message`. */
  warnings: string[];
  file: string;
  /** Line of the key at `path` in the file (for reports that point into the config). */
  lineOf: (path: readonly PathSegment[]) => number | null;
}

export interface ParseConfigOptions {
  text: string;
  /** Shown in every issue; its extension picks the format unless `format` is given. */
  file: string;
  env?: Env;
  format?: "yaml" | "json";
}

/**
 * Reads a config file (YAML, or JSON for `.json`), replaces `${VAR}` / `${VAR:-default}`,
 * validates it strictly and cross-checks every reference. Throws a `ConfigError` holding every
 * issue found, each with its path and line.
 */
export function loadConfigFile(path: string, env: Env = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError([{ file: path, path: "", line: null, message: `cannot read the config file: ${reason}` }]);
  }
  return parseConfigText({ text, file: path, env });
}

export function parseConfigText(options: ParseConfigOptions): LoadedConfig {
  const { text, file } = options;
  const env = options.env ?? process.env;
  const json = options.format === undefined ? /\.json$/i.test(file) : options.format === "json";
  const doc = parseConfigDocument({
    text,
    file,
    env,
    json,
    // An unused provider's unset key only warns, so its optional field must stay optional.
    dropWhenUnset: (path) => path[0] === "providers" && path.length >= 3,
  });
  if (doc.unreadable) throw new ConfigError(doc.issues, doc.warnings);

  const view = viewConfig(doc.data);
  const inUse = providersInUse(view);
  const errors: PathMessage[] = [];
  const warnings: PathMessage[] = [];
  const explained = new Set<string>();
  // A dropped value is gone from the document, so its line is the one recorded when it was read.
  const unsetLines = new Map(doc.unset.map((ref) => [formatPath(ref.path), ref.line]));
  for (const ref of doc.unset) {
    const provider = ref.path[0] === "providers" ? String(ref.path[1]) : null;
    const message = `environment variable ${ref.variable} is not set`;
    if (provider !== null && !inUse.has(provider)) {
      warnings.push({ path: ref.path, message: `${message} (no model uses provider \`${provider}\`, so it is left unconfigured)` });
    } else {
      errors.push({ path: ref.path, message });
      explained.add(formatPath(ref.path));
    }
  }

  const parsed = configSchema.safeParse(doc.data);
  const found = (parsed.success ? [] : schemaIssues(parsed.error.issues, doc.data, configSchema)).map((e) =>
    doc.quotedInterpolations.has(formatPath(e.path)) && /expected (number|boolean)/.test(e.message)
      ? { ...e, message: `${e.message} (a quoted value stays a string: write the \${…} reference unquoted, in block style)` }
      : e,
  );
  const cross = crossCheck(view);
  // An issue at a value that came from an unset variable is already explained by that variable.
  const all = [...errors, ...[...found, ...cross.errors].filter((e) => !explained.has(formatPath(e.path)))];

  const toIssue = (e: PathMessage): ConfigIssue => {
    const path = formatPath(e.path);
    return { file, path, line: unsetLines.get(path) ?? doc.lineOf(e.path), message: e.message };
  };
  const warningLines = [...doc.warnings, ...sortIssues([...warnings, ...cross.warnings].map(toIssue)).map(formatIssue)];
  const issues = sortIssues([...doc.issues, ...all.map(toIssue)]);
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues, warningLines);
  return { config: parsed.data, warnings: warningLines, file, lineOf: doc.lineOf };
}

/** In file order, so the list reads top to bottom; issues without a line come first. */
function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.i - b.i)
    .map((x) => x.issue);
}
