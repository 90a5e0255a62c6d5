/**
 * JSON lines on stdout with pino (STYLE §7). One root logger per process, a child per actor. Per-message logs are
 * `debug`; `info` is for start, stop, crash and restart. `LOG_LEVEL` (read by the service's config, not here)
 * overrides the configured level.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

import type { RuntimeEvent } from './events.ts';

export type { Logger };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * Creates the process logger. Secrets that may appear in config objects are redacted.
 * @example const log = createLogger('alert-system', 'info'); log.info({ port }, 'listening');
 */
export const createLogger = (
  service: string,
  level: LogLevel = 'info',
  destination?: DestinationStream,
): Logger =>
  pino(
    {
      name: service,
      level,
      base: { service, pid: process.pid },
      redact: {
        paths: ['*.secretAccessKey', '*.sessionToken', '*.token', 'token'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );

const LEVEL_OF: Partial<Record<RuntimeEvent['type'], 'info' | 'warn' | 'error' | 'debug'>> = {
  'actor.started': 'info',
  'actor.stopped': 'info',
  'actor.crashed': 'error',
  'bus.dead_lettered': 'warn',
  'bus.decode_failed': 'warn',
  'bus.retry': 'warn',
  'bus.publish_retry': 'warn',
  'bus.lease_acquired': 'info',
  'bus.lease_lost': 'warn',
  'bus.shard_ended': 'info',
  'port.failed': 'warn',
};

/** Logs every runtime event at its level (per-message events at debug). Returns the unsubscribe function. */
export const logEvents = (
  events$: { subscribe: (f: (e: RuntimeEvent) => void) => { unsubscribe: () => void } },
  log: Logger,
): (() => void) => {
  const sub = events$.subscribe((e) => {
    const level = LEVEL_OF[e.type] ?? 'debug';
    // Per-message events arrive thousands of times a second: no line object is built for a level that is off.
    if (log.isLevelEnabled(level))
      log[level]({ event: e.type, actor: e.actor, ...e.payload }, e.type);
  });
  return () => sub.unsubscribe();
};
