/**
 * Keeps the count of dead letters that may need a person up to date: reads the alert system's notes at start and
 * every `intervalMs` (a dead letter is rare, and an operator reads the count, not a stream of them), and calls
 * `onChange` when the summary changed. A failing read is logged and tried again at the next tick; the last
 * summary read stays shown.
 */
import type { Logger } from '../../runtime/log.ts';
import type { NeedsHumanSource, NeedsHumanSummary } from './ports.ts';

/** A running watch. */
export interface NeedsHumanWatch {
  /** The last summary read; undefined before the first read succeeded. */
  readonly current: () => NeedsHumanSummary | undefined;
  /** Reads now (also what each tick does); resolves when the read is done, failed or not. */
  readonly refresh: () => Promise<void>;
  readonly stop: () => void;
}

/**
 * Starts the watch.
 * @example const watch = watchNeedsHuman(source, { intervalMs: 30_000, onChange: () => broadcast() });
 */
export const watchNeedsHuman = (
  source: NeedsHumanSource,
  o: { readonly intervalMs: number; readonly onChange: () => void; readonly log?: Logger },
): NeedsHumanWatch => {
  let current: NeedsHumanSummary | undefined;
  let reading: Promise<void> | undefined;
  const refresh = (): Promise<void> =>
    (reading ??= source
      .summary()
      .then(
        (s) => {
          const changed = JSON.stringify(s) !== JSON.stringify(current);
          current = s;
          if (changed) o.onChange();
        },
        (err: unknown) => o.log?.warn({ err }, 'dead-letter notes not read: trying again later'),
      )
      .finally(() => (reading = undefined)));
  const timer = setInterval(() => void refresh(), o.intervalMs);
  timer.unref();
  void refresh();
  return { current: () => current, refresh, stop: () => clearInterval(timer) };
};
