import assert from 'node:assert/strict';

import { E } from '../../runtime/codec.ts';
import { loadConfig } from '../../runtime/config.ts';
import { csvToStreamSpec } from './config.ts';

describe('CsvToStream > options', () => {
  it('compresses at gzip level 3 unless told, and takes 1 to 9 from the flag or the env', () => {
    const level = (argv: string[], env: Record<string, string> = {}) => {
      const r = loadConfig(csvToStreamSpec(), ['--file', 'fy2017.csv', ...argv], env);
      return E.isRight(r)
        ? r.right.gzipLevel
        : r.left._tag === 'ConfigError' && r.left.issues.join('\n');
    };
    assert.equal(level([]), 3);
    assert.equal(level(['--gzip-level', '9']), 9);
    assert.equal(level([], { PRESTACOP_CSV_GZIP_LEVEL: '1' }), 1);
    for (const bad of ['0', '10', '2.5', 'fast'])
      assert.match(
        String(level(['--gzip-level', bad])),
        /from 1 to 9.*--gzip-level, env PRESTACOP_CSV_GZIP_LEVEL/,
      );
  });
});
