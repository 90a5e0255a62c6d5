/**
 * Backoff after kafkajs: 300 ms start, ×2 per attempt, ±20 % jitter, 30 s cap, 5 retries. Pure: the random source
 * is passed in, so the schedule is testable.
 */

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly factor: number;
  /** Fraction of the delay added or removed at random, 0.2 = ±20 %. */
  readonly jitter: number;
  readonly maxMs: number;
  /** Retries after the first attempt; `Infinity` retries for ever (for work that must not be dropped). */
  readonly retries: number;
}

export const defaultBackoff: BackoffPolicy = {
  initialMs: 300,
  factor: 2,
  jitter: 0.2,
  maxMs: 30_000,
  retries: 5,
};

/**
 * Delay before retry number `attempt` (1-based).
 * @example backoff(1, defaultBackoff, () => 0.5) // 300
 */
export const backoff = (attempt: number, policy: BackoffPolicy, random: () => number): number => {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt - 1));
  const jittered = base * (1 + policy.jitter * (2 * random() - 1));
  return Math.max(0, Math.min(policy.maxMs, Math.round(jittered)));
};

/** Resolves after `ms`; rejects early if the signal aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs `attempt` until it succeeds, retrying while `isRetriable(error)` and the policy allows, sleeping
 * `backoff(n)` between tries. `onRetry` reports each retry (for events and logs).
 */
export const withRetry = async <A>(
  attempt: (n: number) => Promise<A>,
  options: {
    readonly policy?: BackoffPolicy;
    readonly isRetriable: (e: unknown) => boolean;
    readonly random?: () => number;
    readonly onRetry?: (n: number, delayMs: number, error: unknown) => void;
    readonly signal?: AbortSignal;
  },
): Promise<A> => {
  const policy = options.policy ?? defaultBackoff;
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (n > policy.retries || !options.isRetriable(e)) throw e;
      const delayMs = backoff(n, policy, random);
      options.onRetry?.(n, delayMs, e);
      await sleep(delayMs, options.signal);
    }
  }
};
