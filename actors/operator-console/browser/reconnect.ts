/**
 * What the page does once its event stream closed for good. Pure: the page runs it, `page.spec.ts` tests it.
 */

/** A plan: retry (after `delayMs`) or not, and what the connection badge shows. */
export interface ReconnectPlan {
  readonly retry: boolean;
  readonly delayMs: number;
  readonly state: 'expired' | 'busy' | 'connecting' | 'offline';
  readonly text: string;
}

/**
 * The plan, from what `HEAD /events` answered (`status`, 0 for a network error; `retryAfter`, the header or null),
 * the attempt number (1-based), `random` in [0, 1) and the time. A 401 (or a 400: a cookie that is no session,
 * e.g. from an older version) ends the retries, since only a new session helps: the text says how to open one;
 * anything else retries with backoff (1 s, ×2, at most 30 s) never sooner than `Retry-After`, plus up to 50 %
 * random so pages do not all come back at once.
 * @example reconnectPlan(503, '7', 1, 0, Date.now()) // { retry: true, delayMs: 7000, state: 'busy', … }
 */
export const reconnectPlan = (
  status: number,
  retryAfter: string | null,
  attempt: number,
  random: number,
  now: number,
): ReconnectPlan => {
  if (status === 401 || status === 400)
    return {
      retry: false,
      delayMs: 0,
      state: 'expired',
      text: 'session expired: open /?token=<your token> again',
    };
  const backoff = Math.min(30_000, 1_000 * Math.pow(2, Math.max(0, attempt - 1)));
  const header = retryAfter === null ? '' : retryAfter.trim();
  const asked = /^[0-9]+$/.test(header)
    ? Number(header) * 1_000
    : header
      ? Date.parse(header) - now
      : 0;
  const floor = Number.isFinite(asked) ? Math.min(3_600_000, Math.max(0, asked)) : 0;
  const delayMs =
    status === 200 && attempt <= 1 ? 0 : Math.round(Math.max(backoff, floor) * (1 + 0.5 * random));
  const wait = `${Math.ceil(delayMs / 1_000)} s`;
  if (status === 503)
    return { retry: true, delayMs, state: 'busy', text: `console busy: retrying in ${wait}` };
  if (status === 200) return { retry: true, delayMs, state: 'connecting', text: 'reconnecting…' };
  return {
    retry: true,
    delayMs,
    state: 'offline',
    text: `${status ? `error ${status}` : 'offline'}: retrying in ${wait}`,
  };
};
