/**
 * Who may use the console, and as whom: the Host and Origin rules, the tokens, and the sessions the page's cookie
 * names. Pure but for the clock and the random session ids, both passed in.
 *
 * - No token (loopback only): anyone who reaches the address may act, so the Host header must name this machine
 *   (`127.0.0.1`, `localhost`, `[::1]` or the address listened on, any port): a page of another site whose name
 *   was rebound to 127.0.0.1 sends its own name and is refused (DNS rebinding).
 * - A shared token (`--token`): every request carries it, or a session it opened. The operator's name is the
 *   one the page sends: the token says who may act, not who is who.
 * - Per-operator tokens (`--operators FILE`): the same, and the name recorded with a decision is the one the
 *   token (or its session) belongs to, whatever the request body says.
 *
 * A session is a random id in an HttpOnly, SameSite=Strict cookie (`Secure` behind an https public origin),
 * mapped here to its operator and expiry: the token itself never travels in a cookie.
 */
import { createHash, randomBytes } from 'node:crypto';

import { LOOPBACK_NAMES } from '../../runtime/loopback.ts';

/** One operator and their token (16 characters or more). */
export interface OperatorToken {
  readonly name: string;
  readonly token: string;
}

/** Options of {@link createAccess}. */
export interface AccessOptions {
  /** The address the console listens on (its exact name is an allowed Host without a token). */
  readonly host: string;
  /** A token shared by every operator (the name is then the request's). */
  readonly token?: string;
  /** One token per operator (the name is then the token's). */
  readonly operators?: ReadonlyArray<OperatorToken>;
  /** `https://console.example.org` when a TLS proxy serves the console: an allowed Origin, and the cookie is `Secure`. */
  readonly publicOrigin?: string;
  /** How long a session lasts (default 12 h). */
  readonly sessionTtlMs?: number;
  /** Sessions kept at once; the oldest goes first beyond it (default 10,000). */
  readonly maxSessions?: number;
  readonly now?: () => number;
  /** A new session id (default 32 random bytes, base64url). */
  readonly newId?: () => string;
}

/** Who made a request. `operator` is set when the token names its operator. */
export interface Identity {
  readonly operator?: string;
  /** When its session ends (epoch ms); absent for a Bearer token or an open console. */
  readonly expiresAt?: number;
}

/** The verdict on a request's credentials. */
export type Verdict =
  | { readonly _tag: 'granted'; readonly identity: Identity }
  | { readonly _tag: 'refused'; readonly status: 400 | 401; readonly error: string };

/** A session opened by `/?token=`: its cookie (for `Set-Cookie`) and who it is. */
export interface Login {
  readonly setCookie: string;
  readonly identity: Identity;
}

/** The console's access rules, built by {@link createAccess}. */
export interface Access {
  /** Whether requests need a token (any address but loopback does). */
  readonly required: boolean;
  readonly hostAllowed: (host: string | undefined) => boolean;
  /** A POST's Origin: absent (not a browser), the public origin, or `http://<its Host>`. */
  readonly originAllowed: (origin: string | undefined, host: string | undefined) => boolean;
  /** Checks a request's `Authorization` and `Cookie` headers. */
  readonly check: (authorization: string | undefined, cookie: string | undefined) => Verdict;
  /** Opens a session for a token given in the address, or undefined if it is no token of this console. */
  readonly login: (token: string) => Login | undefined;
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'prestacop_console';

/** Default session lifetime: a working day. */
export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

/** The name in a Host header (`[::1]:8090` → `::1`), or undefined if the header is not `name[:port]`. */
const hostName = (host: string): string | undefined => {
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::\d{1,5})?$/i.exec(host);
  return (m?.[1] ?? m?.[2])?.toLowerCase();
};

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** The value of the session cookie: undefined if absent, null if there but not a session id. */
const sessionIdOf = (cookie: string | undefined): string | null | undefined => {
  for (const part of (cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return SESSION_ID.test(value) ? value : null;
  }
  return undefined;
};

/**
 * Builds the access rules. Throws on a public origin without a token (a proxy takes the console off the
 * machine), on both kinds of token at once, and on a token shorter than 16 characters (never echoing it).
 * @example const access = createAccess({ host: '127.0.0.1' }); access.hostAllowed('localhost:8090') // true
 */
export const createAccess = (o: AccessOptions): Access => {
  const now = o.now ?? Date.now;
  const ttl = o.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const maxSessions = o.maxSessions ?? 10_000;
  const newId = o.newId ?? (() => randomBytes(32).toString('base64url'));
  const operators = o.operators ?? [];
  if (o.token !== undefined && operators.length > 0)
    throw new Error('give a shared token or per-operator tokens, not both');
  for (const { name, token } of [
    ...(o.token === undefined ? [] : [{ name: 'the shared token', token: o.token }]),
    ...operators,
  ])
    if (token.length < 16) throw new Error(`${name}: a token needs 16 characters or more`);
  /** sha256(token) → who holds it: a map lookup, so no comparison leaks a token's prefix through timing. */
  const holders = new Map<string, Identity>([
    ...(o.token === undefined ? [] : [[digest(o.token), {}] as const]),
    ...operators.map((op) => [digest(op.token), { operator: op.name }] as const),
  ]);
  const required = holders.size > 0;
  if (o.publicOrigin !== undefined && !required)
    throw new Error('a console behind a public origin needs a token (--token or --operators)');
  const secure = o.publicOrigin?.startsWith('https://') ?? false;
  const allowedNames = new Set([...LOOPBACK_NAMES, o.host.toLowerCase()]);
  const sessions = new Map<string, { readonly operator?: string; readonly expiresAt: number }>();

  const evict = () => {
    const t = now();
    for (const [id, s] of sessions) if (s.expiresAt <= t) sessions.delete(id);
    for (const id of sessions.keys()) {
      if (sessions.size < maxSessions) break;
      sessions.delete(id);
    }
  };

  return {
    required,
    hostAllowed: (host) => {
      if (host === undefined) return false;
      if (required) return true; // the token guards it; a proxy may forward any name
      const name = hostName(host);
      return name !== undefined && allowedNames.has(name);
    },
    originAllowed: (origin, host) =>
      origin === undefined ||
      origin === o.publicOrigin ||
      (host !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`),
    check: (authorization, cookie) => {
      if (!required) return { _tag: 'granted', identity: {} };
      if (authorization?.startsWith('Bearer ')) {
        const holder = holders.get(digest(authorization.slice(7)));
        return holder
          ? { _tag: 'granted', identity: holder }
          : { _tag: 'refused', status: 401, error: 'token not accepted' };
      }
      const id = sessionIdOf(cookie);
      if (id === null) return { _tag: 'refused', status: 400, error: 'malformed session cookie' };
      if (id === undefined) return { _tag: 'refused', status: 401, error: 'token required' };
      const session = sessions.get(id);
      if (session === undefined || session.expiresAt <= now()) {
        sessions.delete(id);
        return { _tag: 'refused', status: 401, error: 'session expired' };
      }
      return { _tag: 'granted', identity: session };
    },
    login: (token) => {
      const holder = holders.get(digest(token));
      if (holder === undefined) return undefined;
      evict();
      const id = newId();
      const identity = { ...holder, expiresAt: now() + ttl };
      sessions.set(id, identity);
      return {
        identity,
        setCookie:
          `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.ceil(ttl / 1000)}` +
          (secure ? '; Secure' : ''),
      };
    },
  };
};
