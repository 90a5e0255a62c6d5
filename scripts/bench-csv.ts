/**
 * The csv-to-stream benchmark (`npm run bench -- csv [--rows N | --big] [--file CSV] [--runner npm|tsx] [--keep]
 * [--compression gzip:3,zstd:3,...]`):
 * a generated NYPD file (1,000,000 rows by default, `--big` for 10,000,000 ≈ 2 GB; 43 columns, 1 % real dirt; or an
 * existing `--file`) imported end to end by the real command, `npm run csv-to-stream` (a child process), into a
 * 2-shard stream of a local stack, against csv-parse alone reading the same file in the same run (before and after,
 * averaged: the machine is noisy). Reports the ratio (goal ≥ 0.5), the bytes per row sent to the stream (goal ≤ 100)
 * and peak RSS (goal ≤ 150 MB) of the worker, the node process that does the import (`dist/csv-to-stream/main.mjs`,
 * its own maxRSS), with its RSS sampled every 250 ms (a peak in the second half above the first shows growth), and
 * of the whole process tree (npm and sh wait beside it). `--runner tsx` runs `node --import tsx main.ts` directly
 * instead, without the memory flags: how it ran before the bundle. `--compression` imports the file once per
 * compression listed (`--compression` of csv-to-stream, each into its own stream of the same stack; default: one
 * run with the importer's default), then compares them: rate and ratio, bytes per row, the importer's and the
 * emulators' CPU, peak RSS, with CPU as a ratio to the first one listed.
 */
import { spawn } from 'node:child_process';
import {
  createReadStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Parser } from 'csv-parse';

import type { ImportSummary } from '../actors/csv-to-stream/summary.ts';
import { createAwsClients } from '../runtime/aws/clients.ts';
import { localStackEnv } from '../runtime/aws/options.ts';
import { createStream } from '../runtime/aws/provision.ts';
import { parseCompression, showCompression } from '../runtime/bus/kinesis-packing.ts';
import { startLocalStack } from '../runtime/local-stack/index.ts';
import { cpuSeconds } from './measure.ts';
import { generateNypd } from './nypd-generator.ts';

const REPO = join(import.meta.dirname, '..');
const MAIN = join(REPO, 'actors', 'csv-to-stream', 'main.ts');
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

/** RSS over time, in MB: of the worker (the process running main), and of its whole process tree. */
interface RssTrace {
  readonly samples: Array<{
    readonly s: number;
    readonly workerMB: number;
    readonly treeMB: number;
  }>;
  /** The worker's high-water mark (VmHWM) at its last sample. */
  workerHwmMB: number;
  /** The worker's CPU seconds (user + system, every thread) at its last sample. */
  workerCpuSeconds: number;
}

const statusMB = (status: string, field: string): number | undefined => {
  const kB = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kB === undefined ? undefined : Number(kB) / 1024;
};

const readOr = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process is gone
  }
};

/** `pid` and its descendants. */
const processTree = (pid: number): number[] => [
  pid,
  ...(readOr(`/proc/${pid}/task/${pid}/children`) ?? '')
    .split(' ')
    .filter((c) => c !== '')
    .flatMap((c) => processTree(Number(c))),
];

/**
 * Samples `/proc` every `ms` while the worker runs (the process with an argument ending in `marker`: not the
 * `sh -c` around it): its RSS, and that of every process under `root`.
 */
const traceRss = (root: number, marker: string, ms: number) => {
  const started = performance.now();
  const trace: RssTrace = { samples: [], workerHwmMB: 0, workerCpuSeconds: 0 };
  const sample = () => {
    let treeMB = 0;
    let workerMB: number | undefined;
    for (const pid of processTree(root)) {
      const status = readOr(`/proc/${pid}/status`);
      const rss = status === undefined ? undefined : statusMB(status, 'VmRSS');
      if (status === undefined || rss === undefined) continue;
      treeMB += rss;
      const argv = readOr(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
      if (argv.some((a) => a.endsWith(marker))) {
        workerMB = rss;
        trace.workerHwmMB = Math.max(trace.workerHwmMB, statusMB(status, 'VmHWM') ?? 0);
        trace.workerCpuSeconds = Math.max(trace.workerCpuSeconds, cpuSeconds(pid));
      }
    }
    if (workerMB !== undefined)
      trace.samples.push({ s: (performance.now() - started) / 1e3, workerMB, treeMB });
  };
  const timer = setInterval(sample, ms);
  return { trace, stop: () => clearInterval(timer) };
};

/** Runs the real command and returns its summary and its RSS over time. */
const importEndToEnd = (
  runner: 'npm' | 'tsx',
  args: string[],
  env: Record<string, string>,
): Promise<{ summary: ImportSummary; rss: RssTrace }> =>
  new Promise((resolve, reject) => {
    // `npm run csv-to-stream` bundles, then runs the bundle under plain node with its memory flags (package.json).
    const [command, argv, marker] =
      runner === 'npm'
        ? [
            'npm',
            ['run', '--silent', 'csv-to-stream', '--', ...args],
            'dist/csv-to-stream/main.mjs',
          ]
        : [process.execPath, ['--import', 'tsx', MAIN, ...args], MAIN];
    const child = spawn(command, argv, {
      cwd: REPO,
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('error', reject);
    const tracing = traceRss(child.pid!, marker, 250);
    child.once('exit', (code) => {
      tracing.stop();
      const summaryFile = args[args.indexOf('--summary') + 1]!;
      if (code !== 0) reject(new Error(`csv-to-stream exited ${code}`));
      else
        resolve({
          summary: JSON.parse(readFileSync(summaryFile, 'utf8')) as ImportSummary,
          rss: tracing.trace,
        });
    });
  });

/** Peak of the samples taken in `[from, to)` of the run (fractions of its length). */
const peakBetween = (
  trace: RssTrace,
  from: number,
  to: number,
  of: 'workerMB' | 'treeMB',
): number => {
  const end = trace.samples.at(-1)?.s ?? 0;
  return Math.max(
    0,
    ...trace.samples.filter((x) => x.s >= from * end && x.s < to * end).map((x) => x[of]),
  );
};

/** One import of the file: its compression, its summary and RSS trace, the emulators' CPU during it. */
interface ImportRun {
  readonly compression: string | undefined;
  readonly summary: ImportSummary;
  readonly rss: RssTrace;
  readonly emulatorCpu: ReadonlyArray<{ readonly name: string; readonly seconds: number }>;
}

/** Runs the benchmark and prints the table. */
export const bench = async (args: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rows: { type: 'string' },
      big: { type: 'boolean' },
      file: { type: 'string' },
      runner: { type: 'string', default: 'npm' },
      keep: { type: 'boolean' },
      compression: { type: 'string' },
    },
    strict: true,
  });
  const runner = values.runner;
  if (runner !== 'npm' && runner !== 'tsx') throw new Error('--runner is npm or tsx');
  // Checked here, so a typo fails before the file is generated; passed on as written (csv-to-stream reads it too).
  const compressions = values.compression?.split(',').map((c) => {
    const parsed = parseCompression(c);
    if (typeof parsed === 'string') throw new Error(`--compression: ${parsed}`);
    return showCompression(parsed);
  }) ?? [undefined];
  const rows = values.big ? 10_000_000 : Number(values.rows ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'prestacop-bench-csv-'));
  const file = values.file ?? join(dir, 'fy2017-generated.csv');
  try {
    let t = performance.now();
    if (values.file === undefined) {
      const generated = await generateNypd({ rows, out: file, layout: 43, dirty: 0.01, seed: 1 });
      console.log(
        `csv benchmark: ${fmt(rows)} rows, ${(statSync(file).size / 1e6).toFixed(0)} MB (generated in ` +
          `${((performance.now() - t) / 1e3).toFixed(1)} s, ${fmt(generated.dirt.wrapped)} whole-line-quoted rows to reject)`,
      );
    } else console.log(`csv benchmark: ${file}, ${(statSync(file).size / 1e6).toFixed(0)} MB`);
    const parseBefore = await parseOnly(file);
    t = performance.now();
    const stack = await startLocalStack({
      dataDir: join(dir, 'stack'),
      ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
    });
    const clients = createAwsClients(stack.target);
    const runs: ImportRun[] = [];
    const emulators = Object.keys(stack.logs).map((name, i) => ({ name, pid: stack.pids[i]! }));
    try {
      console.log(`local stack up in ${((performance.now() - t) / 1e3).toFixed(1)} s`);
      for (const [i, compression] of compressions.entries()) {
        const stream = `bench-history-${Date.now().toString(36)}-${i}`;
        await createStream(clients, stream, 2);
        console.log(`importing${compression === undefined ? '' : ` with ${compression}`}...`);
        const before = emulators.map((e) => cpuSeconds(e.pid));
        const run = await importEndToEnd(
          runner,
          [
            ...['--file', file, '--history-stream', stream],
            ...['--summary', join(dir, `summary-${i}.json`)],
            ...['--rejects', join(dir, `rejects-${i}.ndjson`)],
            ...['--state', join(dir, `state-${i}.json`)],
            ...(compression === undefined ? [] : ['--compression', compression]),
          ],
          localStackEnv(stack.endpoints),
        );
        runs.push({
          compression,
          ...run,
          emulatorCpu: emulators.map((e, j) => ({
            name: e.name,
            seconds: cpuSeconds(e.pid) - before[j]!,
          })),
        });
      }
    } finally {
      clients.destroy();
      await stack.stop();
    }
    const parseAfter = await parseOnly(file);
    const parse = (parseBefore + parseAfter) / 2;
    for (const [i, run] of runs.entries()) {
      if (values.keep) writeFileSync(join(dir, `rss-${i}.json`), `${JSON.stringify(run.rss)}\n`);
      printRun(run, { parseBefore, parseAfter, parse, runner, rows, file: values.file });
    }
    if (runs.length > 1) printComparison(runs, parse);
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
};

const ok = (pass: boolean) => (pass ? 'goal met' : 'goal NOT met');
const emulatorSeconds = (run: ImportRun) => run.emulatorCpu.reduce((n, e) => n + e.seconds, 0);

/** The table of one import, against csv-parse alone. */
const printRun = (
  { compression, summary, rss, emulatorCpu }: ImportRun,
  o: {
    readonly parseBefore: number;
    readonly parseAfter: number;
    readonly parse: number;
    readonly runner: 'npm' | 'tsx';
    readonly rows: number;
    readonly file: string | undefined;
  },
): void => {
  const { parseBefore, parseAfter, parse, runner } = o;
  const e2e = summary.rowsRead / summary.seconds;
  const check = (pass: boolean) => (pass ? 'ok' : 'WRONG');
  const table: Array<[string, string, string]> = [
    ['csv-parse only (before / after)', `${fmt(parseBefore)} / ${fmt(parseAfter)} rows/s`, ''],
    ['end to end into the stream', `${fmt(e2e)} rows/s in ${summary.seconds} s`, ''],
    ['ratio (goal >= 0.5)', (e2e / parse).toFixed(2), ok(e2e / parse >= 0.5)],
    ['bytes per row sent (goal <= 100)', `${summary.bytesPerRow ?? '-'}`, ok((summary.bytesPerRow ?? Infinity) <= 100)],
    ['peak RSS of the worker (goal <= 150 MB)', `${summary.peakRssMB} MB`, ok(summary.peakRssMB <= 150)],
    ['  sampled every 250 ms: peak in 1st / 2nd half', `${peakBetween(rss, 0, 0.5, 'workerMB').toFixed(1)} / ${peakBetween(rss, 0.5, 1.01, 'workerMB').toFixed(1)} MB`, ''],
    [runner === 'npm' ? '  whole process tree (npm, sh, worker): peak' : '  whole process tree: peak', `${peakBetween(rss, 0, 1.01, 'treeMB').toFixed(1)} MB`, ''],
    ['rows read = accepted + rejected', `${fmt(summary.rowsRead)} = ${fmt(summary.accepted)} + ${fmt(summary.rejected)}`, check(summary.rowsRead === summary.accepted + summary.rejected && (o.file !== undefined || summary.rowsRead === o.rows))],
    ['published = accepted', fmt(summary.published), check(summary.published === summary.accepted)],
  ]; // prettier-ignore
  const w = Math.max(...table.map((r) => r[0].length));
  const v = Math.max(...table.map((r) => r[1].length));
  console.log(`\ncompression: ${compression ?? "the importer's default"}`);
  for (const [k, val, mark] of table) console.log(`${k.padEnd(w)}  ${val.padStart(v)}  ${mark}`);
  console.log(
    `\nrejects by reason: ${JSON.stringify(summary.rejectsByReason)}; ${fmt(summary.bytesSent)} bytes sent.` +
      `\nworker: ${runner === 'npm' ? 'npm run csv-to-stream, i.e. node dist/csv-to-stream/main.mjs (the bundle)' : 'node --import tsx actors/csv-to-stream/main.ts'}; ` +
      `its peak RSS is its own maxRSS (VmHWM ${rss.workerHwmMB.toFixed(1)} MB; ${rss.samples.length} samples).` +
      `\nCPU during the import (seconds): importer ${rss.workerCpuSeconds.toFixed(1)} (its threads: main, parse, compression), ` +
      emulatorCpu.map((e) => `${e.name} ${e.seconds.toFixed(1)}`).join(', ') +
      `; wall ${summary.seconds} s on ${cpus().length} cores.` +
      `\nratio = end-to-end rows/s (the command's own clock, start-up excluded) / csv-parse alone, same file, same run.` +
      `\nload average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (cores are shared: compare ratios, not rates).`,
  );
};

/** One line per compression: what each costs and saves, CPU as a ratio to the first. */
const printComparison = (runs: ReadonlyArray<ImportRun>, parse: number): void => {
  const first = runs[0]!;
  const head = [
    'compression',
    'rows/s',
    'ratio',
    'B/row',
    'importer CPU s',
    'ratio',
    'emulators CPU s',
    'ratio',
    'peak RSS MB',
  ];
  const rows = runs.map((r) => {
    const e2e = r.summary.rowsRead / r.summary.seconds;
    return [
      r.compression ?? 'default',
      fmt(e2e),
      (e2e / parse).toFixed(2),
      `${r.summary.bytesPerRow ?? '-'}`,
      r.rss.workerCpuSeconds.toFixed(1),
      (r.rss.workerCpuSeconds / first.rss.workerCpuSeconds).toFixed(2),
      emulatorSeconds(r).toFixed(1),
      (emulatorSeconds(r) / emulatorSeconds(first)).toFixed(2),
      `${r.summary.peakRssMB}`,
    ];
  }); // prettier-ignore
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\ncompressions compared (same file, same stack, one after the other):`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(
    `ratio: rows/s over csv-parse alone (goal >= 0.5); CPU ratios over ${first.compression ?? 'the first'}'s.` +
      ` B/row: bytes sent to the stream per row read.`,
  );
};
