import { GatewayError, toGatewayError } from "../core/errors.ts";
import { reportDocument, type ReportQuery, type ReportResult } from "../ledger/ledger-report.ts";
import { parseReportQuery, ReportWindowError } from "../ledger/parse-report-query.ts";
import type { Handler } from "./router.ts";
import { sendError, sendJson } from "./send.ts";

/** Aggregates over the ledger, with everything written so far included. */
export interface ReportSource {
  report(query: ReportQuery): Promise<ReportResult>;
}

/**
 * GET /admin/report?since=7d&until=…&by=route|model|provider|key|arm: per group, requests, error
 * rate, retries, fallbacks, escalations, tasks and their outcomes, tokens and cost per completed
 * task, human takeovers and edit minutes, latency and time-to-first-token percentiles.
 */
export function createReportHandler(options: { source: ReportSource; wallClockMs: () => number }): Handler {
  return async (req, res) => {
    try {
      const params = new URL(req.url ?? "/", "http://gateway").searchParams;
      let query: ReportQuery;
      try {
        query = parseReportQuery({ since: params.get("since") ?? undefined, until: params.get("until") ?? undefined, by: params.get("by") ?? undefined, nowMs: options.wallClockMs() });
      } catch (err) {
        if (err instanceof ReportWindowError) throw new GatewayError("bad_request", err.message, { code: "invalid_request_error", param: err.param });
        throw err;
      }
      sendJson(res, 200, reportDocument(query, await options.source.report(query)));
    } catch (err) {
      const error = toGatewayError(err);
      if (error.kind === "internal") console.error("[switchyard] /admin/report failed:", err);
      sendError(res, error);
    }
  };
}
