import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GatewayError } from "../core/errors.ts";
import type { GatewayMetrics } from "../dispatch/metrics.ts";
import type { Runtime } from "../dispatch/runtime.ts";
import type { ListReceiptsQuery } from "../ledger/receipt-store.ts";
import type { Receipt } from "../ledger/receipt.ts";
import { checkAdminAccess, isAdminPath } from "./admin-auth.ts";
import type { Authenticator } from "./authenticate.ts";
import type { KeyRecord } from "../state/key-store.ts";
import { createBreakersHandler } from "./handle-admin-breakers.ts";
import { createBudgetsHandler } from "./handle-admin-budgets.ts";
import { createExplainHandler } from "./handle-admin-explain.ts";
import { createReportHandler, type ReportSource } from "./handle-admin-report.ts";
import { createChatCompletionsHandler } from "./handle-chat-completions.ts";
import { createEmbeddingsHandler } from "./handle-embeddings.ts";
import { createFeedbackHandler, type FeedbackSink } from "./handle-feedback.ts";
import { createMessagesHandler } from "./handle-messages.ts";
import { createMetricsHandler } from "./handle-metrics.ts";
import { buildModelList } from "./handle-models.ts";
import { Router } from "./router.ts";
import { sendError, sendJson } from "./send.ts";

/** Read access to receipts, including those not yet flushed to the store. */
export interface ReceiptReader {
  get(requestId: string): Promise<Receipt | null>;
  list(query: ListReceiptsQuery): Promise<Receipt[]>;
}

export interface GatewayServerOptions {
  runtime: Runtime;
  receipts: ReceiptReader;
  /** Readiness: the stores are reachable. */
  isReady?: () => boolean;
  /** Served at GET /metrics when given. */
  metrics?: GatewayMetrics;
  /** Gateway keys; without it every request is let in. */
  auth?: Authenticator;
  /** Where POST /v1/feedback writes task outcomes; the route is served when given. */
  feedback?: FeedbackSink;
  /** What GET /admin/report reads; the route is served when given. */
  reports?: ReportSource;
}

export interface GatewayServer {
  readonly server: Server;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting, waits up to `graceMs` for in-flight requests, then closes what is left. */
  shutdown(graceMs: number): Promise<void>;
  /** Requests being served right now. */
  inFlight(): number;
}

export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const { runtime } = options;
  const config = runtime.config;
  const models = buildModelList(config, Math.floor(runtime.wallClockMs() / 1000));
  let draining = false;
  let active = 0;
  const idleWaiters: (() => void)[] = [];

  /** Who reads receipts: null when keys are not in use; a 401 when they are and none was sent. */
  const receiptReader = async (req: IncomingMessage): Promise<KeyRecord | null> => {
    const auth = options.auth;
    if (!auth) return null;
    const key = await auth.authenticate(req.headers);
    if (key === null && auth.required()) throw new GatewayError("unauthorized", "Reading receipts needs a gateway key.", { code: "missing_api_key" });
    return key;
  };

  const router = new Router()
    .on("POST", "/v1/chat/completions", createChatCompletionsHandler({ runtime, maxBodyBytes: config.server.max_body_bytes, auth: options.auth }))
    .on("POST", "/v1/messages", createMessagesHandler({ runtime, maxBodyBytes: config.server.max_body_bytes, auth: options.auth }))
    .on("POST", "/v1/embeddings", createEmbeddingsHandler({ runtime, maxBodyBytes: config.server.max_body_bytes, auth: options.auth }))
    .on("GET", "/v1/models", (_req, res) => sendJson(res, 200, models))
    .on("GET", "/v1/models/:id", (_req, res, params) => {
      const model = models.data.find((m) => m.id === params["id"]);
      if (model) sendJson(res, 200, model);
      else sendError(res, new GatewayError("model_not_found", `The model '${params["id"] ?? ""}' does not exist on this gateway.`, { code: "model_not_found", param: "model", status: 404 }));
    })
    .on("GET", "/healthz", (_req, res) => sendJson(res, 200, { status: "ok" }))
    .on("GET", "/readyz", (_req, res) => {
      const ready = !draining && (options.isReady?.() ?? true);
      sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : draining ? "draining" : "not_ready" });
    })
    .on("GET", "/v1/receipts/:id", async (req, res, params) => {
      const key = await receiptReader(req);
      const receipt = await options.receipts.get(params["id"] ?? "");
      // With gateway keys, a key reads its own receipts only: another key's is as good as absent.
      if (receipt && (key === null || receipt.keyId === key.id)) sendJson(res, 200, receipt);
      else sendError(res, new GatewayError("not_found", `No receipt with request id '${params["id"] ?? ""}'. The id is in the x-switchyard-request-id response header.`, { code: "receipt_not_found" }));
    })
    .on("GET", "/v1/receipts", async (req, res) => {
      const key = await receiptReader(req);
      const url = new URL(req.url ?? "/", "http://gateway");
      const taskId = url.searchParams.get("task_id");
      const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? 100) || 100, 1), 1000);
      const data = await options.receipts.list({ limit, ...(taskId !== null && { taskId }), ...(key !== null && { keyId: key.id }) });
      sendJson(res, 200, { object: "list", data });
    })
    // Every /admin path is checked for the admin key (or a loopback client) before routing.
    .on("GET", "/admin/breakers", createBreakersHandler(runtime))
    .on("GET", "/admin/budgets", createBudgetsHandler(runtime))
    .on("POST", "/admin/explain", createExplainHandler({ runtime, maxBodyBytes: config.server.max_body_bytes }));
  if (options.metrics) router.on("GET", "/metrics", createMetricsHandler(options.metrics));
  if (options.feedback) {
    const feedback = { sink: options.feedback, receipt: (id: string) => options.receipts.get(id), maxBodyBytes: config.server.max_body_bytes, auth: options.auth };
    router.on("POST", "/v1/feedback", createFeedbackHandler({ ...feedback, wallClockMs: () => runtime.wallClockMs() }));
  }
  if (options.reports) router.on("GET", "/admin/report", createReportHandler({ source: options.reports, wallClockMs: () => runtime.wallClockMs() }));

  const server = createServer({ keepAliveTimeout: 5_000 }, (req: IncomingMessage, res: ServerResponse) => {
    active++;
    res.once("close", () => {
      active--;
      if (active === 0) for (const wake of idleWaiters.splice(0)) wake();
    });
    if (draining) res.setHeader("connection", "close");
    try {
      if (isAdminPath(req.url ?? "/")) {
        const denied = checkAdminAccess(req, config.server.admin_key);
        if (denied) {
          sendError(res, denied, denied.status === 401 ? { "www-authenticate": 'Bearer realm="switchyard-admin"' } : {});
          return;
        }
      }
      router.handle(req, res);
    } catch (err) {
      // A bug must cost one request, never the process.
      console.error("[switchyard] request failed:", err);
      sendError(res, new GatewayError("internal", "internal error"));
    }
  });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async shutdown(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
    inFlight: () => active,
  };
}
