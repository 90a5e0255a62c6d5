/**
 * `npm run swarm` end to end, as a user runs it (a child process), on the shared test stack: 20 drones fly, the
 * swarm drains and writes its summary; a separate count of the table and the archive must agree with it.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import {
  DeleteMessageCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';

import { createDynamoAlarmStore } from '../../actors/alert-system/dynamo-alarm-store.ts';
import { createSnsAlarmPublisher } from '../../actors/alert-system/sns-publisher.ts';
import { createDynamoDecisionStore } from '../../actors/operator-console/dynamo-events.ts';
import { AlarmRaised } from '../../actors/protocol/alarm.ts';
import { loadResourcesOrThrow } from '../../actors/protocol/index.ts';
import { utcTimeOf } from '../../actors/protocol/time.ts';
import { archivedLines } from '../../actors/stream-to-storage/readers.ts';
import { queueUrlOf, topicArnOf } from '../../runtime/aws/lookup.ts';
import { stackEnv } from '../../runtime/local-stack/index.ts';
import { liveStacks } from '../../runtime/local-stack/registry.ts';
import { useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const run = promisify(execFile);

interface Summary {
  runId: string;
  startedAt: string;
  sent: number;
  alarmsExpected: number;
  violationImages: number;
  alarmsPublished: number;
  storedReported: number;
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
    // The writer runs on a thread of its own: its events reached the swarm's status line.
    assert.ok(summary.storedReported >= summary.sent, `reported ${summary.storedReported}`);
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

  it('on a shared stack: takes nothing from the shared console queue, and its console escalates only its own alarms', async () => {
    const stack = await useStack();
    const spec = loadResourcesOrThrow();
    const { clients } = stack;
    // A stranger's alarm, raised ten minutes ago and never acknowledged: in the alarm store, and delivered to the
    // shared console queue (where its reader has not fetched it yet).
    const id = `drone-9999:${Date.now()}`;
    const raisedAtMs = Date.now() - 600_000;
    const decoded = AlarmRaised.decode({
      type: 'alarm.raised',
      v: 1,
      id,
      messageId: id,
      droneId: 'drone-9999',
      violationCode: 40,
      violationImageId: `img-${id}`,
      location: { lat: 40.758, lon: -73.9855 },
      time: utcTimeOf(raisedAtMs - 100),
      raisedAt: utcTimeOf(raisedAtMs),
      borough: 'Manhattan',
    });
    if (decoded._tag === 'Left') throw new Error('bad fixture');
    const stranger = decoded.right;
    await createDynamoAlarmStore(clients.doc, spec.tables.alarms.name).record(stranger, {
      by: 'stranger',
      at: raisedAtMs,
    });
    const topicArn = await topicArnOf(clients.sns, spec.topics.alarms.name);
    await createSnsAlarmPublisher(clients.sns, topicArn).publish(stranger);

    const summaryFile = join(dir, 'shared-summary.json');
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/swarm.ts',
        ...['--drones', '10', '--alarm-rate', '0.1', '--interval', '500', '--duration', '5'],
        ...['--drain-timeout', '30', '--seed', '11', '--escalate-after-seconds', '1'],
        ...['--summary', summaryFile, '--log-level', 'warn'],
      ],
      {
        env: { ...process.env, ...stackEnv(stack), PRESTACOP_SWARM_STACK: 'external' },
        timeout: 100_000,
      },
    );
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
    assert.ok(summary.alarmsExpected > 0);
    assert.equal(summary.alarmsPublished, summary.alarmsExpected); // counted on its own queue

    // The stranger's message is still in the shared queue.
    const shared = await queueUrlOf(clients.sqs, spec.queues.console.name);
    let found: string | undefined;
    for (let i = 0; i < 30 && found === undefined; i++) {
      const out = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: shared,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 60,
        }),
      );
      if ((out.Messages ?? []).length === 0) break;
      found = out.Messages?.find((m) => m.Body?.includes(id))?.ReceiptHandle;
    }
    assert.ok(found, "the stranger's alarm is still in the shared console queue");
    await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: shared, ReceiptHandle: found }));

    // The swarm's console escalated its own overdue alarms, and not the stranger's.
    const { escalations } = await createDynamoDecisionStore(
      clients.doc,
      spec.tables.alarmEvents.name,
    ).load();
    assert.ok(
      escalations.some(
        (e) => e.event.alarmId.startsWith('drone-0') && e.event.escalatedAt >= summary.startedAt,
      ),
      'the swarm escalated its own alarms',
    );
    assert.deepEqual(
      escalations.filter((e) => e.event.alarmId === id),
      [],
      "the stranger's alarm was not escalated",
    );
    // The run's own queues are gone.
    const left = await clients.sqs.send(
      new ListQueuesCommand({ QueueNamePrefix: 'prestacop-swarm-' }),
    );
    assert.deepEqual(left.QueueUrls ?? [], []);
  });

  it('--stack auto finds the stack `npm run stack -- --data DIR` runs, and the registry forgets it once stopped', async () => {
    const registry = join(dir, 'registry');
    const data = join(dir, 'elsewhere', 'data');
    const { PRESTACOP_STACK_DATA: _ignored, ...inherited } = process.env;
    const env = { ...inherited, PRESTACOP_STACK_REGISTRY: registry };
    const ports = ['kinesis', 'dynamodb', 's3', 'sns'].flatMap((s) => [`--${s}-port`, '0']);
    const owner = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/stack.ts', '--data', data, '--dynamodb-memory', ...ports],
      { env, stdio: 'ignore' },
    );
    const exited = new Promise((r) => owner.once('exit', r));
    try {
      await waitFor(
        'the stack in the registry',
        () => liveStacks(registry),
        60_000,
        (s) => s.length > 0,
      );
      assert.equal(liveStacks(registry)[0]?.dataDir, data);
      const { stderr } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/swarm.ts',
          ...['--drones', '2', '--duration', '1', '--drain-timeout', '30', '--log-level', 'warn'],
        ],
        // Without PRESTACOP_STACK_DATA (a developer's would choose a folder): found through the registry alone.
        { env: { ...env, PRESTACOP_SWARM_STACK: 'auto' }, timeout: 100_000 },
      );
      assert.match(
        stderr,
        new RegExp(`using the local stack already running on ${data} \\(pid ${owner.pid}\\)`),
      );
      assert.doesNotMatch(stderr, /starting the local AWS stack/);
    } finally {
      owner.kill('SIGTERM');
      await exited;
    }
    assert.deepEqual(liveStacks(registry), []);
  });
});
