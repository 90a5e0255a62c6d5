/**
 * The console's HTTP server (node:http, no framework): the page, its script and stylesheet, the event stream,
 * the JSON API and the image proxy, all from one origin.
 *
 * | method | path | answer |
 * |---|---|---|
 * | GET | `/` | the page |
 * | GET | `/app.js`, `/app.css` | its script (`browser/`, bundled at start) and stylesheet |
 * | GET | `/events` | Server-Sent Events: `snapshot` (every alarm + counts) on connect, then `alarm` per change |
 * | HEAD | `/events` | what a GET would answer (200, 401, 503 with `Retry-After`), taking no stream slot |
 * | GET | `/api/alarms` | `{ alarms: AlarmView[], counts: ConsoleCounts }`, newest first |
 * | GET | `/api/session` | `{ operator, expiresAt, tokenRequired }`: who the request acts as |
 * | POST | `/api/alarms/:id/acknowledge\|confirm\|dismiss` | body `{"operator":"name"}` → `{ alarm }`; 404, 409 `{ reason }`, 400, 413 |
 * | GET | `/images/:imageId` | the violation image, proxied from S3 |
 * | GET | `/healthz` | `{ status }` |
 *
 * Security: every response carries a strict Content-Security-Policy, `nosniff`, `no-referrer` and
 * `frame-ancestors 'none'`. Who may act, and as whom, is `access.ts`'s: the Host rule (DNS rebinding), tokens
 * (required on any address but loopback), the sessions `/?token=<token>` opens (an HttpOnly SameSite=Strict
 * cookie holding a random id, then a redirect to `/`) and the Origin rule. POSTs must be JSON, at most 4 KiB,
 * and, when the browser sends an Origin, come from the console's own origin (no cross-site requests).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { E } from '../../runtime/codec.ts';
import { isLoopback } from '../../runtime/loopback.ts';
import { OperatorName } from '../protocol/primitives.ts';
import { createAccess, type Identity, type OperatorToken } from './access.ts';
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
  /** A token shared by every operator; required (or `operators`) unless `host` is loopback. */
  readonly token?: string;
  /** One token per operator: a decision is recorded under the name its token belongs to. */
  readonly operators?: ReadonlyArray<OperatorToken>;
  /** `https://…` when a TLS proxy serves the console (needs a token): an allowed Origin; the cookie is `Secure`. */
  readonly publicOrigin?: string;
  /** How long a session opened by `/?token=` lasts (default 12 h); its event stream ends then. */
  readonly sessionTtlMs?: number;
  /** Event streams at once (default 100); beyond, 503 with `Retry-After`. */
  readonly maxStreams?: number;
  /** The `Retry-After` of a 503 for a stream (default 5 s). */
  readonly retryAfterSeconds?: number;
  /** SSE keep-alive comment interval (default 15 s). */
  readonly heartbeatMs?: number;
  readonly now?: () => number;
}

/** A running server. */
export interface ConsoleServer {
  /** The address to open, e.g. `http://127.0.0.1:8090/` (without the token). */
  readonly url: string;
  readonly port: number;
  readonly close: () => Promise<void>;
}

/** A POST body's limit: `{"operator":"…"}` is far below it. */
const MAX_BODY = 4_096;
/** A body over the limit is read to its end (so the 413 reaches the client) up to this; beyond, the connection closes. */
const MAX_DRAIN = 1_048_576;

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

const REOPEN =
  'open /?token=<your token> again (the token is printed where the console was started)';

type Body =
  | { readonly _tag: 'read'; readonly text: string }
  | { readonly _tag: 'too-large'; readonly close: boolean }
  | { readonly _tag: 'failed' };

/**
 * Reads a body up to `limit`. One over it is still read to its end, discarded, so the client (which may still be
 * sending) gets the 413 rather than a reset; one that declares or sends more than {@link MAX_DRAIN} is answered
 * at once, and the connection closed.
 */
const readBody = (req: http.IncomingMessage, limit: number): Promise<Body> =>
  new Promise((resolve) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_DRAIN)
      return resolve({ _tag: 'too-large', close: true });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > MAX_DRAIN) resolve({ _tag: 'too-large', close: true });
    });
    req.on('end', () =>
      resolve(
        size > limit
          ? { _tag: 'too-large', close: false }
          : { _tag: 'read', text: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    req.on('error', () => resolve({ _tag: 'failed' }));
  });

/**
 * Starts the server once the page's script is bundled. Refuses (rejects) a non-loopback host without a token, the
 * access errors of `createAccess` (a public origin without a token, both kinds of token, a short token), and a
 * script that does not bundle.
 * @example const server = await startConsoleServer(handlers, { host: '127.0.0.1', port: 0 });
 */
export const startConsoleServer = async (
  handlers: ConsoleHandlers,
  options: ConsoleServerOptions,
): Promise<ConsoleServer> => {
  let access: ReturnType<typeof createAccess>;
  try {
    access = createAccess({
      host: options.host,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.operators === undefined ? {} : { operators: options.operators }),
      ...(options.publicOrigin === undefined ? {} : { publicOrigin: options.publicOrigin }),
      ...(options.sessionTtlMs === undefined ? {} : { sessionTtlMs: options.sessionTtlMs }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  } catch (e) {
    return Promise.reject(e);
  }
  if (!isLoopback(options.host) && !access.required)
    return Promise.reject(
      new Error(
        `operator console on ${options.host} needs a token (--token or --operators): only 127.0.0.1 is open`,
      ),
    );
  const now = options.now ?? Date.now;
  const clients = new Set<http.ServerResponse>();
  const maxStreams = options.maxStreams ?? 100;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
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
  const json = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ) =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), {
      ...SECURITY_HEADERS,
      ...headers,
    });
  const bad = (
    res: http.ServerResponse,
    status: number,
    error: string,
    headers: Readonly<Record<string, string>> = {},
  ) => {
    handlers.onBadRequest?.(`${status} ${error}`);
    json(res, status, { error }, headers);
  };

  const events = (req: http.IncomingMessage, res: http.ServerResponse, identity: Identity) => {
    if (clients.size >= maxStreams)
      return bad(res, 503, 'console busy: too many event streams', { 'retry-after': retryAfter });
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    };
    // The page asks with HEAD why its stream closed: the answer a GET would get, without a slot.
    if (req.method === 'HEAD') return void res.writeHead(200, headers).end();
    res.writeHead(200, headers);
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
    // The stream ends with its session: the browser reconnects, gets a 401 and the page says so.
    const expiry =
      identity.expiresAt === undefined
        ? undefined
        : setTimeout(() => res.end(), Math.min(2 ** 31 - 1, identity.expiresAt - now()));
    const close = () => {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      unlisten();
      clients.delete(res);
    };
    req.on('close', close);
    res.on('error', close);
  };

  const refuse = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    status: 400 | 401,
    error: string,
  ) => {
    const hint =
      status === 400
        ? `${error}: ${REOPEN}`
        : error === 'session expired'
          ? `session expired: ${REOPEN}`
          : `this console needs its token: open /?token=<your token> (printed where the console was started)`;
    if (path === '/' && req.method === 'GET') {
      handlers.onBadRequest?.(`${status} ${error}`);
      return send(res, status, 'text/plain; charset=utf-8', `${hint}\n`);
    }
    return bad(res, status, hint);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://console.invalid');
    } catch {
      return bad(res, 400, 'bad url');
    }
    const path = url.pathname;
    if (!access.hostAllowed(req.headers.host)) return bad(res, 421, 'unexpected Host header');
    const given = url.searchParams.get('token');
    if (access.required && path === '/' && given !== null && req.method === 'GET') {
      // Trade the token in the address for a session, and drop it from the address bar and history.
      const login = access.login(given);
      if (login === undefined) return refuse(req, res, path, 401, 'token not accepted');
      res.writeHead(303, { ...SECURITY_HEADERS, location: '/', 'set-cookie': login.setCookie });
      return void res.end();
    }
    const verdict = access.check(req.headers.authorization, req.headers.cookie);
    if (verdict._tag === 'refused') return refuse(req, res, path, verdict.status, verdict.error);
    const { identity } = verdict;
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/') return send(res, 200, 'text/html; charset=utf-8', pageHtml());
      if (path === '/app.js')
        return send(res, 200, 'text/javascript; charset=utf-8', await pageJs());
      if (path === '/app.css') return send(res, 200, 'text/css; charset=utf-8', pageCss);
      if (path === '/events') return events(req, res, identity);
      if (path === '/api/alarms') return json(res, 200, handlers.snapshot());
      if (path === '/api/session')
        return json(res, 200, {
          operator: identity.operator ?? null,
          expiresAt:
            identity.expiresAt === undefined ? null : new Date(identity.expiresAt).toISOString(),
          tokenRequired: access.required,
        });
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
      if (!access.originAllowed(req.headers.origin, req.headers.host))
        return bad(res, 403, 'cross-origin request');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return bad(res, 415, 'expected application/json');
      const body = await readBody(req, MAX_BODY);
      if (body._tag === 'failed') return void res.destroy();
      if (body._tag === 'too-large')
        return bad(
          res,
          413,
          `body too large (${MAX_BODY} bytes at most)`,
          body.close ? { connection: 'close' } : {},
        );
      let named: unknown;
      try {
        named = (JSON.parse(body.text) as { operator?: unknown } | null)?.operator;
      } catch {
        return bad(res, 400, 'body is not JSON');
      }
      // With per-operator tokens the name is the token's; otherwise the body's.
      // The name is decoded as the decision will be (control and bidi characters stripped, then non-blank, 64
      // at most): a name that strips to nothing is a 400 here, never a decision that cannot be read back.
      const decoded = OperatorName.decode(identity.operator ?? named);
      if (E.isLeft(decoded))
        return bad(res, 400, 'operator: a name of 1 to 64 printable characters');
      const operator = decoded.right;
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
  await pageJs();
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
