import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";

// Hop-by-hop headers belong to one connection; undici also refuses some of them outright.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer", "host"]);

function endToEnd(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/**
 * The baseline: node:http in front of an undici Pool to `upstreamOrigin`, piping status, headers
 * and body both ways with no logic at all. Run as a script (`bare-proxy.ts <origin>`) it listens
 * on 127.0.0.1, port 0, and prints `listening <port>`.
 */
export function createBareProxy(upstreamOrigin: string): { server: Server; pool: Pool } {
  const pool = new Pool(upstreamOrigin, { keepAliveTimeout: 30_000 });
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    pool
      .request({ method: req.method === "POST" ? "POST" : "GET", path: req.url ?? "/", headers: endToEnd(req.headers), body: req.method === "POST" ? req : null })
      .then((upstream) => {
        res.writeHead(upstream.statusCode, endToEnd(upstream.headers));
        // pipe, not stream.pipeline: pipeline builds an AbortError (a DOMException with a stack) per response.
        upstream.body.on("error", () => res.destroy());
        res.on("close", () => {
          if (!upstream.body.readableEnded) upstream.body.destroy();
        });
        upstream.body.pipe(res);
      })
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `bare proxy: ${String(err)}`, type: "api_error", code: "bad_gateway", param: null } }));
      });
  });
  return { server, pool };
}

if (import.meta.main) {
  const origin = process.argv[2];
  if (origin === undefined) {
    console.error("usage: node bench/bare-proxy.ts http://127.0.0.1:<port>");
    process.exit(2);
  }
  const { server } = createBareProxy(origin);
  server.listen(0, "127.0.0.1", () => {
    console.log(`listening ${(server.address() as AddressInfo).port}`);
  });
  process.on("SIGTERM", () => process.exit(0));
}
