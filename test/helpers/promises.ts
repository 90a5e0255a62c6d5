/**
 * Promises a test settles by hand or bounds in time: a slow effect held open by a {@link gated} promise, and a
 * {@link within} deadline on what must settle (a `stop()` that once hung).
 */

/**
 * A promise the test settles by hand: an effect awaits `gate` until the test calls `release`.
 * @example const { gate, release } = gated(); effect = () => gate; ...; release();
 */
export const gated = (): { readonly gate: Promise<void>; readonly release: () => void } => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  return { gate, release };
};

/**
 * Settles with `p`, or rejects naming `what` if it has not settled `ms` after the call.
 * @example await within(actor.stop(), 1_000, 'stop()');
 */
export const within = <A>(p: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
};
