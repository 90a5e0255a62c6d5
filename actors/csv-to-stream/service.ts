/**
 * Wires an import: the Kinesis bus (packed, gzip-compressed records on the history stream), the state and rejects
 * files, progress, and the summary; turns every outcome into an exit code. `main.ts` adds only the process (argv,
 * env, signals, exit); tests call this directly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { AwsClients } from '../../runtime/aws/clients.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { encodedRecords } from '../../runtime/bus/encoded.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { describeError, isRuntimeError } from '../../runtime/errors.ts';
import type { EventHub } from '../../runtime/events.ts';
import type { Logger } from '../../runtime/log.ts';
import { sleep } from '../../runtime/retry.ts';
import { NypdTicket, nypdTicketKey } from '../protocol/index.ts';
import { createStateStore } from './checkpoint.ts';
import type { CsvToStreamConfig } from './config.ts';
import type { TicketBatch } from './decide.ts';
import { decideInWorker } from './decide-thread.ts';
import { type ImportReport, runImport } from './importer.ts';
import type { InputError } from './inputs.ts';
import { createProgressReporter } from './progress.ts';
import { type ImportSummary, summaryText, toSummary } from './summary.ts';

/** What the import runs with. */
export interface CsvToStreamDeps {
  /** AWS clients; not needed (and not used) in a dry run. */
  readonly clients?: AwsClients;
  readonly log: Logger;
  readonly events: EventHub;
  /** A terminal for the progress bar and the readable summary; without one both are JSON log lines. */
  readonly tty?: { readonly write: (s: string) => unknown; readonly columns?: number };
  /** Aborting stops after the current batch, checkpointed. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

/** The summary (absent when nothing ran) and the process exit code. */
export interface CsvToStreamOutcome {
  readonly summary?: ImportSummary;
  readonly exitCode: number;
}

const isInputError = (e: unknown): e is InputError =>
  typeof e === 'object' && e !== null && (e as { _tag?: unknown })._tag === 'InputError';

/**
 * Runs the import described by `cfg`.
 * @example const { exitCode } = await runCsvToStream(cfg, { clients, log, events, signal });
 */
export const runCsvToStream = async (
  cfg: CsvToStreamConfig,
  deps: CsvToStreamDeps,
): Promise<CsvToStreamOutcome> => {
  const now = deps.now ?? Date.now;
  let bytesSent = 0;
  const counting = deps.events.events$.subscribe((e) => {
    if (e.type === 'bus.published' && e.payload.stream === cfg.historyStream)
      bytesSent += e.payload.bytes;
  });
  if (!cfg.dryRun && deps.clients === undefined)
    throw new Error('AWS clients are needed to publish');
  const bus =
    cfg.dryRun || deps.clients === undefined
      ? undefined
      : createKinesisBus({
          clients: deps.clients,
          leaseTable: cfg.leaseTable,
          events: deps.events,
          target: cfg.target,
          // Records of up to 1 MiB of rows (~1,700, ~120 KB gzipped); 4 MiB of rows in the producer keep memory flat
          // (a larger buffer was not faster: deciding the rows, in the worker thread, is the bottleneck).
          producer: {
            packing: { compression: cfg.compression },
            maxBufferedBytes: 4 * 1024 * 1024,
          },
        });
  // The producer packs shard-wide once it knows the shard map, which it starts loading on a stream's first publish;
  // until then every key gets its own record (a first batch of thousands of rows would go out one row per record).
  // So one ticket goes alone first, and the rest wait for it.
  let warmedUp: Promise<void> | undefined;
  const history = topic(cfg.historyStream, NypdTicket, nypdTicketKey);
  const publish =
    bus &&
    ((tickets: TicketBatch): Promise<void> => {
      let records = encodedRecords(tickets);
      if (warmedUp === undefined) {
        warmedUp = bus.publishEncoded(history, records.slice(0, 1));
        records = records.slice(1);
      }
      return warmedUp.then(() => bus.publishEncoded(history, records));
    });
  const progress = createProgressReporter(deps.tty, (f) => deps.log.info(f, 'progress'), now);
  let report: ImportReport;
  try {
    report = await runImport(
      {
        files: cfg.file,
        restart: cfg.restart,
        fiscalYear: cfg.fiscalYear,
        today: new Date(now()).toISOString().slice(0, 10),
        maxRowsPerSec: cfg.maxRowsPerSec,
        signal: deps.signal,
      },
      {
        publish,
        decide: decideInWorker,
        state: cfg.dryRun ? undefined : createStateStore(cfg.state),
        rejectsPath: cfg.rejects,
        now,
        // Rejects only when aborted, which ends the sleep early: the importer then sees the abort and stops.
        sleep: (ms, signal) => sleep(ms, signal).catch(() => undefined),
        notice: (message) => deps.log.warn(message),
        progress: progress.update,
      },
    );
  } catch (e) {
    progress.end();
    if (isInputError(e)) {
      deps.log.error({ file: e.file, problems: e.problems }, `${e.file} cannot be imported`);
      return { exitCode: e.missing ? 66 : 65 };
    }
    if (isRuntimeError(e)) {
      deps.log.error({ error: describeError(e) }, 'publishing failed: run again to resume');
      return { exitCode: 75 };
    }
    throw e;
  } finally {
    await bus?.close();
    counting.unsubscribe();
  }
  progress.end();
  const summary = toSummary(report, {
    bytesSent,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  });
  if (cfg.summary) {
    mkdirSync(dirname(cfg.summary), { recursive: true });
    writeFileSync(cfg.summary, `${JSON.stringify(summary, null, 2)}\n`);
  }
  if (deps.tty) deps.tty.write(summaryText(summary));
  else deps.log.info({ summary }, 'summary');
  return { summary, exitCode: report.interrupted ? 130 : 0 };
};
