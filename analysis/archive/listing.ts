/**
 * Listing the archive bucket by hour: the NDJSON batches of a record type (either layout) grouped per hour, and
 * the markers of the hours compacted. Shared by the compaction and the analysis' cache, so both agree on which
 * hour a marker covers: a marker counts only while its hour holds exactly the objects it was made from.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

import {
  ARCHIVE_PREFIX,
  type ArchiveHour,
  type ArchiveObject,
  type CompactionMarker,
  hourId,
  MARKER_PREFIX,
  markerKey,
  parseBatchKey,
  parseMarkerKey,
  sourceDigest,
} from './layout.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** An hour of a type: its NDJSON objects, sorted by key. */
export interface HourObjects extends ArchiveHour {
  readonly objects: ReadonlyArray<ArchiveObject>;
  readonly digest: string;
}

/** The largest marker read (a marker is one short JSON line; anything bigger is not ours). */
const MAX_MARKER_BYTES = 4_096;

// ---------------------------------------------------------------------------------------------------------------
// listing

/**
 * Every key (and size) under `prefix`, page by page.
 *
 * @example
 * for await (const o of listKeys(s3, 'prestacop-archive', 'archive/')) console.log(o.key);
 */
export async function* listKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<{ key: string; size: number }> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? [])
      if (o.Key !== undefined && !o.Key.endsWith('/')) yield { key: o.Key, size: o.Size ?? -1 };
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** A type's NDJSON, listed. */
export interface TypeListing {
  /** Hours in time order. */
  readonly hours: ReadonlyArray<HourObjects>;
  /**
   * Objects under the type's prefix whose key is not a batch's (no hour): never compacted, and read as NDJSON by
   * the analysis all the same, so nothing in the archive is left out silently.
   */
  readonly stray: ReadonlyArray<{ key: string; size: number }>;
}

/**
 * The NDJSON batches of `type`, per hour (both layouts of an hour together).
 *
 * @example
 * const { hours } = await listHours(s3, 'prestacop-archive', 'drone.message');
 */
export const listHours = async (
  s3: S3Client,
  bucket: string,
  type: string,
  prefix = ARCHIVE_PREFIX,
): Promise<TypeListing> => {
  const byHour = new Map<string, Map<string, ArchiveObject>>();
  const stray: Array<{ key: string; size: number }> = [];
  for await (const listed of listKeys(s3, bucket, `${prefix}type=${type}/`)) {
    const o = parseBatchKey(listed.key, listed.size, prefix);
    if (o === undefined) {
      stray.push(listed);
      continue;
    }
    const id = hourId(o);
    const objects = byHour.get(id) ?? new Map<string, ArchiveObject>();
    byHour.set(id, objects);
    // The same batch in both layouts (a relayout killed between its copy and its delete) is one batch.
    const name = o.key.slice(o.key.lastIndexOf('/') + 1);
    const seen = objects.get(name);
    if (seen === undefined || seen.key.includes('/date=')) objects.set(name, o);
  }
  const hours = [...byHour.values()]
    .map((objects) => {
      const sorted = [...objects.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
      const [{ type: t, day, hour }] = sorted as [ArchiveObject];
      return { type: t, day, hour, objects: sorted, digest: sourceDigest(sorted) };
    })
    .sort((a, b) => (hourId(a) < hourId(b) ? -1 : 1));
  return { hours, stray };
};

/**
 * The markers of `type`'s compacted hours, by {@link hourId}; a marker that is not one (unparseable, too big, of
 * another hour) is left out, so its hour reads as not compacted.
 */
export const readMarkers = async (
  s3: S3Client,
  bucket: string,
  type: string,
): Promise<Map<string, CompactionMarker>> => {
  const markers = new Map<string, CompactionMarker>();
  for await (const { key, size } of listKeys(s3, bucket, `${MARKER_PREFIX}type=${type}/`)) {
    const hour = parseMarkerKey(key);
    if (hour === undefined || size > MAX_MARKER_BYTES) continue;
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const marker = parseMarker(await got.Body!.transformToString('utf8'));
    if (marker !== undefined && markerKey(marker) === key) markers.set(hourId(hour), marker);
  }
  return markers;
};

/** Whether `marker` covers the hour as it is now: the same objects it was compacted from. */
export const markerCovers = (marker: CompactionMarker | undefined, hour: HourObjects): boolean =>
  marker !== undefined &&
  marker.sourceObjects === hour.objects.length &&
  marker.sourceDigest === hour.digest;

/** A compaction marker that no longer covers its hour: the hour holds other NDJSON objects than it was made from. */
export interface StaleMarker extends ArchiveHour {
  /** The NDJSON objects the hour was compacted from (the marker's `sourceObjects`). */
  readonly compactedFrom: number;
  /** The hour's NDJSON objects now. */
  readonly objectsNow: number;
}

/**
 * The markers of `types` that no longer cover their hour (a batch reached it after its compaction: a backlog
 * drained late), which the next compaction replaces. DuckDB reads such an hour from NDJSON ({@link markerCovers});
 * Athena's views trust a marker's existence (they cannot list objects in SQL), so the Athena runner checks this
 * first. A marker whose hour holds no NDJSON any more (deleted by a lifecycle rule) is not stale: its Parquet is
 * all there is.
 *
 * @example
 * const stale = await staleMarkers(s3, 'prestacop-archive', ['drone.message']);
 */
export const staleMarkers = async (
  s3: S3Client,
  bucket: string,
  types: ReadonlyArray<string>,
): Promise<StaleMarker[]> => {
  const stale: StaleMarker[] = [];
  for (const type of types) {
    const markers = await readMarkers(s3, bucket, type);
    if (markers.size === 0) continue;
    const { hours } = await listHours(s3, bucket, type);
    for (const hour of hours) {
      const marker = markers.get(hourId(hour));
      if (marker !== undefined && !markerCovers(marker, hour))
        stale.push({
          type: hour.type,
          day: hour.day,
          hour: hour.hour,
          compactedFrom: marker.sourceObjects,
          objectsNow: hour.objects.length,
        });
    }
  }
  return stale;
};

const parseMarker = (text: string): CompactionMarker | undefined => {
  try {
    const m = JSON.parse(text) as Partial<Record<keyof CompactionMarker, unknown>>;
    const str = (u: unknown): u is string => typeof u === 'string';
    const count = (u: unknown): u is number => Number.isSafeInteger(u) && (u as number) >= 0;
    return str(m.type) &&
      str(m.day) &&
      str(m.hour) &&
      count(m.rows) &&
      count(m.sourceObjects) &&
      str(m.sourceDigest) &&
      str(m.compactedAt)
      ? {
          type: m.type,
          day: m.day,
          hour: m.hour,
          rows: m.rows,
          sourceObjects: m.sourceObjects,
          sourceDigest: m.sourceDigest,
          compactedAt: m.compactedAt,
        }
      : undefined;
  } catch {
    return undefined;
  }
};
