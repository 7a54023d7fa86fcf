import { GatewayError } from "../../core/errors.ts";

export interface UpstreamBody {
  provider: string;
  status: number;
  contentType: string | undefined;
  text: string;
}

/** A response body that must be JSON → its value, or `bad_response` saying what came back instead. */
export function parseUpstreamJson(body: UpstreamBody): unknown {
  const trimmed = body.text.trim();
  if (trimmed === "") throw badResponse(body, `${answered(body)} an empty body (status ${body.status})`);
  if ((body.contentType ?? "").includes("text/html") || /^<(!doctype|html|\?xml|head|body)/i.test(trimmed)) {
    const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    throw badResponse(body, `${answered(body)} HTML, not JSON (status ${body.status})${title ? `: ${title}` : ""}`);
  }
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    const what = /^[{[]/.test(trimmed) ? "truncated or malformed JSON" : "text, not JSON";
    throw badResponse(body, `${answered(body)} ${what} (status ${body.status}): ${snippet(trimmed)}`);
  }
}

const answered = (body: UpstreamBody): string => `provider ${body.provider} answered with`;

export function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function badResponse(body: UpstreamBody, message: string): GatewayError {
  return new GatewayError("bad_response", message, { provider: body.provider, upstreamStatus: body.status });
}
