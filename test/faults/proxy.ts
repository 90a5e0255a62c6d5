/**
 * A fault-injecting HTTP proxy in front of one emulator. Emulators never throttle, never fail and never slow down,
 * so the fault suite puts one of these between the actors and each emulator (the actors only see another endpoint,
 * given through the normal endpoint config) and decides per request what happens: forward as is, forward a changed
 * body and change the answer (PutRecords partial failures), answer with an error without forwarding, delay, or
 * drop the connection (what a restarting emulator looks like).
 */
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the proxy received it (body fully read). */
export interface ProxyRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** An answer: from the emulator, or made up by a policy. */
export interface ProxyResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Sends a request body (the original one, or a changed one) to the emulator and returns its answer. */
export type Forward = (body?: Buffer) => Promise<ProxyResponse>;

/** What a policy decides: an answer, or `'drop'` to destroy the client's connection without one. */
export type PolicyResult = ProxyResponse | 'drop';

/** Decides what happens to one request. The default policy is `(_req, forward) => forward()`. */
export type Policy = (req: ProxyRequest, forward: Forward) => Promise<PolicyResult>;

/** A running proxy. `policy` can be swapped at any time (it applies to requests that arrive afterwards). */
export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  policy: Policy;
  /** Requests seen since start. */
  readonly requests: () => number;
  readonly close: () => Promise<void>;
}

/** The policy that changes nothing. */
export const passThrough: Policy = (_req, forward) => forward();

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
  'host',
]);

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const flatHeaders = (h: IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
};

/**
 * Starts a proxy on 127.0.0.1 (port 0 = any free one) forwarding to `upstream` (`http://127.0.0.1:PORT`).
 * An upstream that refuses the connection (a restarting emulator) drops the client's connection too, so the SDK
 * sees a network error and retries, as it would against the real service.
 * @example
 * const proxy = await startFaultProxy('http://127.0.0.1:4567');
 * proxy.policy = async (req, forward) => (isGetRecords(req) ? throttled() : forward());
 */
export const startFaultProxy = async (upstream: string, port = 0): Promise<FaultProxy> => {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let count = 0;
  const forwardOf =
    (req: ProxyRequest): Forward =>
    (body = req.body) =>
      new Promise<ProxyResponse>((resolve, reject) => {
        const up = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.path,
            agent,
            headers: { ...flatHeaders(req.headers), 'content-length': String(body.length) },
          },
          (res) => {
            readBody(res).then(
              (b) =>
                resolve({
                  status: res.statusCode ?? 502,
                  headers: flatHeaders(res.headers),
                  body: b,
                }),
              reject,
            );
          },
        );
        up.on('error', reject);
        up.end(body);
      });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    count++;
    const r: ProxyRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: await readBody(req),
    };
    let result: PolicyResult;
    try {
      result = await proxy.policy(r, forwardOf(r));
    } catch {
      result = 'drop'; // upstream down or reset: the client sees a dropped connection
    }
    if (result === 'drop') {
      res.socket?.destroy();
      return;
    }
    res.writeHead(result.status, {
      ...result.headers,
      'content-length': String(result.body.length),
    });
    res.end(result.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    policy: passThrough,
    requests: () => count,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
  return proxy;
};
