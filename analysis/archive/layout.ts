/**
 * The archive bucket's layout, both as written before issue 18 and after (ATHENA-CONTRACT.md):
 *
 *   archive/type=<type>/day=YYYY-MM-DD/hour=HH/<shard>-<firstSeq>-<hash16>.ndjson.gz    NDJSON batches (gzip)
 *   archive/type=<type>/date=YYYY-MM-DD/hour=HH/...                                     the same, written before
 *   archive-parquet/type=<type>/day=YYYY-MM-DD/hour=HH/part-<n>.parquet                 an hour, compacted
 *   archive-compacted/type=<type>/day=YYYY-MM-DD/hour=HH/marker.json                    written last: it is done
 *   dead-letter/actor=<actor, '/' → '.'>/day=YYYY-MM-DD/<id>.json                       dead letters
 *   dead-letter/actor=<actor with its '/'>/date=YYYY-MM-DD/<id>.json                    the same, written before
 *
 * Pure: keys in, keys out. The compaction, the relayout command and the analysis' cache read keys through here.
 */
import { createHash } from 'node:crypto';

import { actorPartition } from '../../runtime/dead-letter.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** One hour of one record type: the unit the compaction works on. */
export interface ArchiveHour {
  readonly type: string;
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  /** `HH`, UTC. */
  readonly hour: string;
}

/** An NDJSON batch of the archive, as listed. */
export interface ArchiveObject extends ArchiveHour {
  readonly key: string;
  readonly size: number;
}

/** The marker of a compacted hour (one JSON line; Athena can read the markers as a table). */
export interface CompactionMarker extends ArchiveHour {
  /** Rows in the Parquet part(s): the distinct ids of the hour's NDJSON. */
  readonly rows: number;
  /** NDJSON objects read. */
  readonly sourceObjects: number;
  /** {@link sourceDigest} of those objects: a marker whose hour now holds other objects is stale. */
  readonly sourceDigest: string;
  readonly compactedAt: string;
}

export const ARCHIVE_PREFIX = 'archive/';
export const PARQUET_PREFIX = 'archive-parquet/';
export const MARKER_PREFIX = 'archive-compacted/';
export const DEAD_LETTER_PREFIX = 'dead-letter/';

// ---------------------------------------------------------------------------------------------------------------
// parsing

const TYPE = '[a-z][a-z0-9_.-]{0,63}';
const DAY = '\\d{4}-\\d{2}-\\d{2}';
const BATCH = new RegExp(
  `^type=(${TYPE})/(day|date)=(${DAY})/hour=(\\d{2})/([A-Za-z0-9._=-]{1,512}\\.ndjson\\.gz)$`,
);

/**
 * The hour of an NDJSON batch's key (either layout), or `undefined` for anything else under the prefix.
 *
 * @example
 * parseBatchKey('archive/type=drone.message/date=2026-11-27/hour=18/s-1-ab.ndjson.gz', 12);
 * // { type: 'drone.message', day: '2026-11-27', hour: '18', key: 'archive/type=…', size: 12 }
 */
export const parseBatchKey = (
  key: string,
  size: number,
  prefix = ARCHIVE_PREFIX,
): ArchiveObject | undefined => {
  if (!key.startsWith(prefix)) return undefined;
  const m = BATCH.exec(key.slice(prefix.length));
  if (m === null) return undefined;
  const [, type = '', , day = '', hour = ''] = m;
  return Number(hour) < 24 ? { type, day, hour, key, size } : undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// keys

const hourPath = (h: ArchiveHour): string => `type=${h.type}/day=${h.day}/hour=${h.hour}/`;

/** The Parquet part `n` of an hour: a deterministic name, so a re-run overwrites what a killed run left. */
export const parquetKey = (h: ArchiveHour, n = 0): string =>
  `${PARQUET_PREFIX}${hourPath(h)}part-${n}.parquet`;

/** The marker of an hour, written last. */
export const markerKey = (h: ArchiveHour): string => `${MARKER_PREFIX}${hourPath(h)}marker.json`;

/** The hour a marker's key names, or `undefined`. */
export const parseMarkerKey = (key: string): ArchiveHour | undefined => {
  const m = new RegExp(
    `^${MARKER_PREFIX}type=(${TYPE})/day=(${DAY})/hour=(\\d{2})/marker\\.json$`,
  ).exec(key);
  return m === null ? undefined : { type: m[1]!, day: m[2]!, hour: m[3]! };
};

/** `type/day/hour`: a map key for an hour. */
export const hourId = (h: ArchiveHour): string => `${h.type}/${h.day}/${h.hour}`;

/**
 * What an hour's NDJSON objects are, in 16 hex digits: their keys and sizes, in key order. The same objects give
 * the same digest whatever the listing order; one more object (a batch written late, after a backlog) changes it.
 */
export const sourceDigest = (objects: ReadonlyArray<{ key: string; size: number }>): string =>
  createHash('sha256')
    .update(
      [...objects]
        .map((o) => `${o.key}\t${o.size}`)
        .sort()
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 16);

/**
 * Whether an hour is closed at `now`: its end plus `graceMs` (the writer's batches of that hour are cut at most
 * `maxAgeMs` after their first record, plus the write) has passed.
 */
export const isClosed = (h: ArchiveHour, now: number, graceMs: number): boolean =>
  Date.parse(`${h.day}T${h.hour}:00:00.000Z`) + 3_600_000 + graceMs <= now;

// ---------------------------------------------------------------------------------------------------------------
// the old layout

/**
 * Where an object written in the old layout belongs in the new one, or `undefined` when it is already there (or is
 * not an archive batch nor a dead letter). Archive batches: `date=` → `day=`. Dead letters: `actor=a/b/date=D/x`
 * → `actor=a.b/day=D/x` (the actor name may hold several `/`).
 *
 * @example
 * relayoutKey('dead-letter/actor=stream-to-storage/drones/date=2026-11-27/x.json');
 * // 'dead-letter/actor=stream-to-storage.drones/day=2026-11-27/x.json'
 */
export const relayoutKey = (key: string): string | undefined => {
  const batch = parseBatchKey(key, 0);
  if (batch !== undefined) {
    const moved = key.replace(`/date=${batch.day}/`, `/day=${batch.day}/`);
    return moved === key ? undefined : moved;
  }
  const letter = new RegExp(
    `^${DEAD_LETTER_PREFIX}actor=([A-Za-z0-9._=/-]{1,128}?)/(day|date)=(${DAY})/([^/]{1,512})$`,
  ).exec(key);
  if (letter === null) return undefined;
  const [, actor = '', , day = '', name = ''] = letter;
  const moved = `${DEAD_LETTER_PREFIX}actor=${actorPartition(actor)}/day=${day}/${name}`;
  return moved === key ? undefined : moved;
};
