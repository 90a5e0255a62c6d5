/**
 * Polling for start-up code (emulator readiness, a stream turning ACTIVE). SDK waiters poll every 5-10 s,
 * which is right for AWS and far too slow for emulators that answer in milliseconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link pollUntil}. */
export interface PollOptions {
  /** What is awaited, for the timeout message (`kinesis stream x to become ACTIVE`). */
  readonly what: string;
  readonly timeoutMs: number;
  /** Pause between attempts. Default 100 ms. */
  readonly intervalMs?: number;
  /** Stop early: a reason string aborts the poll with that message (e.g. the emulator process exited). */
  readonly abort?: () => string | undefined;
}

/**
 * Calls `attempt` until it returns a value other than `undefined`; a throw counts as "not yet". On timeout it
 * rejects naming `what` and the last error seen, which is usually the useful part.
 * @example
 * const summary = await pollUntil(async () => {
 *   const s = await describe();
 *   return s.StreamStatus === 'ACTIVE' ? s : undefined;
 * }, { what: 'stream to become ACTIVE', timeoutMs: 10_000 });
 */
export const pollUntil = async <A>(
  attempt: () => Promise<A | undefined>,
  options: PollOptions,
): Promise<A> => {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted !== undefined) throw new Error(aborted);
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      last = undefined;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const why = last === undefined ? '' : `; last error: ${describe(last)}`;
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${why}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
};

const describe = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);
