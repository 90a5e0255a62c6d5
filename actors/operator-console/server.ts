/**
 * The console's HTTP server (node:http, no framework): the page, its script and stylesheet, the event stream,
 * the JSON API and the image proxy, all from one origin.
 *
 * | method | path | answer |
 * |---|---|---|
 * | GET | `/` | the page |
 * | GET | `/app.js`, `/app.css` | its script and stylesheet |
 * | GET | `/events` | Server-Sent Events: `snapshot` (every alarm + counts) on connect, then `alarm` per change |
 * | GET | `/api/alarms` | `{ alarms: AlarmView[], counts: ConsoleCounts }`, newest first |
 * | POST | `/api/alarms/:id/acknowledge\|confirm\|dismiss` | body `{"operator":"name"}` → `{ alarm }`; 404, 409 `{ reason }`, 400 |
 * | GET | `/images/:imageId` | the violation image, proxied from S3 |
 * | GET | `/healthz` | `{ status }` |
 *
 * Security: every response carries a strict Content-Security-Policy, `nosniff`, `no-referrer` and
 * `frame-ancestors 'none'`. With a token (required on any address but loopback), every request must present it:
 * `Authorization: Bearer <token>`, or the `prestacop_console` cookie, which `/?token=<token>` sets (HttpOnly,
 * SameSite=Strict) before redirecting to `/`. POSTs must be JSON and, when the browser sends an Origin, come from
 * the console's own origin (no cross-site requests). The Host header must name the console (DNS rebinding).
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ConsoleCounts } from './model.ts';
import { pageCss, pageHtml, pageJs } from './page.ts';
import type { Image } from './ports.ts';

/** A JSON answer. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** What the server asks of the console. */
export interface ConsoleHandlers {
  /** Every alarm view (newest first) and the counts. */
  readonly snapshot: () => {
    readonly alarms: ReadonlyArray<unknown>;
    readonly counts: ConsoleCounts;
  };
  /** Registers a listener of changes (one per SSE client); returns its removal. */
  readonly listen: (
    onChange: (change: { readonly alarm?: unknown; readonly counts: ConsoleCounts }) => void,
  ) => () => void;
  /** An operator's action on an alarm. */
  readonly act: (alarmId: string, action: string, operator: string) => Promise<Reply>;
  readonly image: (imageId: string) => Promise<Image | undefined>;
  readonly healthy: () => boolean;
  /** A request the server refused or could not serve (counted, logged by the caller). */
  readonly onBadRequest?: (what: string) => void;
}

/** Options of {@link startConsoleServer}. */
export interface ConsoleServerOptions {
  readonly host: string;
  readonly port: number;
  /** Required unless `host` is a loopback address. */
  readonly token?: string;
  /** Longest SSE clients at once (default 100). */
  readonly maxClients?: number;
  /** SSE keep-alive comment interval (default 15 s). */
  readonly heartbeatMs?: number;
}

/** A running server. */
export interface ConsoleServer {
  /** The address to open, e.g. `http://127.0.0.1:8090/` (without the token). */
  readonly url: string;
  readonly port: number;
  readonly close: () => Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Whether an address is loopback only (no token needed there). */
export const isLoopback = (host: string): boolean => LOOPBACK.has(host) || /^127\./.test(host);

const COOKIE = 'prestacop_console';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

/** Images are data: they get a CSP of their own that forbids scripts even when opened directly. */
const IMAGE_HEADERS = {
  ...SECURITY_HEADERS,
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  'cache-control': 'private, max-age=3600',
} as const;

const sameToken = (given: string | undefined, token: string): boolean => {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

const cookieOf = (req: http.IncomingMessage): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
};

const readBody = (req: http.IncomingMessage, limit: number): Promise<string | undefined> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });

/**
 * Starts the server. Refuses (rejects) a non-loopback host without a token.
 * @example const server = await startConsoleServer(handlers, { host: '127.0.0.1', port: 0 });
 */
export const startConsoleServer = (
  handlers: ConsoleHandlers,
  options: ConsoleServerOptions,
): Promise<ConsoleServer> => {
  const token = options.token;
  if (!isLoopback(options.host) && !token)
    return Promise.reject(
      new Error(
        `operator console on ${options.host} needs a token (--token): only 127.0.0.1 is open`,
      ),
    );
  const clients = new Set<http.ServerResponse>();
  const maxClients = options.maxClients ?? 100;
  let port = 0;

  const send = (
    res: http.ServerResponse,
    status: number,
    type: string,
    body: string | Uint8Array,
    headers: Readonly<Record<string, string>> = SECURITY_HEADERS,
  ) => {
    res.writeHead(status, {
      ...headers,
      'content-type': type,
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
  const bad = (res: http.ServerResponse, status: number, error: string) => {
    handlers.onBadRequest?.(`${status} ${error}`);
    json(res, status, { error });
  };

  const hostAllowed = (req: http.IncomingMessage): boolean => {
    const host = req.headers.host;
    if (host === undefined) return false;
    if (token) return true; // the token guards it; any name may reach a console behind a proxy
    const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    return isLoopback(name);
  };

  const authorized = (req: http.IncomingMessage, url: URL): boolean => {
    if (!token) return true;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && sameToken(auth.slice(7), token)) return true;
    if (sameToken(cookieOf(req), token)) return true;
    return url.pathname === '/' && sameToken(url.searchParams.get('token') ?? undefined, token);
  };

  const events = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (clients.size >= maxClients) return bad(res, 503, 'too many event-stream clients');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    const write = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    write('snapshot', handlers.snapshot());
    clients.add(res);
    const unlisten = handlers.listen((change) =>
      change.alarm === undefined
        ? write('counts', change.counts)
        : write('alarm', { alarm: change.alarm, counts: change.counts }),
    );
    const heartbeat = setInterval(
      () => res.write(': keep-alive\n\n'),
      options.heartbeatMs ?? 15_000,
    );
    const close = () => {
      clearInterval(heartbeat);
      unlisten();
      clients.delete(res);
    };
    req.on('close', close);
    res.on('error', close);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://console.invalid');
    } catch {
      return bad(res, 400, 'bad url');
    }
    if (!hostAllowed(req)) return bad(res, 421, 'unexpected Host header');
    if (!authorized(req, url)) {
      if (url.pathname === '/' && req.method === 'GET')
        return send(
          res,
          401,
          'text/plain; charset=utf-8',
          'This console needs its token: open /?token=<token> (printed where the console was started).\n',
        );
      return bad(res, 401, 'token required');
    }
    if (token && url.searchParams.has('token')) {
      // Trade the token in the address for a cookie, and drop it from the address bar and history.
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        location: '/',
        'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      });
      return void res.end();
    }
    const path = url.pathname;
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/') return send(res, 200, 'text/html; charset=utf-8', pageHtml());
      if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', pageJs);
      if (path === '/app.css') return send(res, 200, 'text/css; charset=utf-8', pageCss);
      if (path === '/events') return events(req, res);
      if (path === '/api/alarms') return json(res, 200, handlers.snapshot());
      if (path === '/healthz')
        return json(res, handlers.healthy() ? 200 : 503, {
          status: handlers.healthy() ? 'ok' : 'unhealthy',
        });
      if (path.startsWith('/images/')) {
        let imageId: string;
        try {
          imageId = decodeURIComponent(path.slice('/images/'.length));
        } catch {
          return bad(res, 400, 'bad image id');
        }
        if (imageId.trim() === '' || imageId.length > 512) return bad(res, 400, 'bad image id');
        const image = await handlers.image(imageId).catch(() => 'failed' as const);
        if (image === 'failed') return bad(res, 502, 'image store failed');
        if (image === undefined) return bad(res, 404, 'no such image');
        return send(res, 200, image.contentType, image.body, IMAGE_HEADERS);
      }
      return bad(res, 404, 'not found');
    }
    if (req.method === 'POST') {
      const m = /^\/api\/alarms\/([^/]+)\/([a-z]+)$/.exec(path);
      if (!m) return bad(res, 404, 'not found');
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`)
        return bad(res, 403, 'cross-origin request');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return bad(res, 415, 'expected application/json');
      const text = await readBody(req, 4_096);
      if (text === undefined) return bad(res, 413, 'body too large');
      let operator: unknown;
      try {
        operator = (JSON.parse(text) as { operator?: unknown } | null)?.operator;
      } catch {
        return bad(res, 400, 'body is not JSON');
      }
      if (typeof operator !== 'string' || operator.trim() === '' || operator.length > 64)
        return bad(res, 400, 'operator: a name of 1 to 64 characters');
      let alarmId: string;
      try {
        alarmId = decodeURIComponent(m[1] ?? '');
      } catch {
        return bad(res, 400, 'bad alarm id');
      }
      const reply = await handlers.act(alarmId, m[2] ?? '', operator.trim());
      if (reply.status >= 400) handlers.onBadRequest?.(`${reply.status} ${m[2]}`);
      return json(res, reply.status, reply.body);
    }
    res.setHeader('allow', 'GET, HEAD, POST');
    return bad(res, 405, 'method not allowed');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) bad(res, 500, 'internal error');
      else res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `console port ${options.host}:${options.port} is in use: pass --port with a free port (0 picks one)`
            : `console server failed: ${e.message}`,
        ),
      ),
    );
    server.listen(options.port, options.host, () => {
      port = (server.address() as AddressInfo).port;
      const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${shown}:${port}/`,
        port,
        close: () =>
          new Promise((r) => {
            for (const c of clients) c.end();
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
};
