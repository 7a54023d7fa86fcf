/** The environment variables a config is read with. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolatedString {
  value: string;
  /** Variables referenced without a default that are unset (or empty), in order of appearance. */
  unset: string[];
  /** Malformed references, e.g. `${}` or an unclosed `${`; they are left in the value as written. */
  malformed: string[];
  /** True when the text held at least one reference (or a `$${` escape). */
  changed: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in `text` from `env`.
 *
 * - `${VAR}`: the variable's value; when it is unset or empty the reference becomes "" and VAR is
 *   listed in `unset` (the caller decides whether that is an error).
 * - `${VAR:-default}`: the value, or `default` when the variable is unset or empty (as in a shell).
 *   The default is taken literally up to the first `}`; it is not interpolated again.
 * - `$${` is an escape for a literal `${`.
 * A lone `$` (e.g. `$HOME` or `cost$`) is left alone.
 */
export function interpolateEnv(text: string, env: Env): InterpolatedString {
  if (!text.includes("${")) return { value: text, unset: [], malformed: [], changed: false };
  const unset: string[] = [];
  const malformed: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf("${", i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    if (start > 0 && text[start - 1] === "$") {
      out += text.slice(i, start - 1) + "${";
      i = start + 2;
      continue;
    }
    out += text.slice(i, start);
    const end = text.indexOf("}", start + 2);
    if (end < 0) {
      malformed.push(text.slice(start));
      out += text.slice(start);
      break;
    }
    const body = text.slice(start + 2, end);
    const sep = body.indexOf(":-");
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      malformed.push(`\${${body}}`);
      out += `\${${body}}`;
    } else {
      const value = env[name];
      if (value !== undefined && value !== "") out += value;
      else if (sep >= 0) out += body.slice(sep + 2);
      else unset.push(name);
    }
    i = end + 1;
  }
  return { value: out, unset, malformed, changed: true };
}
