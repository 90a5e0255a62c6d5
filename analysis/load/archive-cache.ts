/**
 * The S3 archive, mirrored into a local cache folder with the SDK: DuckDB's httpfs extension cannot be
 * downloaded here, and a local copy lets a second report reuse what the first fetched. Archive objects never
 * change once written (each is keyed by its shard and first sequence number), so an object already cached with
 * the listed size is not fetched again. Downloads go to a `.part` file renamed when complete, so an interrupted
 * run leaves no truncated batch behind.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

// ---------------------------------------------------------------------------------------------------------------
// model

/** The port: the local files holding every archived batch of a record type. */
export interface ArchiveCache {
  /**
   * Lists `archive/type=<type>/`, fetches what the cache lacks, and returns the local paths (sorted by key).
   * `onProgress` gets objects done and the total after each one.
   */
  readonly sync: (
    type: string,
    onProgress?: (done: number, total: number) => void,
  ) => Promise<ReadonlyArray<string>>;
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
    const objects = await listObjects(
      s3,
      location.bucket,
      `${location.prefix ?? 'archive/'}type=${type}/`,
    );
    const files: string[] = [];
    for (const [i, o] of objects.entries()) {
      const local = join(cacheDir, location.bucket, o.key);
      if (!existsSync(local) || statSync(local).size !== o.size)
        await download(s3, location.bucket, o.key, local);
      files.push(local);
      onProgress?.(i + 1, objects.length);
    }
    return files;
  },
});

// ---------------------------------------------------------------------------------------------------------------
// utils

const listObjects = async (
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<Array<{ key: string; size: number }>> => {
  const objects: Array<{ key: string; size: number }> = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? [])
      if (o.Key !== undefined && !o.Key.endsWith('/'))
        objects.push({ key: o.Key, size: o.Size ?? -1 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};

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
