/**
 * What the report says about the stores it read: `sources.csv` names every source and what it held (an archive
 * holding drone messages but no NYPD ticket is not a source of 0), and `data_quality.csv` counts the dead letters
 * beside the archive, per actor and reason (`load/dead-letters.spec.ts` covers how they are read).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import {
  DEFAULT_HUMAN_CODES,
  type DroneMessage,
  droneMessageId,
  loadViolationCodes,
} from '../actors/protocol/index.ts';
import { E } from '../runtime/codec.ts';
import { createEngine } from './engine/duckdb.ts';
import type { ArchiveCache } from './load/archive-cache.ts';
import { runAnalysis, type RunPorts, type RunResult } from './run.ts';

const codes = (() => {
  const t = loadViolationCodes();
  if (E.isLeft(t)) throw new Error(t.left.issues.join('\n'));
  return t.right;
})();

const message = (seq: number): DroneMessage => {
  const droneId = 'drone-0007' as DroneMessage['droneId'];
  return {
    type: 'drone.message',
    v: 1,
    id: droneMessageId(droneId, seq),
    droneId,
    seq,
    time: '2026-11-27T18:49:16.123Z' as DroneMessage['time'],
    location: { lat: 40.7128, lon: -74.006 },
  };
};

describe('Analysis > stored sources', function () {
  this.timeout(30_000);
  const dir = mkdtempSync(join(tmpdir(), 'stored-sources-spec-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const batch = (name: string, lines: ReadonlyArray<string>) => {
    const file = join(dir, `${name}.ndjson.gz`);
    writeFileSync(file, gzipSync(lines.join('\n')));
    return file;
  };

  const analyse = async (ports: Omit<RunPorts, 'engine' | 'progress'>): Promise<RunResult> => {
    const engine = await createEngine({ workDir: mkdtempSync(join(dir, 'work-')) });
    return runAnalysis(
      { nypdFiles: [], codes, humanCodes: DEFAULT_HUMAN_CODES, today: '2026-11-27', top: 10 },
      { engine, progress: () => undefined, ...ports },
    ).finally(() => engine.close());
  };

  it('lists what the archive and the hot tables held, not only their NYPD tickets', async () => {
    // 3 messages archived (one raw copy), a line that is not a message; no ticket archived.
    const messages = batch('m', [
      ...[1, 2, 3, 3].map((seq) => JSON.stringify(message(seq))),
      '{"type":"drone.message","v":1}',
    ]);
    const archive: ArchiveCache = {
      sync: (type) =>
        Promise.resolve({ ndjson: type === 'drone.message' ? [messages] : [], parquet: [] }),
    };
    const items = (list: ReadonlyArray<unknown>): AsyncIterable<unknown> =>
      (async function* () {
        await Promise.resolve();
        yield* list;
      })();
    const { files } = await analyse({
      archive,
      hotTables: { messages: () => items([message(3), message(4)]), alarms: () => items([]) },
    });
    assert.equal(
      files.get('sources.csv'),
      [
        'source,kind,records,rows_read,accepted,rejected',
        'archive,archive,nypd.ticket,0,0,0',
        'archive,archive,drone.message,5,4,1',
        'archive,archive,alarm.raised,0,0,0',
        'archive,archive,alarm.resolved,0,0,0',
        'DynamoDB hot tables,dynamo,drone.message,2,2,0',
        'DynamoDB hot tables,dynamo,alarm.raised,0,0,0',
        '',
      ].join('\n'),
    );
  });

  it('counts the dead letters beside the archive, one data-quality row per actor and reason', async () => {
    const archive: ArchiveCache = { sync: () => Promise.resolve({ ndjson: [], parquet: [] }) };
    const rows = async (deadLetters?: RunPorts['deadLetters']) => {
      const { files } = await analyse({ archive, ...(deadLetters ? { deadLetters } : {}) });
      return (files.get('data_quality.csv') ?? '')
        .split('\n')
        .filter((l) => l.startsWith('dead_letter,'));
    };
    assert.deepEqual(
      await rows(() =>
        Promise.resolve({
          byReason: [
            { actor: 'alert-system', reason: 'DecodeFailure', n: 6 },
            { actor: 'stream-to-storage', reason: 'IdConflict', n: 2 },
          ],
          listed: 8,
          truncated: false,
        }),
      ),
      [
        'dead_letter,alert-system: DecodeFailure,6,,',
        'dead_letter,stream-to-storage: IdConflict,2,,',
      ],
    );
    assert.deepEqual(
      await rows(() =>
        Promise.resolve({
          byReason: [{ actor: 'alert-system', reason: 'not_read', n: 3 }],
          listed: 3,
          truncated: true,
        }),
      ),
      ['dead_letter,alert-system: not_read,3,,', 'dead_letter,listing_stopped_at_limit,3,,'],
    );
    assert.deepEqual(await rows(), []);
  });
});
