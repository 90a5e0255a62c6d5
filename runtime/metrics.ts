/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text exposition
 * format for `GET /metrics`. No dependency: what we need is a few dozen lines, and prom-client's global default
 * registry is the kind of hidden state we avoid.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import type { Observable } from 'rxjs';

import type { RuntimeEvent } from './events.ts';
import { sortSmall } from './sort-small.ts';

type Labels = Readonly<Record<string, string>>;

const NEEDS_ESCAPE = /[\\"\n]/;
const escapeValue = (v: string): string =>
  NEEDS_ESCAPE.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Called for every event (several per message in a busy consumer): the label names sorted in place and one string
// built, rather than `sort()`, `map()` and three `replace()`s per label.
const keyOf = (labels: Labels): string => {
  const names = Object.keys(labels);
  sortSmall(names, byName);
  let key = '';
  for (let i = 0; i < names.length; i++)
    key += `${i > 0 ? ',' : ''}${names[i]}="${escapeValue(String(labels[names[i]!]))}"`;
  return key;
};

interface Series {
  readonly name: string;
  readonly help: string;
  readonly kind: 'counter' | 'gauge' | 'histogram';
  readonly values: Map<string, number>;
  readonly buckets?: ReadonlyArray<number>;
}

/** A registry of metric series. One per process; `render()` gives the `/metrics` body. */
export class MetricsRegistry {
  private readonly series = new Map<string, Series>();

  private get(
    name: string,
    help: string,
    kind: Series['kind'],
    buckets?: ReadonlyArray<number>,
  ): Series {
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { name, help, kind, values: new Map(), buckets }));
    return s;
  }

  /** Adds `by` (default 1) to a counter. */
  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const s = this.get(name, help, 'counter');
    const k = keyOf(labels);
    s.values.set(k, (s.values.get(k) ?? 0) + by);
  }

  /** Sets a gauge. */
  set(name: string, help: string, labels: Labels, value: number): void {
    this.get(name, help, 'gauge').values.set(keyOf(labels), value);
  }

  /** Records one observation in a histogram (default buckets suit milliseconds). */
  observe(
    name: string,
    help: string,
    labels: Labels,
    value: number,
    buckets: ReadonlyArray<number> = [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000],
  ): void {
    const s = this.get(name, help, 'histogram', buckets);
    const base = keyOf(labels);
    const sep = base ? ',' : '';
    for (const b of s.buckets ?? buckets) {
      if (value <= b)
        s.values.set(`${base}${sep}le="${b}"`, (s.values.get(`${base}${sep}le="${b}"`) ?? 0) + 1);
      else if (!s.values.has(`${base}${sep}le="${b}"`)) s.values.set(`${base}${sep}le="${b}"`, 0);
    }
    s.values.set(`${base}${sep}le="+Inf"`, (s.values.get(`${base}${sep}le="+Inf"`) ?? 0) + 1);
    s.values.set(`sum:${base}`, (s.values.get(`sum:${base}`) ?? 0) + value);
    s.values.set(`count:${base}`, (s.values.get(`count:${base}`) ?? 0) + 1);
  }

  /** Current value of a counter or gauge series (for status lines and tests). */
  value(name: string, labels: Labels = {}): number {
    return this.series.get(name)?.values.get(keyOf(labels)) ?? 0;
  }

  /** Sum over every label set of a series. */
  total(name: string): number {
    let sum = 0;
    for (const v of this.series.get(name)?.values.values() ?? []) sum += v;
    return sum;
  }

  /** The Prometheus text exposition format. */
  render(): string {
    const lines: string[] = [];
    for (const s of this.series.values()) {
      lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.kind}`);
      for (const [k, v] of s.values) {
        if (s.kind !== 'histogram') lines.push(`${s.name}${k ? `{${k}}` : ''} ${v}`);
        else if (k.startsWith('sum:'))
          lines.push(`${s.name}_sum${k.length > 4 ? `{${k.slice(4)}}` : ''} ${v}`);
        else if (k.startsWith('count:'))
          lines.push(`${s.name}_count${k.length > 6 ? `{${k.slice(6)}}` : ''} ${v}`);
        else lines.push(`${s.name}_bucket{${k}} ${v}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

/** One call on a registry, as plain data: what a {@link RecordingRegistry} hands to {@link replayMetrics}. */
export type MetricOp =
  | readonly ['inc', string, string, Labels, number]
  | readonly ['set', string, string, Labels, number]
  | readonly ['observe', string, string, Labels, number, ReadonlyArray<number> | undefined];

/**
 * A registry that also keeps its calls until `take()`: an actor in a worker thread counts into it, and its thread
 * hands the calls to the process's own registry (`replayMetrics`), so one `/metrics` shows every thread's series.
 */
export class RecordingRegistry extends MetricsRegistry {
  private ops: MetricOp[] = [];

  override inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    super.inc(name, help, labels, by);
    this.ops.push(['inc', name, help, labels, by]);
  }

  override set(name: string, help: string, labels: Labels, value: number): void {
    super.set(name, help, labels, value);
    this.ops.push(['set', name, help, labels, value]);
  }

  override observe(
    name: string,
    help: string,
    labels: Labels,
    value: number,
    buckets?: ReadonlyArray<number>,
  ): void {
    super.observe(name, help, labels, value, buckets);
    this.ops.push(['observe', name, help, labels, value, buckets]);
  }

  /** The calls since the last `take()`, oldest first. */
  take(): MetricOp[] {
    const ops = this.ops;
    this.ops = [];
    return ops;
  }
}

/** Applies another registry's calls (`RecordingRegistry.take()`) to this one, in order. */
export const replayMetrics = (registry: MetricsRegistry, ops: ReadonlyArray<MetricOp>): void => {
  for (const op of ops)
    if (op[0] === 'observe') registry.observe(op[1], op[2], op[3], op[4], op[5]);
    else if (op[0] === 'set') registry.set(op[1], op[2], op[3], op[4]);
    else registry.inc(op[1], op[2], op[3], op[4]);
};

/**
 * The event loop's delay over each `windowMs` (default 1 s), as gauges: its maximum and 99th percentile in
 * seconds. A loop held for seconds starves lease renewals and timers: this is where it shows. Returns the stop
 * function.
 */
export const watchEventLoop = (registry: MetricsRegistry, windowMs = 1_000): (() => void) => {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const timer = setInterval(() => {
    registry.set(
      'prestacop_event_loop_delay_max_seconds',
      'Longest event loop delay in the last second',
      {},
      h.max / 1e9,
    );
    registry.set(
      'prestacop_event_loop_delay_p99_seconds',
      '99th percentile of the event loop delay in the last second',
      {},
      h.percentile(99) / 1e9,
    );
    h.reset();
  }, windowMs).unref();
  return () => {
    clearInterval(timer);
    h.disable();
  };
};

/**
 * Turns runtime events into metrics: a counter per event type and actor, lag gauges, publish and dead-letter
 * counters, and the event loop's delay ({@link watchEventLoop}). Returns the unsubscribe function.
 */
export const instrument = (
  events$: Observable<RuntimeEvent>,
  registry: MetricsRegistry,
): (() => void) => {
  const stopWatching = watchEventLoop(registry);
  const sub = events$.subscribe((e) => {
    registry.inc('prestacop_runtime_events_total', 'Runtime events by type', {
      type: e.type,
      actor: e.actor,
    });
    switch (e.type) {
      case 'bus.published':
        registry.inc(
          'prestacop_published_records_total',
          'Records accepted by the stream',
          { stream: e.payload.stream },
          e.payload.records,
        );
        registry.inc(
          'prestacop_published_bytes_total',
          'Bytes accepted by the stream',
          { stream: e.payload.stream },
          e.payload.bytes,
        );
        break;
      case 'bus.dead_lettered':
        registry.inc('prestacop_dead_letters_total', 'Inputs dead-lettered, by reason tag', {
          actor: e.actor,
          tag: e.payload.errorTag,
        });
        break;
      case 'bus.lag':
        registry.set(
          'prestacop_millis_behind_latest',
          'Consumer lag per shard',
          { actor: e.actor, stream: e.payload.stream, shard: e.payload.shardId },
          e.payload.millisBehind,
        );
        break;
      case 'actor.processed':
        registry.inc(
          'prestacop_processed_total',
          'Inputs processed and acknowledged',
          { actor: e.actor },
          e.payload.count,
        );
        break;
      case 'actor.crashed':
        registry.inc(
          'prestacop_actor_crashes_total',
          'Actor crashes (each followed by a restart)',
          { actor: e.actor },
        );
        break;
      default:
        break;
    }
  });
  return () => {
    stopWatching();
    sub.unsubscribe();
  };
};
