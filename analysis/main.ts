/**
 * `npm run analysis -- --out DIR [--nypd FILE ...] [--archive] [--dynamo] [--codes FILE]`: wires the ports
 * (files, the archive cache, the hot tables, DuckDB in a temporary folder), runs the analysis, writes the report
 * and prints where it is. With `--engine athena` the statistics run on Athena over the archive instead
 * (athena/command.ts); `--check` runs both and prints where they differ.
 */
import '../runtime/node-version.ts';

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { AthenaClient } from '@aws-sdk/client-athena';

import { loadViolationCodes } from '../actors/protocol/index.ts';
import { createAwsClients } from '../runtime/aws/clients.ts';
import { toAwsTarget } from '../runtime/aws/options.ts';
import { E } from '../runtime/codec.ts';
import { configOrExit } from '../runtime/config.ts';
import { staleMarkers } from './archive/listing.ts';
import { COMPACTED_TYPES } from './archive/schema.ts';
import { athenaSettings, runOnAthena, StaleMarkersError } from './athena/command.ts';
import { AthenaQueryError } from './athena/runner.ts';
import { analysisSpec, COMMAND } from './config.ts';
import { createEngine } from './engine/duckdb.ts';
import { createArchiveCache } from './load/archive-cache.ts';
import { tallyDeadLetters } from './load/dead-letters.ts';
import { tableItems } from './load/records.ts';
import { NypdFileError, runAnalysis } from './run.ts';

const cfg = configOrExit(analysisSpec(), process.argv.slice(2), process.env);
const say = (code: number, lines: ReadonlyArray<string>): number => {
  process.stderr.write(`${COMMAND}: ${lines.join('\n  ')}\n`);
  return code;
};
const nypdFiles = cfg.nypd ?? [];
const athena = cfg.engine === 'athena' ? athenaSettings(cfg) : undefined;
if (athena !== undefined && E.isLeft(athena)) process.exit(say(78, athena.left));
if (athena === undefined && nypdFiles.length === 0 && !cfg.archive && !cfg.dynamo)
  process.exit(say(66, ['nothing to read: give --nypd FILE, --archive or --dynamo (see --help)']));
const loaded = loadViolationCodes(cfg.codes);
if (E.isLeft(loaded)) process.exit(say(78, loaded.left.issues));
const codes = loaded.right;

/** Progress on a terminal: one line rewritten in place; elsewhere, one line every 5 s at most. */
const progress = (() => {
  let last = 0;
  return (line: string) => {
    const now = Date.now();
    if (process.stderr.isTTY)
      process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 80) - 1)}`);
    else if (now - last >= 5_000) process.stderr.write(`${line}\n`);
    else return;
    last = now;
  };
})();

const workDir = mkdtempSync(join(tmpdir(), 'prestacop-analysis-'));
// --engine athena --check reads the same archive on DuckDB.
const archive = cfg.archive || cfg.check;
// Athena: the archive's listing, to check the compaction markers before any query.
const clients =
  archive || cfg.dynamo || athena !== undefined ? createAwsClients(toAwsTarget(cfg)) : undefined;
const engine = await createEngine({ workDir, threads: cfg.threads, memoryLimit: cfg.memoryLimit });
const started = Date.now();
const today = new Date().toISOString().slice(0, 10);
// Ctrl-C: stop the running Athena query (the runner calls StopQueryExecution), then exit.
const interrupted = new AbortController();
if (athena !== undefined) process.once('SIGINT', () => interrupted.abort());

/** The report on DuckDB, over the ports the options name. */
const onDuckdb = async (): Promise<ReadonlyMap<string, string>> => {
  const { files } = await runAnalysis(
    {
      nypdFiles,
      codes,
      humanCodes: cfg.humanCodes,
      today,
      top: cfg.top,
    },
    {
      engine,
      progress,
      ...(archive && clients
        ? {
            archive: createArchiveCache(clients.s3, { bucket: cfg.bucket }, cfg.cache),
            deadLetters: () => tallyDeadLetters(clients.s3, cfg.bucket),
          }
        : {}),
      ...(cfg.dynamo && clients
        ? {
            hotTables: {
              messages: () => tableItems(clients.doc, cfg.messagesTable),
              alarms: () => tableItems(clients.doc, cfg.alarmsTable),
              decisions: () => tableItems(clients.doc, cfg.alarmEventsTable),
            },
          }
        : {}),
    },
  );
  return files;
};

try {
  let files: ReadonlyMap<string, string>;
  if (athena !== undefined && E.isRight(athena)) {
    const athenaClient = new AthenaClient({ region: cfg.region });
    try {
      const run = await runOnAthena(athenaClient, athena.right, {
        codes,
        humanCodes: cfg.humanCodes,
        top: cfg.top,
        today,
        progress,
        signal: interrupted.signal,
        ...(cfg.check ? { duckdb: onDuckdb } : {}),
        ...(clients
          ? {
              staleMarkers: () => staleMarkers(clients.s3, cfg.bucket, [...COMPACTED_TYPES.keys()]),
            }
          : {}),
        allowStaleMarkers: cfg.allowStaleMarkers,
      });
      files = run.files;
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
      process.stderr.write(`${run.bill.map((l) => `${COMMAND}: ${l}`).join('\n')}\n`);
      if (run.differences !== undefined) {
        process.stdout.write(
          run.differences.length === 0
            ? 'check: the DuckDB and Athena reports are the same\n'
            : `check: ${run.differences.length} differences\n${run.differences.join('\n')}\n`,
        );
        if (run.differences.length > 0) process.exitCode = 1;
      }
    } finally {
      athenaClient.destroy();
    }
  } else files = await onDuckdb();
  mkdirSync(cfg.out, { recursive: true });
  for (const [name, content] of files) writeFileSync(join(cfg.out, name), content);
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
  process.stderr.write(
    `${COMMAND}: ${files.size - 1} CSV files in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  process.stdout.write(`report: ${resolve(cfg.out, 'index.html')}\n`);
} catch (err) {
  if (process.stderr.isTTY) process.stderr.write('\n');
  process.exitCode =
    err instanceof NypdFileError
      ? say(65, [err.message])
      : err instanceof AthenaQueryError && err.kind === 'cancelled'
        ? say(130, [err.message])
        : err instanceof StaleMarkersError
          ? say(75, [err.message])
          : say(1, [err instanceof Error ? err.message : String(err)]);
} finally {
  engine.close();
  clients?.destroy();
  rmSync(workDir, { recursive: true, force: true });
}
