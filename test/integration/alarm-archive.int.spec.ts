/**
 * The alarm events into the archive on the local stack: the alert system's and the console's SNS adapters publish
 * on the provisioned alarm topic, stream-to-storage (its declaration, as deployed) takes them from its provisioned
 * queue (raw delivery, alarm events only) into gzip NDJSON batches, and the analysis counts each alarm and decision
 * once, from the archive, the tables and the compacted hours alike. Hostile bodies land in the dead letters with
 * their reason and leave the queue; a body whose archive object could not be written stays on it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';

import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';

import { createSnsAlarmPublisher } from '../../actors/alert-system/sns-publisher.ts';
import { createSnsWatchPublisher } from '../../actors/drone-watchdog/sns-publisher.ts';
import { createSnsEscalationPublisher } from '../../actors/operator-console/sns-escalations.ts';
import {
  type AlarmRaised,
  decodeDroneMessage,
  DEFAULT_HUMAN_CODES,
  loadResourcesOrThrow,
  loadViolationCodes,
  toAlarmEscalated,
  toAlarmRaised,
  toAlarmResolved,
  toDroneSilent,
  utcTimeOf,
  type ViolationMessage,
} from '../../actors/protocol/index.ts';
import { streamToStorage } from '../../actors/stream-to-storage/actor.ts';
import { launchAlarmArchive } from '../../actors/stream-to-storage/alarm-archive.ts';
import { compactArchive } from '../../analysis/archive/compact.ts';
import { listKeys } from '../../analysis/archive/listing.ts';
import { createEngine } from '../../analysis/engine/duckdb.ts';
import { createArchiveCache } from '../../analysis/load/archive-cache.ts';
import { runAnalysis } from '../../analysis/run.ts';
import { queueUrlOf, topicArnOf } from '../../runtime/aws/lookup.ts';
import { createBucket, createStream } from '../../runtime/aws/provision.ts';
import { E } from '../../runtime/codec.ts';
import { createEventHub } from '../../runtime/events.ts';
import { launchable } from '../../runtime/launcher.ts';
import { stackEnv } from '../../runtime/local-stack/index.ts';
import { createLogger } from '../../runtime/log.ts';
import { MetricsRegistry } from '../../runtime/metrics.ts';
import { queueDepth } from '../helpers/sqs.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

const spec = loadResourcesOrThrow();
const codes = (() => {
  const t = loadViolationCodes();
  if (E.isLeft(t)) throw new Error(t.left.issues.join('\n'));
  return t.right;
})();

/** An alarm of this run (its id unique, so the shared topic's other traffic never counts). */
const alarmOf = (run: string, n: number): AlarmRaised => {
  const m = decodeDroneMessage({
    type: 'drone.message',
    v: 1,
    id: `drone-${run}${n}:1`,
    droneId: `drone-${run}${n}`,
    seq: 1,
    time: new Date(Date.now() - 1_000).toISOString(),
    location: { lat: 40.758, lon: -73.9855 },
    violationCode: 14,
    violationImageId: `img-${run}-${n}`,
  });
  if (E.isLeft(m)) throw new Error(m.left.issues.join('\n'));
  return toAlarmRaised(m.right as ViolationMessage, utcTimeOf(Date.now()), 'Manhattan');
};

describe('StreamToStorage > alarm archive > on the local stack', function () {
  this.timeout(120_000);
  let stack: TestStack;
  const dir = mkdtempSync(join(tmpdir(), 'alarm-archive-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    stack = await useStack();
  });

  const left = (queueUrl: string) => queueDepth(stack.clients.sqs, queueUrl);
  const queueOf = async (visibilitySeconds: number): Promise<string> =>
    (
      await stack.clients.sqs.send(
        new CreateQueueCommand({
          QueueName: uniqueName('alarm-archive'),
          Attributes: { VisibilityTimeout: String(visibilitySeconds) },
        }),
      )
    ).QueueUrl!;
  const send = (queueUrl: string, bodies: ReadonlyArray<string>) =>
    stack.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );
  const bucketOf = async (): Promise<string> => {
    const bucket = uniqueName('alarm-archive');
    await createBucket(stack.clients, bucket);
    return bucket;
  };
  /** Every object under `prefix`, as its text (gunzipped when it is a batch). */
  const objects = async (bucket: string, prefix: string): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for await (const { key } of listKeys(stack.clients.s3, bucket, prefix)) {
      const got = await stack.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      out.set(key, (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
    }
    return out;
  };
  const linesOf = (texts: Map<string, string>, type: string) =>
    [...texts]
      .filter(([key]) => key.startsWith(`archive/type=${type}/`))
      .flatMap(([, text]) => text.trimEnd().split('\n'))
      .map((l) => JSON.parse(l) as { id: string });

  it('archives the three events the alarm topic carries, and the analysis counts each alarm and decision once', async () => {
    const run = String(Date.now() % 1e6);
    const bucket = await bucketOf();
    const [drones, history] = [uniqueName('drones'), uniqueName('history')];
    await Promise.all([
      createStream(stack.clients, drones, 1),
      createStream(stack.clients, history, 1),
    ]);
    const topicArn = await topicArnOf(stack.clients.sns, spec.topics.alarms.name);
    const archiveQueue = await queueUrlOf(stack.clients.sqs, spec.queues.alarmArchive.name);

    // The real adapters on the provisioned topic: the alert system raises (one alarm published twice, as a retried
    // publish does), the console escalates and decides, the watchdog reports a silent drone (not an alarm event:
    // the queue's filter policy keeps it out).
    const [a1, a2] = [alarmOf(run, 1), alarmOf(run, 2)];
    const alerts = createSnsAlarmPublisher(stack.clients.sns, topicArn);
    const consolePublisher = createSnsEscalationPublisher(stack.clients.sns, topicArn);
    const at = utcTimeOf(Date.now());
    const escalation = toAlarmEscalated({
      alarmId: a2.id,
      level: 1,
      reason: 'unacknowledged',
      afterMs: 60_000,
      escalatedAt: at,
    });
    const ack = toAlarmResolved({ alarmId: a1.id, decision: 'acknowledged', by: 'ofc.a', at });
    const confirm = toAlarmResolved({ alarmId: a1.id, decision: 'confirmed', by: 'ofc.a', at });
    await alerts.publish(a1);
    await alerts.publish(a1);
    await alerts.publish(a2);
    await consolePublisher.publish(escalation, a2);
    await consolePublisher.publishDecision(ack, a1);
    await consolePublisher.publishDecision(confirm, a1);
    await createSnsWatchPublisher(stack.clients.sns, topicArn).publish(
      toDroneSilent({
        droneId: a1.droneId,
        lastSeenAt: at,
        silentAfterMs: 30_000,
        raisedAt: at,
      }),
    );

    // stream-to-storage as deployed: its declaration, configured by env.
    const events = createEventHub();
    const started = await launchable(streamToStorage).start(
      {
        clients: stack.clients,
        events,
        metrics: new MetricsRegistry(),
        log: createLogger('stream-to-storage', 'error'),
      },
      {
        ...stackEnv(stack),
        PRESTACOP_DRONE_STREAM: drones,
        PRESTACOP_HISTORY_STREAM: history,
        PRESTACOP_BUCKET: bucket,
      },
    );
    if (E.isLeft(started)) throw new Error(started.left.issues.join('; '));
    const mine = new Set<string>([a1.id, a2.id, escalation.id, ack.id, confirm.id]);
    const archived = async () => {
      const texts = await objects(bucket, 'archive/');
      return ['alarm.raised', 'alarm.escalated', 'alarm.resolved'].flatMap((type) =>
        linesOf(texts, type).filter((l) => mine.has(l.id)),
      ).length;
    };
    try {
      await waitFor('the six publishes archived', archived, 30_000, (n) => n >= 6);
      await waitFor(
        'the queue emptied',
        () => left(archiveQueue),
        20_000,
        (n) => n === 0,
      );
    } finally {
      await started.right.stop();
    }
    const texts = await objects(bucket, 'archive/');
    assert.deepEqual(
      linesOf(texts, 'alarm.raised')
        .map((l) => l.id)
        .sort(),
      [a1.id, a1.id, a2.id].sort(), // the publish twice: a raw copy
    );
    assert.deepEqual(
      linesOf(texts, 'alarm.escalated').map((l) => l.id),
      [escalation.id],
    );
    assert.deepEqual(
      linesOf(texts, 'alarm.resolved')
        .map((l) => l.id)
        .sort(),
      [ack.id, confirm.id].sort(),
    );
    assert.equal(
      [...texts.keys()].filter((k) => /type=drone\./.test(k)).length,
      0,
      'the drone watchdog event never reached the queue',
    );
    assert.equal((await objects(bucket, 'dead-letter/')).size, 0, 'nor anything else to refuse');
    assert.ok([...texts.keys()].every((k) => /\/day=\d{4}-\d\d-\d\d\/hour=\d\d\/sqs-/.test(k)));

    // The analysis: the archive, and the tables holding the same alarm and decision; then the compacted hours.
    const relations = async (label: string) => {
      const engine = await createEngine({ workDir: mkdtempSync(join(dir, 'work-')) });
      // What the alarm store and the console's table hold: a1 and its acknowledgement, also archived.
      const each = (items: ReadonlyArray<unknown>): AsyncIterable<unknown> => Readable.from(items);
      try {
        await runAnalysis(
          {
            nypdFiles: [],
            codes,
            humanCodes: DEFAULT_HUMAN_CODES,
            today: at.slice(0, 10),
            top: 10,
          },
          {
            engine,
            progress: () => undefined,
            archive: createArchiveCache(stack.clients.s3, { bucket }, join(dir, `cache-${label}`)),
            hotTables: {
              messages: () => each([]),
              alarms: () => each([JSON.parse(JSON.stringify(a1)) as unknown]),
              decisions: () => each([JSON.parse(JSON.stringify(ack)) as unknown]),
            },
          },
        );
        return {
          alarms: await engine.all('SELECT id, borough FROM alarms ORDER BY id'),
          decisions: await engine.all(
            'SELECT alarm_id, decision FROM decisions ORDER BY alarm_id, decision',
          ),
        };
      } finally {
        engine.close();
      }
    };
    const expected = {
      alarms: [
        { id: a1.id, borough: 'Manhattan' },
        { id: a2.id, borough: 'Manhattan' },
      ],
      decisions: [
        { alarm_id: a1.id, decision: 'acknowledged' },
        { alarm_id: a1.id, decision: 'confirmed' },
      ],
    };
    assert.deepEqual(await relations('ndjson'), expected);

    const engine = await createEngine({ workDir: mkdtempSync(join(dir, 'work-')) });
    try {
      const hours = await compactArchive(
        { bucket, graceMs: 0, workDir: mkdtempSync(join(dir, 'compact-')) },
        {
          s3: stack.clients.s3,
          engine,
          now: () => Date.now() + 3_600_000,
          progress: () => undefined,
        },
      );
      assert.deepEqual([...new Set(hours.map((h) => `${h.hour.type} ${h.outcome.kind}`))].sort(), [
        'alarm.escalated compacted',
        'alarm.raised compacted',
        'alarm.resolved compacted',
      ]);
    } finally {
      engine.close();
    }
    assert.deepEqual(await relations('parquet'), expected);
  });

  it('archives a backlog of 250 bodies at once, long before the batches age', async () => {
    const bucket = await bucketOf();
    const queueUrl = await queueOf(30);
    const run = String(Date.now() % 1e6);
    const alarms = Array.from({ length: 250 }, (_, n) => alarmOf(run, n));
    for (let i = 0; i < alarms.length; i += 10)
      await send(
        queueUrl,
        alarms.slice(i, i + 10).map((a) => JSON.stringify(a)),
      );
    // Batches of a minute: only the record cut (250, the default) writes them in time. Two loops of ten, each
    // waiting for its ten, held 20 bodies at most: their batch waited for its minute.
    const input = await launchAlarmArchive(stack.clients, {
      bucket,
      queue: queueUrl,
      events: createEventHub(),
      limits: { maxAgeMs: 60_000 },
    });
    try {
      await waitFor(
        'the queue emptied',
        () => left(queueUrl),
        20_000,
        (n) => n === 0,
      );
    } finally {
      await input.stop();
    }
    assert.equal(input.archived(), 250);
    const texts = await objects(bucket, 'archive/');
    assert.equal(texts.size, 1, 'one batch of 250 records');
    assert.deepEqual(
      linesOf(texts, 'alarm.raised')
        .map((l) => l.id)
        .sort(),
      alarms.map((a) => a.id).sort(),
    );
  });

  it('dead-letters an oversized, a non-JSON and a wrong-schema body with its reason, and deletes them', async () => {
    const bucket = await bucketOf();
    const queueUrl = await queueOf(30);
    await send(queueUrl, [
      JSON.stringify({ ...alarmOf('x', 1), address: 'x'.repeat(70 * 1024) }),
      '{"type":"alarm.raised",',
      JSON.stringify({ ...alarmOf('x', 2), violationCode: 'fourteen' }),
    ]);
    const input = await launchAlarmArchive(stack.clients, {
      bucket,
      queue: queueUrl,
      events: createEventHub(),
    });
    try {
      await waitFor(
        'three dead letters',
        async () => (await objects(bucket, 'dead-letter/')).size,
        20_000,
        (n) => n === 3,
      );
      await waitFor(
        'the queue emptied',
        () => left(queueUrl),
        20_000,
        (n) => n === 0,
      );
    } finally {
      await input.stop();
    }
    assert.equal(input.deadLettered(), 3);
    const letters = [...(await objects(bucket, 'dead-letter/'))];
    assert.ok(letters.every(([k]) => k.startsWith('dead-letter/actor=stream-to-storage.alarms/')));
    const reasons = letters
      .map(([, text]) => JSON.parse(text) as { errorTag: string; reasons: string[] })
      .map((l) => `${l.errorTag}: ${l.reasons.join('; ')}`)
      .sort();
    assert.equal(reasons.length, 3);
    assert.match(
      reasons.join('\n'),
      /DecodeFailure: .*: too large: \d+ bytes, the message contract allows 65536/,
    );
    assert.match(reasons.join('\n'), /DecodeFailure: .*: not JSON/);
    assert.match(reasons.join('\n'), /DecodeFailure: .*violationCode/);
    assert.equal((await objects(bucket, 'archive/')).size, 0);
  });

  it('leaves a body on the queue while its archive object cannot be written, and archives it once it can', async () => {
    const queueUrl = await queueOf(1);
    const a = alarmOf(String(Date.now() % 1e6), 3);
    await send(queueUrl, [JSON.stringify(a)]);
    const errors: unknown[] = [];
    // Batches of 200 ms: well within the queue's visibility timeout of 1 s, as 5 s are within SQS's 30 s.
    const limits = { maxAgeMs: 200 };
    const broken = await launchAlarmArchive(stack.clients, {
      bucket: uniqueName('no-such-bucket'),
      queue: queueUrl,
      events: createEventHub(),
      limits,
      onError: (e) => errors.push(e),
    });
    try {
      // Handed out, refused, handed out again after its visibility timeout: never deleted.
      await waitFor(
        'two failed attempts',
        () => errors.length,
        30_000,
        (n) => n >= 2,
      );
      assert.equal(await left(queueUrl), 1);
    } finally {
      await broken.stop();
    }
    assert.equal(broken.archived(), 0);

    const bucket = await bucketOf();
    const fixed = await launchAlarmArchive(stack.clients, {
      bucket,
      queue: queueUrl,
      events: createEventHub(),
      limits,
    });
    try {
      await waitFor(
        'the queue emptied',
        () => left(queueUrl),
        30_000,
        (n) => n === 0,
      );
    } finally {
      await fixed.stop();
    }
    assert.deepEqual(
      linesOf(await objects(bucket, 'archive/'), 'alarm.raised').map((l) => l.id),
      [a.id],
    );
  });
});
