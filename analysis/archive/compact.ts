/**
 * Parquet compaction (`npm run compact`): each closed hour of a record type's gzip NDJSON batches becomes one
 * Parquet file (zstd), deduplicated by id, so a redelivery's raw copies disappear and an engine scans a few
 * columns of a compact file instead of every byte of every batch.
 *
 * Safe at any moment and on any re-run:
 * - the Parquet part has a deterministic key (`part-0.parquet`): a re-run overwrites what a killed run left;
 * - the hour's marker is written last, and only when the rows written equal the distinct ids read (read back
 *   from the file); readers use the Parquet of an hour only while its marker names exactly the hour's current
 *   NDJSON objects (`markerCovers`), so an hour is read once, from one side, whatever was interrupted;
 * - an hour whose marker still covers it is skipped (a re-run changes nothing); an hour that received a batch
 *   after its marker (a backlog drained late) is compacted again;
 * - an hour holding a line that is not JSON or does not decode is refused (no marker: it stays NDJSON, where the
 *   report counts that line as undecodable), as is one whose objects exceed the bounds below;
 * - NDJSON is never deleted (a lifecycle rule does, later).
 *
 * One compactor per bucket (Ansible runs it on one storage host): two runs compacting the same hour at once while a
 * batch reaches it could leave one's Parquet part under the other's marker.
 */
import { createReadStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { DuckDBAppender } from '@duckdb/node-api';

import { type Engine, sqlString } from '../engine/duckdb.ts';
import {
  type ArchiveHour,
  type CompactionMarker,
  hourId,
  isClosed,
  markerKey,
  parquetKey,
} from './layout.ts';
import { type HourObjects, listHours, markerCovers, readMarkers } from './listing.ts';
import { type Cell, COMPACTED_TYPES, type CompactedType } from './schema.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What a compaction run does. */
export interface CompactOptions {
  readonly bucket: string;
  /** The record types, default every {@link COMPACTED_TYPES} one. */
  readonly types?: ReadonlyArray<string>;
  /** An hour is closed this long after its end (the writer's last batches of it are stored by then). */
  readonly graceMs: number;
  /** A private folder for the Parquet file being written. */
  readonly workDir: string;
  /** Only say what would be done. */
  readonly dryRun?: boolean;
  /** Bounds of one NDJSON object (compressed, and inflated): beyond them its hour is refused. */
  readonly maxObjectBytes?: number;
  readonly maxInflatedBytes?: number;
}

/** What happened to one hour. */
export type HourOutcome =
  | {
      readonly kind: 'compacted';
      readonly read: number;
      readonly rows: number;
      readonly bytes: number;
    }
  | { readonly kind: 'up-to-date' }
  | { readonly kind: 'would-compact' }
  | { readonly kind: 'refused'; readonly reason: string };

export interface HourResult {
  readonly hour: ArchiveHour;
  readonly objects: number;
  readonly outcome: HourOutcome;
}

/** Ports of a run. */
export interface CompactPorts {
  readonly s3: S3Client;
  readonly engine: Engine;
  readonly now: () => number;
  /** One line per hour done, for a person. */
  readonly progress: (line: string) => void;
}

/** 8 MiB batches by default (actors/stream-to-storage/s3-archive.ts): anything far bigger is not the writer's. */
const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_INFLATED_BYTES = 256 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// the run

/**
 * Compacts every closed hour of the archive that no marker covers yet.
 *
 * @example
 * const results = await compactArchive({ bucket, graceMs: 600_000, workDir }, { s3, engine, now: Date.now, progress });
 */
export const compactArchive = async (
  options: CompactOptions,
  ports: CompactPorts,
): Promise<HourResult[]> => {
  const results: HourResult[] = [];
  for (const type of options.types ?? [...COMPACTED_TYPES.keys()]) {
    const spec = COMPACTED_TYPES.get(type);
    if (spec === undefined) throw new RangeError(`no Parquet schema for ${type}`);
    const listing = await listHours(ports.s3, options.bucket, type);
    if (listing.stray.length > 0)
      ports.progress(
        `${type}: ${listing.stray.length} objects outside the layout, left as NDJSON (e.g. ${listing.stray[0]?.key})`,
      );
    const hours = listing.hours.filter((h) => isClosed(h, ports.now(), options.graceMs));
    const markers = await readMarkers(ports.s3, options.bucket, type);
    for (const [i, hour] of hours.entries()) {
      const outcome = markerCovers(markers.get(hourId(hour)), hour)
        ? ({ kind: 'up-to-date' } as const)
        : options.dryRun === true
          ? ({ kind: 'would-compact' } as const)
          : await compactHour(spec, hour, options, ports);
      results.push({ hour, objects: hour.objects.length, outcome });
      ports.progress(
        `${type} ${hour.day} ${hour.hour}h (${i + 1}/${hours.length}): ${describe(hour, outcome)}`,
      );
    }
  }
  return results;
};

const describe = (hour: HourObjects, o: HourOutcome): string =>
  o.kind === 'compacted'
    ? `${hour.objects.length} objects, ${o.read} lines → ${o.rows} rows, ${(o.bytes / 1024).toFixed(0)} KiB of Parquet`
    : o.kind === 'refused'
      ? `refused, stays NDJSON: ${o.reason}`
      : o.kind === 'would-compact'
        ? `${hour.objects.length} objects to compact`
        : 'up to date';

// ---------------------------------------------------------------------------------------------------------------
// one hour

/** Reads an hour's NDJSON into a staging table, writes it deduplicated as Parquet, checks it, then the marker. */
const compactHour = async (
  spec: CompactedType,
  hour: HourObjects,
  options: CompactOptions,
  ports: CompactPorts,
): Promise<HourOutcome> => {
  const { engine } = ports;
  const appender = await stage(engine, spec);
  let read = 0;
  let refused: string | undefined;
  try {
    for (const o of hour.objects) {
      const lines = await objectLines(ports.s3, options, o.key, o.size);
      if (typeof lines === 'string') {
        refused = lines;
        break;
      }
      let bad = 0;
      for (const line of lines) {
        const row = spec.row(parseLine(line));
        if (row === undefined) bad++;
        else appendRow(appender, spec, row);
        read++;
      }
      if (bad > 0) {
        refused = `${bad} lines of ${o.key} are not ${spec.type} records`;
        break;
      }
    }
  } finally {
    appender.closeSync();
  }
  if (refused !== undefined) return { kind: 'refused', reason: refused };

  const local = join(options.workDir, 'part-0.parquet');
  const counted = await writeStaged(engine, spec, local);
  const ids = counted.ids;
  try {
    const [written] = await engine.all(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(local)})`,
    );
    const rows = Number(written?.n ?? -1);
    if (rows !== ids || counted.noId > 0)
      return { kind: 'refused', reason: `${rows} rows written for ${ids} distinct ids read` };
    const bytes = statSync(local).size;
    const key = parquetKey(hour);
    await ports.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Body: createReadStream(local),
        ContentLength: bytes,
        ContentType: 'application/vnd.apache.parquet',
      }),
    );
    const head = await ports.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
    if (head.ContentLength !== bytes)
      return { kind: 'refused', reason: `${key} holds ${head.ContentLength} bytes, not ${bytes}` };
    const marker: CompactionMarker = {
      type: hour.type,
      day: hour.day,
      hour: hour.hour,
      rows,
      sourceObjects: hour.objects.length,
      sourceDigest: hour.digest,
      compactedAt: new Date(ports.now()).toISOString(),
    };
    // Last: from now on readers take this hour from Parquet.
    await ports.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: markerKey(hour),
        Body: `${JSON.stringify(marker)}\n`,
        ContentType: 'application/json',
      }),
    );
    return { kind: 'compacted', read, rows, bytes };
  } finally {
    rmSync(local, { force: true });
  }
};

/** The lines of one gzip NDJSON object, or why they cannot be read within the bounds. */
const objectLines = async (
  s3: S3Client,
  options: CompactOptions,
  key: string,
  size: number,
): Promise<string[] | string> => {
  const maxObject = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  if (size > maxObject) return `${key} is ${size} bytes, over ${maxObject}`;
  const got = await s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
  const gz = await got.Body!.transformToByteArray();
  try {
    const text = gunzipSync(gz, {
      maxOutputLength: options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES,
    }).toString('utf8');
    return text.split('\n').filter((l) => l.trim() !== '');
  } catch (e) {
    return `${key} does not inflate: ${e instanceof Error ? e.message : String(e)}`;
  }
};

const parseLine = (line: string): unknown => {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * A fresh staging table of the type's columns (as the rows hold them) and an appender to it: append with
 * {@link appendRow}, close it, then {@link writeStaged}.
 */
export const stage = async (engine: Engine, spec: CompactedType): Promise<DuckDBAppender> => {
  const columns = spec.columns.map((c) => `"${c.name}" ${c.type}`).join(', ');
  await engine.run(`CREATE OR REPLACE TABLE compact_staging (${columns})`);
  return engine.connection.createAppender('compact_staging');
};

/**
 * Writes the staged rows to a local Parquet file as the archive holds it (one copy per id, the stored types, the
 * type's order) and drops the staging table; returns the distinct ids staged and the rows without one.
 *
 * @example
 * const a = await stage(engine, spec); appendRow(a, spec, row); a.closeSync(); await writeStaged(engine, spec, file);
 */
export const writeStaged = async (
  engine: Engine,
  spec: CompactedType,
  local: string,
): Promise<{ readonly ids: number; readonly noId: number }> => {
  const all = spec.columns.map((c) => `"${c.name}"`).join(', ');
  const stored = spec.columns
    .map((c) =>
      c.stored === undefined ? `"${c.name}"` : `CAST("${c.name}" AS ${c.stored}) AS "${c.name}"`,
    )
    .join(', ');
  const [counted] = await engine.all(
    'SELECT count(DISTINCT id)::INTEGER AS ids, count(*) FILTER (WHERE id IS NULL)::INTEGER AS no_id FROM compact_staging',
  );
  // One copy per id, the same one on every run, in the type's order (smaller pages).
  await engine.run(`COPY (SELECT ${stored} FROM compact_staging
      QUALIFY row_number() OVER (PARTITION BY id ORDER BY ${all}) = 1 ORDER BY ${spec.order})
    TO ${sqlString(local)} (FORMAT parquet, COMPRESSION zstd)`);
  await engine.run('DROP TABLE compact_staging');
  return { ids: Number(counted?.ids ?? 0), noId: Number(counted?.no_id ?? 0) };
};

/** Appends one row of the type's columns to a {@link stage} appender. */
export const appendRow = (
  a: DuckDBAppender,
  spec: CompactedType,
  row: ReadonlyArray<Cell>,
): void => {
  spec.columns.forEach((c, i) => {
    const v = row[i];
    if (v === undefined) a.appendNull();
    else if (c.type === 'VARCHAR') a.appendVarchar(String(v));
    else if (c.type === 'BOOLEAN') a.appendBoolean(v === true);
    else if (c.type === 'INTEGER') a.appendInteger(Number(v));
    else if (c.type === 'BIGINT') a.appendBigInt(BigInt(Number(v)));
    else a.appendDouble(Number(v));
  });
  a.endRow();
};
