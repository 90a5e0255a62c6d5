/**
 * The frame every service's `main.ts` shares: logger, event hub, metrics, ops server (`/healthz`, `/metrics`),
 * AWS clients for the configured target, and a graceful stop on SIGINT/SIGTERM (flush, then checkpoint, then
 * exit). A service only says how to start its actors.
 */
import { type AwsClients, createAwsClients } from './aws/clients.ts';
import { type AwsOptions, type OpsOptions, toAwsTarget } from './aws/options.ts';
import { createEventHub, type EventHub } from './events.ts';
import { createLogger, logEvents, type Logger } from './log.ts';
import { instrument, MetricsRegistry } from './metrics.ts';
import { startOpsServer } from './ops-server.ts';

export interface ServiceContext {
  readonly clients: AwsClients;
  readonly events: EventHub;
  readonly metrics: MetricsRegistry;
  readonly log: Logger;
}

export interface RunningService {
  readonly healthy: () => boolean;
  /**
   * Stops taking input, finishes in-flight work, flushes and checkpoints; `signal` is the one that asked for it
   * (absent: the service ended on its own, or its caller stops it), for an exit code that says which.
   */
  readonly stop: (signal?: StopSignal) => Promise<void>;
  /** Settles when the service ends on its own (e.g. a finite simulation); omit for services that run until stopped. */
  readonly done?: Promise<void>;
  /** The exit code once stopped (default 0): non-zero when the run lost something it must not hide. */
  readonly exitCode?: () => number;
  /**
   * How many inputs it has dead-lettered so far, for a caller's status line and summary (the swarm's
   * `dead letters N`); omit for a service that dead-letters nothing.
   */
  readonly deadLetters?: () => number;
}

/**
 * A signal this close after the first is the same Ctrl-C delivered twice, not a second one: the terminal signals
 * the whole foreground group and `npm run` forwards its own copy to the script it runs, milliseconds apart.
 */
const SAME_SIGNAL_MS = 1_000;

export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * Listens for SIGINT and SIGTERM for the rest of the process' life (without a listener a signal kills it
 * unstopped): `first` on the first, `again` on one that comes later while stopping (a second Ctrl-C: "now"); the
 * same Ctrl-C delivered twice is taken once. `stopping()` says the process began stopping without a signal, so the
 * next signal is `again`.
 *
 * @example
 * onStopSignals(() => void service.stop(), (signal) => process.exit(signal === 'SIGINT' ? 130 : 143));
 */
export const onStopSignals = (
  first: (signal: StopSignal) => void,
  again: (signal: StopSignal) => void,
): { readonly stopping: () => void } => {
  let firstAt: number | undefined;
  const on = (signal: StopSignal) => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      first(signal);
    } else if (Date.now() - firstAt >= SAME_SIGNAL_MS) again(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return { stopping: () => void (firstAt ??= Date.now()) };
};

/**
 * Runs a service until SIGINT/SIGTERM (or its own end), then stops it gracefully and exits.
 * @example await runService('stream-to-storage', cfg, (ctx) => startStorageWriter({ ... }));
 */
export const runService = async (
  name: string,
  cfg: AwsOptions & OpsOptions,
  start: (ctx: ServiceContext) => Promise<RunningService> | RunningService,
): Promise<never> => {
  const log = createLogger(name, cfg.logLevel);
  const events = createEventHub();
  const metrics = new MetricsRegistry();
  instrument(events.events$, metrics);
  logEvents(events.events$, log);
  const clients = createAwsClients(toAwsTarget(cfg));
  let service: RunningService;
  try {
    service = await start({ clients, events, metrics, log });
  } catch (e) {
    log.error({ err: e }, `${name} failed to start`);
    process.exit(1);
  }
  const ops = await startOpsServer({
    host: cfg.opsHost,
    port: cfg.opsPort,
    metrics,
    health: () => ({ healthy: service.healthy(), details: { service: name } }),
  });
  // Listening before "started" is said: a signal right after it stops the service too.
  const ending = new Promise<StopSignal | 'finished'>((resolve) => {
    const signals = onStopSignals(resolve, (signal) => {
      process.exit(signal === 'SIGINT' ? 130 : 143); // a second signal while draining means "now"
    });
    void service.done?.then(() => {
      signals.stopping();
      resolve('finished');
    });
  });
  log.info({ ops: ops.url, target: cfg.target, region: cfg.region }, `${name} started`);
  const ended = await ending;
  log.info({ reason: ended }, `${name} stopping`);
  await service.stop(ended === 'finished' ? undefined : ended);
  await ops.close();
  clients.destroy();
  const code = service.exitCode?.() ?? 0;
  log.info({ exitCode: code }, `${name} stopped`);
  log.flush();
  process.exit(code);
};
