import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { S3Client } from '@aws-sdk/client-s3';

import { E } from '../../runtime/codec.ts';
import { loadConfig } from '../../runtime/config.ts';
import { analysisSpec } from '../config.ts';
import { createArchiveCache } from './archive-cache.ts';
import { defaultCacheDir } from './cache-dir.ts';

describe('Analysis > the archive cache folder', () => {
  it("defaults to the user's own cache folder, never a shared one", () => {
    assert.equal(defaultCacheDir({}, '/home/ana'), '/home/ana/.cache/prestacop/analysis');
    assert.equal(
      defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/ana' }, '/home/ana'),
      '/var/cache/ana/prestacop/analysis',
    );
    // A relative XDG_CACHE_HOME is ignored (the XDG rule).
    assert.equal(
      defaultCacheDir({ XDG_CACHE_HOME: 'cache' }, '/home/ana'),
      '/home/ana/.cache/prestacop/analysis',
    );
  });

  it('is that folder unless the flag or PRESTACOP_ANALYSIS_CACHE says otherwise', () => {
    const cache = (argv: string[], env: Record<string, string> = {}) => {
      const r = loadConfig(
        analysisSpec({ XDG_CACHE_HOME: '/xdg' }, '/home/ana'),
        ['--out', 'r', ...argv],
        env,
      );
      return E.isRight(r) ? r.right.cache : JSON.stringify(r.left);
    };
    assert.equal(cache([]), '/xdg/prestacop/analysis');
    assert.equal(cache([], { PRESTACOP_ANALYSIS_CACHE: '/srv/cache' }), '/srv/cache');
    assert.equal(cache(['--cache', '/mine'], { PRESTACOP_ANALYSIS_CACHE: '/srv/cache' }), '/mine');
    assert.ok(!cache([]).startsWith(tmpdir()));
  });

  it('is created readable by its user alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-dir-spec-'));
    try {
      const cacheDir = join(dir, 'home', '.cache', 'prestacop', 'analysis');
      const s3 = { send: () => Promise.resolve({ Contents: [] }) } as unknown as S3Client;
      assert.deepEqual(
        await createArchiveCache(s3, { bucket: 'b' }, cacheDir).sync('drone.message'),
        { ndjson: [], parquet: [] },
      );
      assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
