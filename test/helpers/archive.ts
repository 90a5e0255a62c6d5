/**
 * The archive in specs: a batch's bytes as the storage writer writes them, and the report the analysis makes of a
 * bucket's archive, for the specs that change an archive (compaction, relayout) and compare reports around it.
 */
import { gzipSync } from 'node:zlib';

import type { S3Client } from '@aws-sdk/client-s3';

import { DEFAULT_HUMAN_CODES, loadViolationCodes } from '../../actors/protocol/index.ts';
import { createEngine } from '../../analysis/engine/duckdb.ts';
import { createArchiveCache } from '../../analysis/load/archive-cache.ts';
import { runAnalysis, type RunPorts } from '../../analysis/run.ts';
import { E } from '../../runtime/codec.ts';

/**
 * An archive batch (`*.ndjson.gz`): one line per value, JSON, a string kept as it is (a line that is not JSON).
 * @example writeFileSync(file, ndjsonGz([archivedTicket('1001'), '{not json']));
 */
export const ndjsonGz = (lines: ReadonlyArray<unknown>): Buffer =>
  gzipSync(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));

const codes = (() => {
  const loaded = loadViolationCodes();
  if (E.isLeft(loaded)) throw new Error(loaded.left.issues.join('\n'));
  return loaded.right;
})();

/**
 * The report's files (name → text) from the archive of `bucket` alone (no NYPD file) on 2026-11-27, its DuckDB
 * in `workDir` and the archive's local copy in `cacheDir` (a fresh one reads every object again); `deps` adds
 * sources (the dead letters).
 */
export const reportFromArchive = async (
  s3: S3Client,
  bucket: string,
  dirs: { readonly workDir: string; readonly cacheDir: string },
  deps: Pick<RunPorts, 'deadLetters'> = {},
): Promise<ReadonlyMap<string, string>> => {
  const engine = await createEngine({ workDir: dirs.workDir });
  try {
    const { files } = await runAnalysis(
      { nypdFiles: [], codes, humanCodes: DEFAULT_HUMAN_CODES, today: '2026-11-27', top: 10 },
      {
        engine,
        progress: () => undefined,
        archive: createArchiveCache(s3, { bucket }, dirs.cacheDir),
        ...deps,
      },
    );
    return files;
  } finally {
    engine.close();
  }
};
