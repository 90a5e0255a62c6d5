/**
 * The console shows how many dead letters the alert system noted as needing a person, and where they are: the
 * count on `/api/alarms` and the event stream (pushed when it changes), and the page's sentence.
 */
import assert from 'node:assert/strict';

import { portFailure } from '../../runtime/errors.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { needsHumanNote as note } from './browser/alarms.ts';
import { memoryConsoleDeps } from './memory.ts';
import type { ConsoleCounts } from './model.ts';
import type { NeedsHumanSummary } from './ports.ts';
import { type OperatorConsole, startOperatorConsole } from './service.ts';

const summary = (code: number, unreadable = 0): NeedsHumanSummary => ({
  code,
  unreadable,
  truncated: false,
  notes: 's3://prestacop-archive/needs-human/',
  letters: 's3://prestacop-archive/dead-letter/actor=alert-system/',
  examples: [{ verdict: 'code', deadLetter: 'alert-system_drones_shardId-000000000001_4955_0' }],
});

describe('Operator console > dead letters that need a human', () => {
  let running: OperatorConsole | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('shows the count and where to find them, read again as the notes change, a failed read keeping the last', async () => {
    let answer: NeedsHumanSummary | 'fail' = summary(3);
    let reads = 0;
    running = await startOperatorConsole({
      ...memoryConsoleDeps(60_000),
      needsHuman: {
        summary: () => {
          reads++;
          return answer === 'fail'
            ? Promise.reject(portFailure('s3', new Error('down')))
            : Promise.resolve(answer);
        },
      },
      needsHumanPollMs: 30,
    });
    const counts = async () =>
      ((await (await fetch(`${running!.url}api/alarms`)).json()) as { counts: ConsoleCounts })
        .counts;
    await waitFor(
      'the first count',
      async () => (await counts()).needsHuman?.code,
      3_000,
      (c) => c === 3,
    );
    assert.deepEqual((await counts()).needsHuman, summary(3));
    // The event stream carries it too (the page's source).
    const events = await fetch(`${running.url}events`);
    const reader = events.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value as Uint8Array);
    await reader.cancel();
    assert.match(first, /"needsHuman":\{"code":3,/);
    assert.match(first, /s3:\/\/prestacop-archive\/dead-letter\/actor=alert-system\//);
    answer = 'fail';
    const failedFrom = reads;
    await waitFor(
      'failed reads',
      () => reads,
      3_000,
      (n) => n >= failedFrom + 2,
    );
    assert.equal((await counts()).needsHuman?.code, 3); // the last summary read stays shown
    answer = summary(4, 1);
    await waitFor(
      'the count read again',
      async () => (await counts()).needsHuman?.code,
      3_000,
      (c) => c === 4,
    );
    assert.equal((await counts()).needsHuman?.unreadable, 1);
  });

  it('counts nothing without a source (the count is absent, not zero)', async () => {
    running = await startOperatorConsole({
      ...memoryConsoleDeps(60_000),
    });
    assert.equal(running.counts().needsHuman, undefined);
  });
});

describe('Operator console > page > dead letters that need a human', () => {
  it('says how many carried a code that needs a human, how many could not be read, and where they are', () => {
    assert.equal(
      note(summary(3, 2)),
      '3 dead-lettered messages carried a code that needs a human; 2 could not be read and may need one. ' +
        'Find them in s3://prestacop-archive/dead-letter/actor=alert-system/, named in ' +
        's3://prestacop-archive/needs-human/ (e.g. alert-system_drones_shardId-000000000001_4955_0).',
    );
    assert.match(
      note({ ...summary(1), truncated: true }),
      /^1 \(at least\) dead-lettered message carried/,
    );
  });

  it('says nothing when there are none, or nothing was read', () => {
    assert.equal(note(summary(0)), '');
    assert.equal(note(undefined), '');
    assert.equal(note(null), '');
  });
});
