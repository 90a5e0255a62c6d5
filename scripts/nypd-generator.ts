/**
 * Large NYPD-shaped CSV files for benchmarks and tests, from the real samples in test/fixtures/nypd: each row is a
 * real row (of either sample, fitted to the layout asked for) with a unique summons number and a Violation Time
 * drawn from another real row, so values and their correlations (code, county, precinct, street, plate, make)
 * follow the real distributions. With `dirty`, that share of rows gets one of the kinds of dirt seen in the real
 * files (SOURCES.md). Deterministic per seed; written as a stream, so any size fits in flat memory.
 */
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';

import { below, type Random, seededRandom } from '../runtime/random.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The kinds of dirt, as seen in real files. Only `wrapped` makes a row a reject; the others are findings. */
export const DIRT_KINDS = [
  'wrapped', // the whole line in quotes: one field after parsing
  'no_county', // empty Violation County
  'other_county_code', // K <-> BK, Q <-> QN, NY <-> MN, R <-> ST
  'no_meridiem', // 0752 instead of 0752A
  'no_time', // empty Violation Time
  'midnight', // 00xxA or 12xxA
  'state_99', // Registration State 99, Plate Type 999
  'far_date', // an Issue Date years away from the fiscal year
  'nbsp_plate', // NO-BREAK SPACE inside the Plate ID
  'mangled_house', // spreadsheet-mangled House Number (Jul-40)
  'quoted_comma', // a street name with a comma, so quoted
] as const;
/** One kind of dirt. */
export type DirtKind = (typeof DIRT_KINDS)[number];

/** What to write. */
export interface GenerateOptions {
  readonly rows: number;
  readonly out: string;
  /** 43 (FY2017+, CRLF by default) or 51 (FY2014-2016, LF by default) columns. */
  readonly layout: 43 | 51;
  /** Share of rows with one kind of dirt, 0..1. */
  readonly dirty: number;
  readonly seed: number;
  readonly eol?: 'lf' | 'crlf';
  readonly bom?: boolean;
  readonly finalNewline?: boolean;
}

/** What was written: rows, bytes, and how many rows got each kind of dirt. */
export interface GenerateResult {
  readonly rows: number;
  readonly bytes: number;
  readonly dirt: Readonly<Record<DirtKind, number>>;
}

// ---------------------------------------------------------------------------------------------------------------
// samples

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'nypd');

interface Samples {
  readonly header51: string[];
  readonly rows: ReadonlyArray<string[]>; // 51 fields each (the 43-column rows padded)
}

let samples: Samples | undefined;
const loadSamples = (): Samples => {
  if (samples) return samples;
  const read = (name: string) =>
    parse(readFileSync(join(FIXTURES, name)), { relax_column_count: true }) satisfies string[][];
  const [h51, ...rows51] = read('fy2014-sample.csv');
  const [, ...rows43] = read('fy2017-sample.csv');
  samples = {
    header51: h51!,
    rows: [...rows51, ...rows43.map((r) => [...r, ...Array<string>(8).fill('')])],
  };
  return samples;
};

// Columns of the layouts (the 43 are the first 43 of the 51).
const C = {
  summons: 0,
  plate: 1,
  state: 2,
  plateType: 3,
  date: 4,
  time: 19,
  county: 21,
  house: 23,
  street: 24,
};
const COUNTY_SWAP: Record<string, string> = {
  K: 'BK',
  BK: 'K',
  Q: 'QN',
  QN: 'Q',
  NY: 'MN',
  MN: 'NY',
  R: 'ST',
  ST: 'R',
};
const pick = <A>(r: Random, xs: ReadonlyArray<A>): A => xs[below(r, xs.length)]!;

// ---------------------------------------------------------------------------------------------------------------
// rows

const csvField = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const dirty = (f: string[], kind: DirtKind, r: Random): void => {
  const time = f[C.time] || '0752A';
  switch (kind) {
    case 'no_county': f[C.county] = ''; break;
    case 'other_county_code': f[C.county] = COUNTY_SWAP[f[C.county] ?? ''] ?? 'BK'; break;
    case 'no_meridiem': f[C.time] = time.slice(0, 4); break;
    case 'no_time': f[C.time] = ''; break;
    case 'midnight': f[C.time] = `${pick(r, ['00', '12'])}${String(below(r, 60)).padStart(2, '0')}A`; break;
    case 'state_99': f[C.state] = '99'; f[C.plateType] = '999'; break;
    case 'far_date': f[C.date] = `${(f[C.date] ?? '').slice(0, 6)}${f[C.date]?.startsWith('02/29') ? '2000' : pick(r, ['2000', '2009', '2011', '2019', '2031'])}`; break;
    case 'nbsp_plate': f[C.plate] = `${pick(r, ['GEL', 'GWE', 'GMD'])}\u00a0${1000 + below(r, 9000)}.00`; break;
    case 'mangled_house': f[C.house] = pick(r, ['Jul-40', '5\u00a4\u00eb30\u00a4\u00e9', 'Mar-12']); break;
    case 'quoted_comma': f[C.street] = pick(r, ['760 BROADWAY ,BROOKL', '1ST AVE, N.Y. N.Y. 1', 'JFKIA,TER 4 ARRIVALS']); break;
    case 'wrapped': break; // applied to the whole line
  }
}; // prettier-ignore

/**
 * Writes a file and says what it holds.
 * @example await generateNypd({ rows: 1_000_000, out: '/tmp/fy.csv', layout: 43, dirty: 0.01, seed: 1 });
 */
export const generateNypd = async (o: GenerateOptions): Promise<GenerateResult> => {
  const { header51, rows } = loadSamples();
  const width = o.layout;
  const eol = (o.eol ?? (o.layout === 43 ? 'crlf' : 'lf')) === 'crlf' ? '\r\n' : '\n';
  const r = seededRandom(o.seed);
  const firstSummons = 1_000_000_000 + (o.seed % 80) * 100_000_000; // 10 digits, one range per seed
  const dirt = Object.fromEntries(DIRT_KINDS.map((k) => [k, 0])) as Record<DirtKind, number>;
  const out = createWriteStream(o.out);
  let bytes = 0;
  let chunk = (o.bom ? '\ufeff' : '') + header51.slice(0, width).map(csvField).join(',');
  const flush = async (): Promise<void> => {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  for (let n = 0; n < o.rows; n++) {
    const f = pick(r, rows).slice(0, width);
    f[C.summons] = String(firstSummons + n);
    f[C.time] = pick(r, rows)[C.time] ?? '';
    const kind = o.dirty > 0 && r.next() < o.dirty ? pick(r, DIRT_KINDS) : undefined;
    if (kind) {
      dirt[kind]++;
      dirty(f, kind, r);
    }
    const line = f.map(csvField).join(',');
    chunk += eol + (kind === 'wrapped' ? `"${line.replace(/"/g, '""')}"` : line);
    if (chunk.length >= 1 << 20) await flush();
  }
  if (o.finalNewline ?? true) chunk += eol;
  await flush();
  out.end();
  await once(out, 'close');
  return { rows: o.rows, bytes, dirt };
};
