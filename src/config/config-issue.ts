/** One segment of a path into the config: a mapping key or a list index. */
export type PathSegment = string | number;

/** One problem found in a config file. */
export interface ConfigIssue {
  file: string;
  /** Where in the config, e.g. `routes.extraction.lane` or `lanes.work[1]`; "" for the whole file. */
  path: string;
  /** 1-based line of the offending key (or list item); null when unknown. */
  line: number | null;
  message: string;
}

/** `routes.extraction.lane`, `auto.rules[2].route`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** `file:line  path: message`, the form editors and terminals turn into links. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}`;
  return issue.path === "" ? `${where}  ${issue.message}` : `${where}  ${issue.path}: ${issue.message}`;
}

/** A config that cannot be used. Holds every issue found, not just the first. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  /** Warnings found along the way, already formatted like issues. */
  readonly warnings: readonly string[];

  constructor(issues: readonly ConfigIssue[], warnings: readonly string[] = []) {
    const file = issues[0]?.file ?? "config";
    const count = issues.length === 1 ? "1 error" : `${issues.length} errors`;
    super(`${file}: ${count}\n${issues.map(formatIssue).join("\n")}`);
    this.name = "ConfigError";
    this.issues = issues;
    this.warnings = warnings;
  }

  /** Every issue, one per line, as `file:line  path: message`. */
  format(): string {
    return this.issues.map(formatIssue).join("\n");
  }
}
