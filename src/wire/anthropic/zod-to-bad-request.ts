import type { z } from "zod";
import { GatewayError } from "../../core/errors.ts";

/**
 * Turns the first validation issue of a Messages body into a message that says what to fix and
 * where; the path is also the error's `param`.
 */
export function zodToBadRequest(error: z.ZodError): GatewayError {
  const first = error.issues[0];
  const issue = first && unwrapUnion(first);
  if (!issue) return new GatewayError("bad_request", "Invalid request body.");
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  let message: string;
  if ((issue.code === "invalid_type" || issue.code === "invalid_union") && issue.input === undefined) {
    message = path === "messages"
      ? "Missing required parameter: 'messages' (an array of {role, content} turns)."
      : `Missing required parameter: '${path}'.`;
  } else if (issue.code === "too_small" && path === "messages") {
    message = "'messages' must contain at least one message.";
  } else if (issue.code === "invalid_union" && discriminatorOptions(issue) !== null) {
    // A `type` or `role` outside its union: name what is accepted and what was sent.
    const key = String(issue.path.at(-1));
    const given = typeof issue.input === "object" && issue.input !== null ? (issue.input as Record<string, unknown>)[key] : undefined;
    const got = given === undefined ? "it is missing" : `got ${JSON.stringify(given)}`;
    message = `Invalid value for '${path}': expected one of ${(discriminatorOptions(issue) ?? []).join(", ")} (${got}).`;
  } else {
    message = `Invalid value for '${path || "body"}': ${issue.message}.`;
  }
  const more = error.issues.length > 1 ? ` (${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""} in the body)` : "";
  return new GatewayError("bad_request", message + more, { ...(path !== "" && { param: path }), code: "invalid_request_error" });
}

/**
 * A plain union (`content`: string or blocks) reports one issue per branch. The branch whose
 * type the input has holds the real problem, deeper down; that issue is reported instead.
 * (The OpenAI codec's bodies have the same unions, so it uses this too.)
 */
export function unwrapUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const matching = issue.errors.find((branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0));
  const inner = matching?.[0];
  if (!inner) {
    const expected = issue.errors.flatMap((branch) => branch.flatMap((i) => (i.code === "invalid_type" ? [i.expected] : [])));
    return { ...issue, errors: [], message: `expected ${expected.join(" or ")}` };
  }
  return unwrapUnion({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
}

/** The accepted values of a discriminated union's key, which zod lists on the issue. */
function discriminatorOptions(issue: z.core.$ZodIssue): string[] | null {
  const options = (issue as { options?: unknown }).options;
  return Array.isArray(options) && options.every((o) => typeof o === "string") ? options : null;
}
