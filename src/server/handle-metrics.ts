import type { GatewayMetrics } from "../dispatch/metrics.ts";
import type { Handler } from "./router.ts";

/** GET /metrics: Prometheus text format. Not under /admin, so a scraper needs no key. */
export function createMetricsHandler(metrics: GatewayMetrics): Handler {
  return async (_req, res) => {
    const { contentType, text } = await metrics.render();
    res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
}
