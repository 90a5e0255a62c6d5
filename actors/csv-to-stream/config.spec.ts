import assert from 'node:assert/strict';

import { E } from '../../runtime/codec.ts';
import { loadConfig } from '../../runtime/config.ts';
import { commandOfActor } from '../../runtime/launcher.ts';
import { csvToStream } from './actor.ts';

describe('CsvToStream > options', () => {
  const compression = (argv: string[], env: Record<string, string> = {}) => {
    const r = loadConfig(commandOfActor(csvToStream), ['--file', 'fy2017.csv', ...argv], env);
    return E.isRight(r)
      ? r.right.compression
      : r.left._tag === 'ConfigError' && r.left.issues.join('\n');
  };

  it('compresses with zstd level 6 unless told, and takes gzip, zstd or none from the flag or the env', () => {
    assert.deepEqual(compression([]), { codec: 'zstd', level: 6 });
    assert.deepEqual(compression(['--compression', 'gzip:3']), { codec: 'gzip', level: 3 });
    assert.deepEqual(compression(['--compression', 'gzip:9']), { codec: 'gzip', level: 9 });
    assert.deepEqual(compression(['--compression', 'zstd:6']), { codec: 'zstd', level: 6 });
    assert.deepEqual(compression(['--compression', 'none']), { codec: 'none' });
    assert.deepEqual(compression([], { PRESTACOP_CSV_COMPRESSION: 'zstd:3' }), {
      codec: 'zstd',
      level: 3,
    });
    // The flag wins over the env.
    assert.deepEqual(
      compression(['--compression', 'gzip:1'], { PRESTACOP_CSV_COMPRESSION: 'zstd:3' }),
      { codec: 'gzip', level: 1 },
    );
  });

  it('refuses a codec or a level the packed format does not take, naming the flag and the env', () => {
    for (const bad of ['gzip:0', 'gzip:10', 'zstd:20', 'zstd', 'gzip:2.5', 'brotli:3', 'fast'])
      assert.match(
        JSON.stringify(compression(['--compression', bad])),
        /expected none, gzip:1\.\.9 or zstd:1\.\.19.*--compression, env PRESTACOP_CSV_COMPRESSION/,
        bad,
      );
  });

  it('lists the compression option in --help', () => {
    const r = loadConfig(commandOfActor(csvToStream), ['--help'], {});
    const help = E.isLeft(r) && r.left._tag === 'HelpRequested' ? r.left.text : '';
    assert.match(help, /--compression/);
    assert.match(help, /PRESTACOP_CSV_COMPRESSION/);
    assert.match(help, /gzip:1\.\.9, zstd:1\.\.19/);
  });
});
