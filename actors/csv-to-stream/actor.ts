/**
 * csv-to-stream, declared (runtime/launcher.ts): NYPD CSV files in, the history stream out. A batch job: it ends on
 * its own (`done`) with an exit code that says how; a signal stops it after the current batch, checkpointed (130
 * for SIGINT, 143 for SIGTERM), and a second one exits at once (the last checkpoint still holds).
 */
import { defineActor } from '../../runtime/launcher.ts';
import type { StopSignal } from '../../runtime/service.ts';
import { ACTOR, csvToStreamOptions } from './config.ts';
import { runCsvToStream } from './service.ts';

/** The import: `launch(csvToStream)`. */
export const csvToStream = defineActor({
  name: ACTOR,
  summary:
    'streams NYPD parking-ticket CSV files (51- or 43-column layouts) into the history stream, resumably',
  epilog: [
    'exit codes: 0 done (rejects are not failures), 65 a file cannot be imported (bad header),',
    '66 a file is missing, 75 the stream failed (run again: it resumes), 78 bad options,',
    '130/143 stopped by SIGINT/SIGTERM after checkpointing (run again: it resumes).',
    '',
    'example: npm run csv-to-stream -- --file fy2017.csv --summary summary.json --rejects rejects.ndjson',
  ].join('\n'),
  options: csvToStreamOptions,
  start: ({ clients, events, log }, cfg) => {
    const abort = new AbortController();
    let stoppedBy: StopSignal | undefined;
    let exitCode = 1;
    log.info({ files: cfg.file, dryRun: cfg.dryRun, stream: cfg.historyStream }, 'importing');
    const run = runCsvToStream(cfg, {
      clients: cfg.dryRun ? undefined : clients,
      log,
      events,
      tty: process.stderr.isTTY ? process.stderr : undefined,
      signal: abort.signal,
    }).then(
      (outcome) => void (exitCode = outcome.exitCode),
      (err: unknown) => log.error({ err }, 'the import failed'),
    );
    return {
      healthy: () => true,
      done: run,
      stop: async (signal) => {
        stoppedBy ??= signal;
        abort.abort();
        await run;
      },
      exitCode: () => (exitCode === 130 && stoppedBy === 'SIGTERM' ? 143 : exitCode),
    };
  },
});
