/**
 * `npm run swarm` end to end, as a user runs it (a child process), on the shared test stack: 20 drones fly, the
 * swarm drains and writes its summary; a separate count of the table and the archive must agree with it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';

import { archivedLines } from '../../actors/stream-to-storage/readers.ts';
import { loadResourcesOrThrow } from '../../runtime/aws/resources.ts';
import { stackEnv } from '../../runtime/local-stack/index.ts';
import { useStack } from '../helpers/stack.ts';

const run = promisify(execFile);

interface Summary {
  runId: string;
  startedAt: string;
  sent: number;
  alarmsExpected: number;
  violationImages: number;
  alarmsPublished: number;
  storedDynamo: number;
  archivedDistinct: number;
  archivedRawCopies: number;
  lost: number;
  deadLetters: number;
  drained: boolean;
}

describe('Swarm > npm run swarm on the local stack', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'swarm-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stores every message it sent, and its summary agrees with a separate count', async () => {
    const stack = await useStack();
    const spec = loadResourcesOrThrow();
    const summaryFile = join(dir, 'summary.json');
    const { stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/swarm.ts',
        '--drones',
        '20',
        '--alarm-rate',
        '0.05',
        '--interval',
        '500',
        '--duration',
        '6',
        '--drain-timeout',
        '30',
        '--seed',
        '7',
        '--summary',
        summaryFile,
        '--log-level',
        'warn',
      ],
      {
        env: { ...process.env, ...stackEnv(stack), PRESTACOP_SWARM_STACK: 'external' },
        timeout: 100_000,
      },
    );
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
    assert.match(stderr, /20 drones flying/);
    assert.match(stderr, /operator console: http:\/\/127\.0\.0\.1:\d+\//);
    // 20 drones × 2 msg/s × 6 s = 240 on an idle machine; a loaded one (load 18) managed 43. At least one per drone.
    assert.ok(summary.sent >= 20, `sent ${summary.sent}`);
    assert.equal(summary.lost, 0);
    assert.equal(summary.storedDynamo, summary.sent);
    assert.equal(summary.archivedDistinct, summary.sent);
    assert.ok(summary.archivedRawCopies >= summary.sent);
    assert.equal(summary.drained, true);
    assert.ok(summary.alarmsExpected > 0);
    assert.equal(summary.violationImages, summary.alarmsExpected); // one picture per alarm, none for the rest
    assert.equal(summary.alarmsPublished, summary.alarmsExpected);

    // A separate count: everything ingested since the run started, read back directly.
    const since = summary.startedAt;
    const table = new Set<string>();
    let key: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await stack.clients.doc.send(
        new ScanCommand({
          TableName: spec.tables.messages.name,
          ProjectionExpression: 'id, ingestedAt',
          ExclusiveStartKey: key,
        }),
      );
      for (const item of page.Items ?? [])
        if ((item.ingestedAt as string) >= since) table.add(item.id as string);
      key = page.LastEvaluatedKey;
    } while (key);
    assert.equal(table.size, summary.sent);
    const archived = new Set<string>();
    for await (const line of archivedLines(stack.clients.s3, spec.buckets.archive.name, {
      type: 'drone.message',
    }))
      archived.add((JSON.parse(line) as { id: string }).id);
    assert.ok(
      [...table].every((id) => archived.has(id)),
      'every stored id is archived',
    );
  });
});
