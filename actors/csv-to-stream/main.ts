/**
 * `npm run csv-to-stream -- --file PATH [--file PATH ...] [--dry-run] [--restart] [--summary FILE] [--rejects FILE]`
 * (`--help` for every option): imports NYPD CSV files into the history stream. A batch job, so it has no ops
 * server: it ends with a summary and an exit code. SIGINT/SIGTERM stop it after the current batch, checkpointed;
 * a second signal exits at once (the last checkpoint still holds).
 */
import '../../runtime/node-version.ts';

import { createAwsClients } from '../../runtime/aws/clients.ts';
import { toAwsTarget } from '../../runtime/aws/options.ts';
import { configOrExit } from '../../runtime/config.ts';
import { createEventHub } from '../../runtime/events.ts';
import { createLogger, logEvents } from '../../runtime/log.ts';
import { ACTOR, csvToStreamSpec } from './config.ts';
import { runCsvToStream } from './service.ts';

const cfg = configOrExit(csvToStreamSpec(), process.argv.slice(2), process.env);
const log = createLogger(ACTOR, cfg.logLevel);
const events = createEventHub();
logEvents(events.events$, log);

const stop = new AbortController();
let signalled: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (signalled) process.exit(signal === 'SIGINT' ? 130 : 143);
    signalled = signal;
    log.info({ signal }, 'stopping after the current batch');
    stop.abort();
  });

const clients = cfg.dryRun ? undefined : createAwsClients(toAwsTarget(cfg));
log.info({ files: cfg.file, dryRun: cfg.dryRun, stream: cfg.historyStream }, `${ACTOR} started`);
const { exitCode } = await runCsvToStream(cfg, {
  clients,
  log,
  events,
  tty: process.stderr.isTTY ? process.stderr : undefined,
  signal: stop.signal,
});
clients?.destroy();
log.flush();
process.exit(exitCode === 130 && signalled === 'SIGTERM' ? 143 : exitCode);
