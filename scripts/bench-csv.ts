/**
 * The csv-to-stream benchmark (`npm run bench -- csv [--rows N | --big] [--keep]`): a generated NYPD file
 * (1,000,000 rows by default, `--big` for 10,000,000 ≈ 2 GB; 43 columns, 1 % real dirt) imported end to end by the
 * real command (a child process) into a 2-shard stream of a local stack, against csv-parse alone reading the same
 * file in the same run (before and after, averaged: the machine is noisy). Reports the ratio (goal ≥ 0.5), the
 * bytes per row sent to the stream (goal ≤ 100) and the command's peak RSS (goal ≤ 150 MB).
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Parser } from 'csv-parse';

import type { ImportSummary } from '../actors/csv-to-stream/summary.ts';
import { createAwsClients } from '../runtime/aws/clients.ts';
import { localStackEnv } from '../runtime/aws/options.ts';
import { createStream } from '../runtime/aws/provision.ts';
import { startLocalStack } from '../runtime/local-stack/index.ts';
import { generateNypd } from './nypd-generator.ts';

const MAIN = join(import.meta.dirname, '..', 'actors', 'csv-to-stream', 'main.ts');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** csv-parse alone, no work per row: rows per second. */
const parseOnly = async (file: string): Promise<number> => {
  const started = performance.now();
  let rows = -1; // the header
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({ relax_column_count: true });
    parser
      .on('data', () => rows++)
      .on('end', resolve)
      .on('error', reject);
    createReadStream(file).on('error', reject).pipe(parser);
  });
  return (rows / (performance.now() - started)) * 1_000;
};

/** Runs the real command and returns its summary. */
const importEndToEnd = (args: string[], env: Record<string, string>): Promise<ImportSummary> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const summaryFile = args[args.indexOf('--summary') + 1]!;
      if (code !== 0) reject(new Error(`csv-to-stream exited ${code}`));
      else resolve(JSON.parse(readFileSync(summaryFile, 'utf8')) as ImportSummary);
    });
  });

/** Runs the benchmark and prints the table. */
export const bench = async (args: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...args],
    options: { rows: { type: 'string' }, big: { type: 'boolean' }, keep: { type: 'boolean' } },
    strict: true,
  });
  const rows = values.big ? 10_000_000 : Number(values.rows ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'prestacop-bench-csv-'));
  const file = join(dir, 'fy2017-generated.csv');
  try {
    let t = performance.now();
    const generated = await generateNypd({ rows, out: file, layout: 43, dirty: 0.01, seed: 1 });
    const mb = statSync(file).size / 1e6;
    console.log(
      `csv benchmark: ${fmt(rows)} rows, ${mb.toFixed(0)} MB (generated in ${((performance.now() - t) / 1e3).toFixed(1)} s, ` +
        `${fmt(generated.dirt.wrapped)} whole-line-quoted rows to reject)`,
    );
    const parseBefore = await parseOnly(file);
    t = performance.now();
    const stack = await startLocalStack({
      dataDir: join(dir, 'stack'),
      ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
    });
    const clients = createAwsClients(stack.target);
    let summary: ImportSummary;
    try {
      const stream = `bench-history-${Date.now().toString(36)}`;
      await createStream(clients, stream, 2);
      console.log(
        `local stack up in ${((performance.now() - t) / 1e3).toFixed(1)} s; importing...`,
      );
      summary = await importEndToEnd(
        [
          ...['--file', file, '--history-stream', stream],
          ...['--summary', join(dir, 'summary.json'), '--rejects', join(dir, 'rejects.ndjson')],
          ...['--state', join(dir, 'state.json')],
        ],
        localStackEnv(stack.endpoints),
      );
    } finally {
      clients.destroy();
      await stack.stop();
    }
    const parseAfter = await parseOnly(file);
    const parse = (parseBefore + parseAfter) / 2;
    const e2e = summary.rowsRead / summary.seconds;
    const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
    const table: Array<[string, string, string]> = [
      ['csv-parse only (before / after)', `${fmt(parseBefore)} / ${fmt(parseAfter)} rows/s`, ''],
      ['end to end into the stream', `${fmt(e2e)} rows/s in ${summary.seconds} s`, ''],
      ['ratio (goal >= 0.5)', (e2e / parse).toFixed(2), ok(e2e / parse >= 0.5)],
      ['bytes per row sent (goal <= 100)', `${summary.bytesPerRow ?? '-'}`, ok((summary.bytesPerRow ?? Infinity) <= 100)],
      ['peak RSS of the command (goal <= 150 MB)', `${summary.peakRssMB} MB`, ok(summary.peakRssMB <= 150)],
      ['rows read = accepted + rejected', `${fmt(summary.rowsRead)} = ${fmt(summary.accepted)} + ${fmt(summary.rejected)}`, ok(summary.rowsRead === summary.accepted + summary.rejected && summary.rowsRead === rows)],
      ['published = accepted', fmt(summary.published), ok(summary.published === summary.accepted)],
    ]; // prettier-ignore
    const w = Math.max(...table.map((r) => r[0].length));
    const v = Math.max(...table.map((r) => r[1].length));
    console.log('');
    for (const [k, val, mark] of table) console.log(`${k.padEnd(w)}  ${val.padStart(v)}  ${mark}`);
    console.log(
      `\nrejects by reason: ${JSON.stringify(summary.rejectsByReason)}; ${fmt(summary.bytesSent)} bytes sent.` +
        `\nratio = end-to-end rows/s (the command's own clock, start-up excluded) / csv-parse alone, same file, same run.` +
        `\nload average at the end: ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} (cores are shared: compare ratios, not rates).`,
    );
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
};
