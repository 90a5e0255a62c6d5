/**
 * `npm run bench -- analysis [--rows 10000000] [--file FILE] [--csv-parse]`: the whole analysis report on a
 * generated NYPD file (`npm run gen:nypd`, 1 % dirty rows; kept in the temp folder and reused for the same size)
 * against pandas (Debian's python3-pandas via /usr/bin/python3, installed here with apt-get if missing) computing
 * the same core statistics with `usecols`, in the same run: wall time and peak RSS of each process, and whether
 * their counts per violation code agree. `--csv-parse` also times csv-parse alone on the file, the ceiling of
 * streaming rows through csv-to-stream's normaliser (the alternative to DuckDB's reader).
 *
 * Goals (issue 7): the report ≥ 2× faster than pandas with no more peak memory, ≤ 60 s and ≤ 1 GB at 10 M rows.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const PYTHON = '/usr/bin/python3';
const here = import.meta.dirname;
const root = join(here, '..');

/**
 * Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of a command, from GNU time. CPU time says what
 * the wall time would be on an idle machine when the bench shares its cores with other work.
 */
interface Measured {
  readonly seconds: number;
  readonly cpu: number;
  readonly peakMiB: number;
}

const timed = (command: string, args: ReadonlyArray<string>): Measured => {
  const res = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', command, ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(res.stderr);
  if (res.status !== 0 || m === null)
    throw new Error(`${command} ${args.join(' ')} failed:\n${res.stderr.slice(-2000)}`);
  return { seconds: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), peakMiB: Number(m[4]) / 1024 };
};

/** pandas from Debian, installed on first use (`apt-get update` once, then the package). */
const ensurePandas = (): string => {
  const version = () =>
    spawnSync(PYTHON, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' });
  let v = version();
  if (v.status !== 0) {
    console.log('installing python3-pandas with apt-get (once) ...');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'python3-pandas'], { stdio: 'inherit' });
    v = version();
  }
  if (v.status !== 0) throw new Error(`pandas unavailable: ${v.stderr}`);
  return v.stdout.trim();
};

/** The generated file for `rows`, reused when it is already there. */
const nypdFile = (rows: number): string => {
  const file = join(tmpdir(), `prestacop-bench-nypd-${rows}.csv`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  console.log(`generating ${rows.toLocaleString('en-US')} rows with npm run gen:nypd ...`);
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/gen-nypd.ts',
      '--rows',
      String(rows),
      '--out',
      file,
      '--dirty',
      '0.01',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return file;
};

/** Counts per violation code in the report's CSV. */
const reportCodes = (out: string): Record<string, number> => {
  const lines = readFileSync(join(out, 'violations_by_code.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  const codes: Record<string, number> = {};
  for (const line of lines) {
    const code = line.slice(0, line.indexOf(','));
    const tickets = /,(\d+),\d+,\d+,[\d.]+,/.exec(line)?.[1];
    if (code !== '' && tickets !== undefined) codes[code] = Number(tickets);
  }
  return codes;
};

const sameCounts = (a: Record<string, number>, b: Record<string, number>): boolean =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(([k, v]) => b[k] === v);

/** Runs the bench (synchronously: each engine runs alone, so neither is measured under the other's load). */
export const bench = (args: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rows: { type: 'string', default: '1000000' },
      file: { type: 'string' },
      'csv-parse': { type: 'boolean', default: false },
    },
  });
  const pandasVersion = ensurePandas();
  const file = values.file ?? nypdFile(Number(values.rows));
  const mb = statSync(file).size / 1e6;
  const work = mkdtempSync(join(tmpdir(), 'bench-analysis-'));
  try {
    console.log(`file: ${file} (${mb.toFixed(0)} MB); pandas ${pandasVersion}`);
    const ours = timed(process.execPath, [
      '--import',
      'tsx',
      'analysis/main.ts',
      '--out',
      join(work, 'report'),
      '--nypd',
      file,
    ]);
    const pandasOut = join(work, 'pandas.json');
    const pandas = timed(PYTHON, [
      join(here, 'bench-analysis', 'pandas_report.py'),
      file,
      pandasOut,
    ]);
    const p = JSON.parse(readFileSync(pandasOut, 'utf8')) as {
      rows: number;
      byCode: Record<string, number>;
    };
    const rows = p.rows;
    const cell = (x: string, width: number) => x.padStart(width);
    const row = (name: string, m: Measured) =>
      [
        name.padEnd(34),
        cell(`${m.seconds.toFixed(1)} s`, 9),
        cell(`${m.cpu.toFixed(1)} s`, 9),
        cell(`${m.peakMiB.toFixed(0)} MiB`, 10),
        cell(Math.round(rows / m.seconds).toLocaleString('en-US'), 12),
      ].join(' ');
    console.log(
      `\n${'engine'.padEnd(34)} ${cell('wall', 9)} ${cell('CPU', 9)} ${cell('peak RSS', 10)} ${cell('tickets/s', 12)}`,
    );
    console.log(row('analysis report (DuckDB)', ours));
    console.log(row('pandas usecols, same statistics', pandas));
    if (values['csv-parse']) {
      const parseOnly = timed(process.execPath, [
        '--import',
        'tsx',
        join(here, 'bench-analysis', 'csv-parse-only.ts'),
        file,
      ]);
      console.log(row('csv-parse only (normaliser path)', parseOnly));
    }
    const speedup = pandas.seconds / ours.seconds;
    console.log(
      `\nspeed-up over pandas: ${speedup.toFixed(2)}× (goal ≥ 2); memory: ${ours.peakMiB.toFixed(0)} vs ${pandas.peakMiB.toFixed(0)} MiB (goal: no more)`,
    );
    console.log(
      `whole report: ${ours.seconds.toFixed(1)} s, ${ours.peakMiB.toFixed(0)} MiB (goals ≤ 60 s, ≤ 1024 MiB at 10 M rows);` +
        ` load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores: CPU / ${cpus().length} is the idle-machine floor`,
    );
    console.log(
      `counts per violation code agree with pandas: ${sameCounts(reportCodes(join(work, 'report')), p.byCode) ? 'yes' : 'NO'}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return Promise.resolve();
};
