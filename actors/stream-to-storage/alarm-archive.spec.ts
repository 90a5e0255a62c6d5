import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';

import type { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';

import { createEventHub, type RuntimeEvent } from '../../runtime/events.ts';
import { arbAlarmEscalated, arbAlarmRaised, arbAlarmResolved } from '../protocol/alarm.arb.ts';
import { type AlarmEvent } from '../protocol/alarm.ts';
import { type AlarmArchiveDeps, alarmArchiveHandler } from './alarm-archive.ts';
import { type ArchiveLimits, createS3Archive, defaultArchiveLimits } from './s3-archive.ts';

/** An S3 client that keeps what it is given (or refuses, while `failing`). */
const fakeS3 = () => {
  const objects = new Map<string, string[]>();
  const state = { failing: false };
  const s3 = {
    send: (cmd: PutObjectCommand) => {
      if (state.failing) return Promise.reject(new Error('s3 down'));
      const body = gunzipSync(cmd.input.Body as Uint8Array).toString('utf8');
      objects.set(cmd.input.Key!, body.trimEnd().split('\n'));
      return Promise.resolve({});
    },
  } as unknown as S3Client;
  return { s3, objects, state };
};

const setup = (limits: Partial<ArchiveLimits> = {}, maxBodyBytes?: number) => {
  const store = fakeS3();
  const letters: Array<{ body: string; reasons: ReadonlyArray<string> }> = [];
  const letterState = { failing: false };
  const events = createEventHub();
  const seen: RuntimeEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  const counts = { archived: 0, deadLettered: 0 };
  const deps: AlarmArchiveDeps = {
    archive: createS3Archive(store.s3, 'bucket', 'archive/', {
      ...defaultArchiveLimits,
      ...limits,
    }),
    deadLetters: {
      put: (body, reasons) =>
        letterState.failing
          ? Promise.reject(new Error('s3 down'))
          : (letters.push({ body: String(body), reasons }), Promise.resolve()),
    },
    events,
    queue: 'prestacop-alarm-archive',
    now: () => Date.parse('2026-11-27T18:30:00.000Z'),
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
  };
  const handle = alarmArchiveHandler(deps, {
    archived: () => void counts.archived++,
    deadLettered: () => void counts.deadLettered++,
  });
  return { handle, deps, store, letters, letterState, counts, seen };
};

const sample = <A>(arb: fc.Arbitrary<A>, n: number): A[] => fc.sample(arb, { numRuns: n, seed: 7 });
const events = (): AlarmEvent[] => [
  ...sample(arbAlarmRaised, 3),
  ...sample(arbAlarmEscalated, 2),
  ...sample(arbAlarmResolved, 2),
];

describe('StreamToStorage > alarm archive', () => {
  it('archives each event under its type and ingestion hour, one line per event, as encoded', async () => {
    const { handle, deps, store, counts } = setup();
    const all = events();
    const done = Promise.all(all.map((e) => handle(JSON.stringify(e))));
    await deps.archive.flush();
    await done;
    assert.equal(counts.archived, all.length);
    const keys = [...store.objects.keys()].sort();
    assert.deepEqual(
      keys.map((k) => k.split('/').slice(0, 4).join('/')),
      [
        'archive/type=alarm.escalated/day=2026-11-27/hour=18',
        'archive/type=alarm.raised/day=2026-11-27/hour=18',
        'archive/type=alarm.resolved/day=2026-11-27/hour=18',
      ],
    );
    assert.match(keys[0]!, /\/sqs-\d+-[0-9a-f]{16}\.ndjson\.gz$/);
    const lines = [...store.objects.values()].flat().map((l) => JSON.parse(l) as AlarmEvent);
    assert.deepEqual(lines.map((l) => l.id).sort(), all.map((e) => e.id).sort());
  });

  it('dead-letters a body that is too large, not JSON, or not an alarm event, with the reason, counted', async () => {
    const { handle, letters, counts, seen, store } = setup({}, 2_048);
    const [raised] = sample(arbAlarmRaised, 1);
    await handle('x'.repeat(2_049));
    await handle('{"type": "alarm.raised", ');
    await handle(JSON.stringify({ ...raised, violationCode: 'seven' }));
    await handle(JSON.stringify({ type: 'drone.silent', v: 1 }));
    assert.equal(counts.deadLettered, 4);
    assert.equal(counts.archived, 0);
    assert.equal(store.objects.size, 0);
    assert.match(
      letters[0]!.reasons.join(),
      /too large: 2049 bytes, the message contract allows 2048/,
    );
    assert.match(letters[1]!.reasons.join(), /not JSON/);
    assert.match(letters[2]!.reasons.join(), /violationCode/);
    assert.match(letters[3]!.reasons.join(), /type/);
    assert.equal(letters[2]!.body, JSON.stringify({ ...raised, violationCode: 'seven' }));
    const dead = seen.filter((e) => e.type === 'bus.dead_lettered');
    assert.equal(dead.length, 4);
    assert.equal(dead[0]!.actor, 'stream-to-storage/alarms');
  });

  it('reads a body at the size bound', async () => {
    const json = JSON.stringify(sample(arbAlarmRaised, 1)[0]);
    const { handle, deps, counts } = setup({}, Buffer.byteLength(json));
    const done = handle(json);
    await deps.archive.flush();
    await done;
    assert.equal(counts.archived, 1);
  });

  it('cuts a batch at its record bound, its byte bound and its age bound', async () => {
    const byCount = setup({ maxRecords: 3, maxAgeMs: 60_000 });
    const raised = sample(arbAlarmRaised, 7);
    const pending = raised.map((e) => byCount.handle(JSON.stringify(e)));
    await Promise.all(pending.slice(0, 6)); // two full batches are written without a flush
    assert.deepEqual(
      [...byCount.store.objects.values()].map((l) => l.length),
      [3, 3],
    );
    await byCount.deps.archive.flush();
    await pending[6];

    const byBytes = setup({ maxBytes: 1, maxAgeMs: 60_000 });
    await Promise.all(raised.slice(0, 2).map((e) => byBytes.handle(JSON.stringify(e))));
    assert.equal(byBytes.store.objects.size, 2);

    const byAge = setup({ maxAgeMs: 20 });
    const started = Date.now();
    await byAge.handle(JSON.stringify(raised[0]));
    assert.equal(byAge.store.objects.size, 1);
    assert.ok(Date.now() - started < 5_000);
  });

  it('rejects (the message stays on the queue) when the archive or the dead letter cannot be written', async () => {
    const { handle, deps, store, letterState, counts } = setup();
    const [raised] = sample(arbAlarmRaised, 1);
    store.state.failing = true;
    const archiving = handle(JSON.stringify(raised));
    await deps.archive.flush();
    await assert.rejects(archiving, (e: { _tag?: string }) => e._tag === 'PortFailure');
    letterState.failing = true;
    await assert.rejects(handle('not json'), /s3 down/);
    assert.deepEqual(counts, { archived: 0, deadLettered: 0 });
  });
});
