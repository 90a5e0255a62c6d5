/**
 * Every service answers `GET /healthz` (200 when healthy, 503 otherwise, JSON body) and `GET /metrics`
 * (Prometheus text) on an ops port, 127.0.0.1 by default: operators and Prometheus scrape it, nothing else.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { MetricsRegistry } from './metrics.ts';

/** What `/healthz` reports. */
export interface Health {
  readonly healthy: boolean;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface OpsServer {
  /** The bound address, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly close: () => Promise<void>;
}

/**
 * Starts the ops server. Port 0 picks a free port (tests); a port in use rejects with a clear error.
 * @example const ops = await startOpsServer({ port: 9464, health: () => ({ healthy: true, details: {} }), metrics });
 */
export const startOpsServer = (options: {
  readonly host?: string;
  readonly port: number;
  readonly health: () => Health;
  readonly metrics: MetricsRegistry;
}): Promise<OpsServer> =>
  new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET') {
        res.writeHead(405, { allow: 'GET' }).end();
      } else if (path === '/healthz') {
        const h = options.health();
        res
          .writeHead(h.healthy ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: h.healthy ? 'ok' : 'unhealthy', ...h.details }));
      } else if (path === '/metrics') {
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          .end(options.metrics.render());
      } else {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('not found: try /healthz or /metrics\n');
      }
    });
    const host = options.host ?? '127.0.0.1';
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `ops port ${host}:${options.port} is in use: pass --ops-port with a free port (0 picks one)`
            : `ops server failed: ${e.message}`,
        ),
      ),
    );
    server.listen(options.port, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
