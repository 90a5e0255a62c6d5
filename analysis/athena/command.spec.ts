import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { DEFAULT_HUMAN_CODES, loadViolationCodes } from '../../actors/protocol/index.ts';
import { E } from '../../runtime/codec.ts';
import type { StaleMarker } from '../archive/listing.ts';
import { athenaSettings, runOnAthena, StaleMarkersError } from './command.ts';

const ok = {
  workgroup: 'prestacop-analysis',
  database: 'prestacop',
  pricePerTb: 5,
  target: 'aws' as const,
  nypd: undefined,
  dynamo: false,
};

describe('Analysis > --engine athena options', function () {
  this.timeout(60_000);

  it('takes a workgroup, a database and a price on the aws target', () => {
    assert.deepEqual(
      athenaSettings(ok),
      E.right({ workgroup: 'prestacop-analysis', database: 'prestacop', pricePerTb: 5 }),
    );
  });

  it('names every missing or conflicting option', () => {
    const r = athenaSettings({
      ...ok,
      workgroup: undefined,
      database: undefined,
      target: 'local',
      dynamo: true,
    });
    assert.ok(E.isLeft(r));
    assert.deepEqual(
      r.left.map((l) => l.split(' ')[0]),
      ['--workgroup', '--database', '--engine', '--engine'],
    );
  });

  it('exits 78 with the reasons before touching AWS', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'analysis/main.ts', '--out', '/nonexistent', '--engine', 'athena'],
      { encoding: 'utf8', env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_PROFILE: 'none' } },
    );
    assert.equal(run.status, 78, run.stderr);
    assert.match(run.stderr, /--workgroup is required with --engine athena/);
    assert.match(run.stderr, /--engine athena needs --target aws/);
    const price = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'analysis/main.ts',
        '--out',
        '/nonexistent',
        '--engine',
        'athena',
        '--price-per-tb',
        'cheap',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(price.status, 78, price.stderr);
    assert.match(price.stderr, /price/i);
  });
});

describe('Analysis > --engine athena > the compaction markers', () => {
  const codes = loadViolationCodes();
  const late: StaleMarker = {
    type: 'drone.message',
    day: '2026-11-27',
    hour: '11',
    compactedFrom: 1,
    objectsNow: 2,
  };
  /** Runs with a client whose first call stops the run: whether Athena was reached, and the progress lines. */
  const attempt = async (stale: ReadonlyArray<StaleMarker>, allow: boolean) => {
    const calls: string[] = [];
    const lines: string[] = [];
    const client = {
      send: (command: { constructor: { name: string } }) => {
        calls.push(command.constructor.name);
        return Promise.reject(new Error('reached Athena'));
      },
    } as unknown as Parameters<typeof runOnAthena>[0];
    const outcome = await runOnAthena(
      client,
      { workgroup: 'w', database: 'd', pricePerTb: 5 },
      {
        codes: E.isRight(codes) ? codes.right : assert.fail('codes'),
        humanCodes: DEFAULT_HUMAN_CODES,
        top: 50,
        today: '2026-11-27',
        progress: (l) => lines.push(l),
        staleMarkers: () => Promise.resolve(stale),
        allowStaleMarkers: allow,
      },
    ).catch((e: unknown) => e);
    return { outcome, reached: calls.length > 0, lines };
  };

  it('stops before any query when a compacted hour received a batch after its marker (exit 75 in main)', async () => {
    const { outcome, reached, lines } = await attempt([late], false);
    assert.ok(outcome instanceof StaleMarkersError, String(outcome));
    assert.equal(reached, false);
    assert.match(outcome.message, /drone\.message 2026-11-27 11h \(1 objects compacted, 2 now\)/);
    assert.match(outcome.message, /npm run compact/);
    assert.deepEqual(lines, ['checking the compaction markers against the archive']);
  });

  it('queries when every marker covers its hour, or when told to report anyway', async () => {
    for (const [stale, allow] of [
      [[], false],
      [[late], true],
    ] as const) {
      const { outcome, reached } = await attempt(stale, allow);
      assert.equal(reached, true);
      assert.match(String(outcome), /reached Athena/);
    }
  });
});
