/**
 * The one way a test waits for something to happen: poll a probe until it holds, within a deadline, and fail
 * naming what was awaited and what was seen last. Never sleep then assert: a sleep is either too short under load
 * (a flaky failure) or too long everywhere else (a slow suite).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';

/** The first pause between probes; each next pause doubles, up to {@link MAX_INTERVAL_MS}. */
const FIRST_INTERVAL_MS = 5;
/** Probes that read DynamoDB or a log file stay cheap on a loaded machine, yet a change is seen within 100 ms. */
const MAX_INTERVAL_MS = 100;

/** A probe's answer counts as "not yet" when it is `false`, `undefined`, `null`, `0` or `''`. */
const isTruthy = (value: unknown): boolean => Boolean(value);

/**
 * Calls `probe` until `done(value)` holds (by default: until the value is truthy), and resolves with that value.
 * After `timeoutMs` it rejects with `timed out after N ms waiting for <what>; last observed: <value>`, so
 * return what you are looking at (a count, a status, a list) and pass `done` rather than returning a bare
 * boolean, when the value says why it is not there yet. A probe that throws fails the wait at once: a bug in the
 * probe is not "not yet".
 *
 * When to use: every wait in a spec, integration test or script; to prove that something did *not* happen, wait
 * for an event that happens after it would have (a later message handled, an ack, a checkpoint) instead.
 * @example
 * await waitFor('25 bodies handed over', () => seen.length, 20_000, (n) => n >= 25);
 * const item = await waitFor('the alarm in DynamoDB', () => store.get(id), 10_000);
 */
export const waitFor = async <A>(
  what: string,
  probe: () => A | Promise<A>,
  timeoutMs: number,
  done: (value: A) => boolean = isTruthy,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (let interval = FIRST_INTERVAL_MS; ; interval = Math.min(interval * 2, MAX_INTERVAL_MS)) {
    const value = await probe();
    if (done(value)) return value;
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last observed: ${inspect(value, { depth: 3, breakLength: Infinity })}`,
      );
    await sleep(Math.min(interval, left));
  }
};
