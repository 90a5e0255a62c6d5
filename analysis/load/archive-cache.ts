/**
 * The S3 archive, mirrored into a local cache folder with the SDK: DuckDB's httpfs extension cannot be
 * downloaded here, and a local copy lets a second report reuse what the first fetched. Archive objects never
 * change once written (each is keyed by its shard, first sequence number and content hash), so an object already
 * cached with the listed size is not fetched again. Downloads go to a `.part` file renamed when complete, so an
 * interrupted run leaves no truncated batch behind.
 *
 * Hour by hour, one side only: an hour whose compaction marker covers its current NDJSON objects
 * (`analysis/archive/listing.ts`), or whose NDJSON is gone since its compaction (a lifecycle rule), is read from
 * its Parquet part (cached under a name holding the marker's source digest, so a part compacted again is fetched
 * again), every other hour from its NDJSON batches, in either layout (`day=`, or `date=` as written before). So
 * nothing is counted twice, and nothing is missed when a batch reaches an hour after it was compacted.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import {
  ARCHIVE_PREFIX,
  type ArchiveHour,
  type CompactionMarker,
  hourId,
  parquetKey,
} from '../archive/layout.ts';
import { listHours, markerCovers, readMarkers } from '../archive/listing.ts';
import { COMPACTED_TYPES } from '../archive/schema.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The local files of a record type: each hour in one of the two lists, never both. */
export interface ArchiveFiles {
  /** Gzip NDJSON batches of the hours no marker covers (raw copies included), sorted by key. */
  readonly ndjson: ReadonlyArray<string>;
  /** Parquet parts of the compacted hours (one row per id: `analysis/archive/schema.ts` has the columns). */
  readonly parquet: ReadonlyArray<string>;
}

/** The port: the local files holding every archived record of a type. */
export interface ArchiveCache {
  /**
   * Lists `archive/type=<type>/` and the type's markers, fetches what the cache lacks, and returns the local
   * paths. `onProgress` gets objects done and the total after each one.
   */
  readonly sync: (
    type: string,
    onProgress?: (done: number, total: number) => void,
  ) => Promise<ArchiveFiles>;
}

/** Where the archive is. */
export interface ArchiveLocation {
  readonly bucket: string;
  /** The writer's prefix; default `archive/`. */
  readonly prefix?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * An archive cache over an S3 client (any target: the local stack or AWS).
 *
 * @example
 * const cache = createArchiveCache(clients.s3, { bucket: 'prestacop-archive' }, '.cache/analysis');
 * const files = await cache.sync('drone.message');
 */
export const createArchiveCache = (
  s3: S3Client,
  location: ArchiveLocation,
  cacheDir: string,
): ArchiveCache => ({
  sync: async (type, onProgress) => {
    // Private to its user (the default is under their home; a folder given that exists is left as it is).
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const prefix = location.prefix ?? ARCHIVE_PREFIX;
    const { hours, stray } = await listHours(s3, location.bucket, type, prefix);
    // Markers only for the archive's own prefix and a type the compaction writes.
    const markers =
      prefix === ARCHIVE_PREFIX && COMPACTED_TYPES.has(type)
        ? await readMarkers(s3, location.bucket, type)
        : new Map<string, CompactionMarker>();
    const fetches: Array<{ key: string; size: number; local: string; parquet: boolean }> = [];
    // A compacted hour's part, cached under a name holding the digest of the objects it was compacted from.
    const part = (hour: ArchiveHour, digest: string) => {
      const key = parquetKey(hour);
      const local = join(
        cacheDir,
        location.bucket,
        key.replace(/\.parquet$/, `.${digest}.parquet`),
      );
      fetches.push({ key, size: -1, local, parquet: true });
    };
    for (const hour of hours)
      if (markerCovers(markers.get(hourId(hour)), hour)) part(hour, hour.digest);
      else
        for (const o of hour.objects)
          fetches.push({ ...o, local: join(cacheDir, location.bucket, o.key), parquet: false });
    // A marked hour whose NDJSON is gone (a lifecycle rule deletes it after the compaction): its Parquet is all
    // there is.
    const listed = new Set(hours.map(hourId));
    for (const [id, marker] of markers) if (!listed.has(id)) part(marker, marker.sourceDigest);
    for (const o of stray)
      fetches.push({ ...o, local: join(cacheDir, location.bucket, o.key), parquet: false });
    const ndjson: string[] = [];
    const parquet: string[] = [];
    for (const [i, f] of fetches.entries()) {
      const cached = existsSync(f.local) && (f.parquet || statSync(f.local).size === f.size);
      if (!cached) await download(s3, location.bucket, f.key, f.local);
      (f.parquet ? parquet : ndjson).push(f.local);
      onProgress?.(i + 1, fetches.length);
    }
    return { ndjson: ndjson.sort(), parquet: parquet.sort() };
  },
});

// ---------------------------------------------------------------------------------------------------------------
// utils

const download = async (
  s3: S3Client,
  bucket: string,
  key: string,
  local: string,
): Promise<void> => {
  mkdirSync(dirname(local), { recursive: true });
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const part = `${local}.part`;
  await pipeline(out.Body as Readable, createWriteStream(part));
  renameSync(part, local);
};
