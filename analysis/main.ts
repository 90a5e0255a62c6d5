/**
 * `npm run analysis -- --out DIR [--nypd FILE ...] [--archive] [--dynamo] [--codes FILE]`: wires the ports
 * (files, the archive cache, the hot tables, DuckDB in a temporary folder), runs the analysis, writes the report
 * and prints where it is.
 */
import '../runtime/node-version.ts';

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { loadViolationCodes } from '../actors/protocol/index.ts';
import { createAwsClients } from '../runtime/aws/clients.ts';
import { toAwsTarget } from '../runtime/aws/options.ts';
import { E } from '../runtime/codec.ts';
import { configOrExit } from '../runtime/config.ts';
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
if (nypdFiles.length === 0 && !cfg.archive && !cfg.dynamo)
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
const clients = cfg.archive || cfg.dynamo ? createAwsClients(toAwsTarget(cfg)) : undefined;
const engine = await createEngine({ workDir, threads: cfg.threads, memoryLimit: cfg.memoryLimit });
const started = Date.now();
try {
  const { files } = await runAnalysis(
    {
      nypdFiles,
      codes,
      humanCodes: cfg.humanCodes,
      today: new Date().toISOString().slice(0, 10),
      top: cfg.top,
    },
    {
      engine,
      progress,
      ...(cfg.archive && clients
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
      : say(1, [err instanceof Error ? err.message : String(err)]);
} finally {
  engine.close();
  clients?.destroy();
  rmSync(workDir, { recursive: true, force: true });
}
