/**
 * The operator console in real headless Chromium (Debian's chromium + playwright-core) on the local stack: the
 * alert system consumes a drone stream of its own and publishes to a topic of its own; the console reads its own
 * queue on that topic, its own decision table, and the images in the shared bucket. `npm run test:console`.
 */
import assert from 'node:assert/strict';

import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Browser, Page } from 'playwright-core';

import { createSnsAlarmPublisher } from '../../actors/alert-system/sns-publisher.ts';
import {
  createS3ImageStore,
  violationImageSvg,
} from '../../actors/drone-simulator/violation-image.ts';
import {
  createDynamoAlarmSource,
  createDynamoDecisionStore,
} from '../../actors/operator-console/dynamo-events.ts';
import type { AlarmView, ConsoleCounts } from '../../actors/operator-console/model.ts';
import { createS3ImageSource } from '../../actors/operator-console/s3-images.ts';
import {
  type OperatorConsole,
  startOperatorConsole,
} from '../../actors/operator-console/service.ts';
import { createSnsEscalationPublisher } from '../../actors/operator-console/sns-escalations.ts';
import { createSqsAlarmFeed, parseEnvelope } from '../../actors/operator-console/sqs-feed.ts';
import { AlarmRaised } from '../../actors/protocol/alarm.ts';
import { DroneMessage } from '../../actors/protocol/drone-message.ts';
import { utcTimeOf } from '../../actors/protocol/time.ts';
import { loadViolationCodes } from '../../actors/protocol/violation-codes.ts';
import { createTable } from '../../runtime/aws/provision.ts';
import { queueArn } from '../../runtime/aws/provision-verify.ts';
import { createS3BodyDeadLetters } from '../../runtime/aws/s3-dead-letters.ts';
import { topic } from '../../runtime/bus/bus.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { E } from '../../runtime/codec.ts';
import { createEventHub } from '../../runtime/events.ts';
import {
  type AlarmResources,
  createAlarmResources,
  startAlertSystemOn,
} from '../helpers/alarm-resources.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { type TestStack, uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** Unacknowledged this long after its raise, an alarm is escalated (short, for the test). */
const ESCALATE_MS = 3_000;

const codes = loadViolationCodes();
if (E.isLeft(codes)) throw new Error(codes.left.issues.join('\n'));

describe('Operator console > in headless Chromium', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let r: AlarmResources;
  let eventsTable: string;
  let consoleQueueUrl: string;
  let browser: Browser;
  let page: Page;
  let console_: OperatorConsole;
  const requests: string[] = [];
  const stops: Array<() => Promise<unknown>> = [];
  let seq = 0;
  /** When the last message was handed to the stream (its image is stored before). */
  let lastPutAt = 0;
  const run = Date.now().toString(36);
  /** The dead letters' actor name, unique to this run (they share the stack's bucket). */
  const dlActor = `operator-console-${run}`;

  /**
   * A console on the stack's tables and queue. `escalateAfterMs` is ESCALATE_MS for the escalation cases; a
   * case that clicks a card passes a long one, or the escalation (3 s after the raise) can rebuild the card between
   * the pointer's down and up, and the browser then sends the click to no button: lost, seen as a timeout.
   */
  const startConsole = (escalateAfterMs = ESCALATE_MS) =>
    startOperatorConsole({
      alarms: createDynamoAlarmSource(stack.clients.doc, r.table),
      store: createDynamoDecisionStore(stack.clients.doc, eventsTable),
      feed: createSqsAlarmFeed(stack.clients.sqs, consoleQueueUrl),
      publisher: createSnsEscalationPublisher(stack.clients.sns, r.topicArn),
      images: createS3ImageSource(stack.clients.s3, r.bucket),
      deadLetters: createS3BodyDeadLetters(stack.clients.s3, r.bucket, Date.now, {
        actor: dlActor,
        input: 'alarm-queue',
      }),
      describe: (code) => codes.right.get(code)?.definition,
      escalateAfterMs,
      host: '127.0.0.1',
      port: 0,
      retryMs: 200,
    });

  /** Puts one human-required message on the drone stream (its image in S3 first); returns its id. */
  let send: (fields?: {
    readonly droneId?: string;
    readonly violationImageId?: string;
    readonly address?: string;
  }) => Promise<string>;

  const card = (id: string) => page.locator(`#alarms li[data-id="${id}"]`);
  const api = async (): Promise<{ alarms: AlarmView[]; counts: ConsoleCounts }> =>
    (await (await fetch(`${console_.url}api/alarms`)).json()) as {
      alarms: AlarmView[];
      counts: ConsoleCounts;
    };

  before(async function () {
    this.timeout(120_000);
    stack = await useStack();
    const { clients } = stack;
    r = await createAlarmResources(stack, 2);
    eventsTable = uniqueName('alarm-events');
    const [, queue] = await Promise.all([
      createTable(clients, { name: eventsTable, hashKey: 'id', ttlAttribute: null }),
      clients.sqs.send(new CreateQueueCommand({ QueueName: uniqueName('operator-console') })),
    ]);
    consoleQueueUrl = queue.QueueUrl!;
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: r.topicArn,
        Protocol: 'sqs',
        Endpoint: await queueArn(clients, consoleQueueUrl),
        Attributes: { RawMessageDelivery: 'false' },
      }),
    );

    const events = createEventHub();
    const alerts = startAlertSystemOn(stack, r, events);
    const producer = createKinesisBus({
      clients,
      leaseTable: r.leaseTable,
      events,
      target: 'local',
    });
    stops.push(
      () => alerts.stop(),
      () => producer.close(),
    );
    const drones = topic(r.stream, DroneMessage, (m) => m.droneId);
    const images = createS3ImageStore(clients.s3, r.bucket);
    send = async (fields = {}) => {
      seq++;
      const droneId = fields.droneId ?? `drone-${String(seq).padStart(4, '0')}`;
      const id = `${droneId}:${run}${seq}`;
      const imageId = fields.violationImageId ?? `img-${droneId}-${run}${seq}`;
      await images.put(imageId, violationImageSvg(imageId));
      const decoded = DroneMessage.decode({
        type: 'drone.message',
        v: 1,
        id,
        droneId,
        seq,
        time: utcTimeOf(Date.now()),
        location: { lat: 40.758, lon: -73.9855 },
        violationCode: 40,
        violationImageId: imageId,
        ...fields,
      });
      if (E.isLeft(decoded)) throw new Error(`bad test message ${id}`);
      lastPutAt = Date.now();
      await producer.publish(drones, [decoded.right]);
      return id;
    };

    console_ = await startConsole();
    stops.push(() => console_.stop());
    browser = await launchChromium();
    stops.push(() => browser.close());
    page = await browser.newPage();
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(console_.url);
    // The alert system takes its leases first: one alarm end to end before the timed cases.
    const warm = await send();
    await card(warm).waitFor({ timeout: 60_000 });
  });

  after(async function () {
    this.timeout(30_000);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  it('shows an alarm put on the drone stream within 2 s: code, description, drone, borough, image; newest first', async () => {
    const id = await send({ address: 'W 34 St & 7 Ave' });
    await card(id).waitFor({ timeout: 2_000 });
    const elapsed = Date.now() - lastPutAt;
    assert.ok(elapsed < 2_000, `shown after ${elapsed} ms`);
    console.log(`      (shown ${elapsed} ms after the put on the stream)`);
    const text = await card(id).innerText();
    for (const part of [
      'Code 40',
      'fire hydrant',
      id.split(':')[0]!,
      'Manhattan',
      'W 34 St & 7 Ave',
    ])
      assert.ok(text.includes(part), `"${part}" in ${text}`);
    assert.match(text, /E[SD]T/); // New York time
    const view = (await api()).alarms.find((a) => a.id === id)!;
    const image = await fetch(`${console_.url}images/${encodeURIComponent(view.violationImageId)}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/svg+xml');
    assert.match(await image.text(), /^<svg /);
    await waitFor(
      'the image',
      async () =>
        await card(id)
          .locator('img')
          .evaluate(
            (i: { complete: boolean; naturalWidth: number }) => i.complete && i.naturalWidth > 0,
          ),
      5_000,
    );
    const first = await page.locator('#alarms li').first().getAttribute('data-id');
    assert.equal(first, id);
    const open = Number(await page.locator('#count-open').innerText());
    assert.equal(open, (await api()).counts.open);
  });

  it('acknowledge then confirm is recorded in DynamoDB (who, when, what), and stays after a reload and a restart', async () => {
    // No escalation while the buttons are clicked: it would rebuild the card under the pointer (see startConsole).
    await console_.stop();
    console_ = await startConsole(3_600_000);
    await page.goto(console_.url);
    await page.fill('#operator', 'ofc.test');
    const id = await send();
    await card(id).waitFor({ timeout: 5_000 });
    await card(id).locator('button[data-action="acknowledge"]').click();
    await page.locator(`#alarms li[data-id="${id}"][data-status="acknowledged"]`).waitFor();
    await card(id).locator('button[data-action="confirm"]').click();
    await page.locator(`#alarms li[data-id="${id}"][data-status="confirmed"]`).waitFor();

    const item = await stack.clients.dynamodb.send(
      new GetItemCommand({ TableName: eventsTable, Key: { id: { S: `${id}:confirmed` } } }),
    );
    assert.equal(item.Item?.type?.S, 'alarm.resolved');
    assert.equal(item.Item?.decision?.S, 'confirmed');
    assert.equal(item.Item?.by?.S, 'ofc.test');
    assert.ok(Math.abs(Date.parse(item.Item?.at?.S ?? '') - Date.now()) < 30_000);

    await page.reload();
    await page.locator(`#alarms li[data-id="${id}"][data-status="confirmed"]`).waitFor();
    assert.match(await card(id).innerText(), /confirmed by ofc\.test/);

    await console_.stop();
    console_ = await startConsole();
    await page.goto(console_.url);
    await page.locator(`#alarms li[data-id="${id}"][data-status="confirmed"]`).waitFor();
    const view = (await api()).alarms.find((a) => a.id === id);
    assert.equal(view?.status, 'confirmed');
    assert.equal(view?.acknowledged?.by, 'ofc.test');
  });

  it('escalates an alarm nobody acknowledges: shown, recorded, re-published on the topic once, counted apart', async () => {
    const id = await send();
    await card(id).waitFor({ timeout: 5_000 });
    await card(id)
      .locator('.badge.escalated')
      .waitFor({ timeout: ESCALATE_MS + 5_000 });
    await waitFor(
      'the escalation marked published',
      async () =>
        (
          await stack.clients.dynamodb.send(
            new GetItemCommand({
              TableName: eventsTable,
              Key: { id: { S: `${id}:escalated:1` } },
              ConsistentRead: true,
            }),
          )
        ).Item?.publishedAt?.S !== undefined,
      5_000,
    );
    // A subscriber of the topic (the helper's queue) got the escalation, with the alarm's attributes.
    const escalations: string[] = [];
    await waitFor(
      'the escalation on the topic',
      async () => {
        const out = await stack.clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: r.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        for (const m of out.Messages ?? []) {
          const item = parseEnvelope(m.Body ?? '');
          if (item._tag === 'event' && item.event.type === 'alarm.escalated')
            escalations.push(item.event.alarmId);
        }
        return escalations.includes(id);
      },
      10_000,
    );
    // A restart recomputes the timers from raisedAt: it finds the escalation recorded and does not repeat it.
    await console_.stop();
    console_ = await startConsole();
    await page.goto(console_.url);
    await card(id).locator('.badge.escalated').waitFor();
    await new Promise((res) => setTimeout(res, 1_000));
    const { alarms, counts } = await api();
    assert.equal(alarms.filter((a) => a.id === id).length, 1);
    assert.ok(counts.escalated >= 1);
    assert.equal(alarms.find((a) => a.id === id)?.status, 'open');
    const item = await stack.clients.dynamodb.send(
      new GetItemCommand({ TableName: eventsTable, Key: { id: { S: `${id}:escalated:2` } } }),
    );
    assert.equal(item.Item, undefined);
  });

  it('shows a hostile address or image id as text, never runs it; a hostile drone id never reaches the page', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const id = await send({
      address: hostile,
      violationImageId: `"><img src=x onerror="window.__pwned=3">`,
    });
    await card(id).waitFor({ timeout: 5_000 });
    assert.ok((await card(id).innerText()).includes(hostile));
    // Straight onto the console's queue: a drone id the protocol forbids is counted as undecodable, not shown.
    const before = (await api()).counts.undecodable;
    const alarm = {
      type: 'alarm.raised',
      v: 1,
      id: 'evil:1',
      messageId: 'evil:1',
      droneId: '<img src=x onerror=alert(1)>',
      violationCode: 40,
      violationImageId: 'x',
      location: { lat: 40.75, lon: -73.98 },
      time: utcTimeOf(Date.now()),
      raisedAt: utcTimeOf(Date.now()),
    };
    assert.ok(E.isLeft(AlarmRaised.decode(alarm)));
    await stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: consoleQueueUrl,
        MessageBody: JSON.stringify({ Type: 'Notification', Message: JSON.stringify(alarm) }),
      }),
    );
    await waitFor(
      'the bad body counted',
      async () => (await api()).counts.undecodable > before,
      5_000,
    );
    await waitFor(
      'the dead letter in S3',
      async () =>
        (
          await stack.clients.s3.send(
            new ListObjectsV2Command({ Bucket: r.bucket, Prefix: `dead-letter/actor=${dlActor}/` }),
          )
        ).Contents?.length === 1,
      5_000,
    );
    await page.reload();
    await card(id).waitFor();
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.equal(await page.locator('#alarms script').count(), 0);
    assert.equal(await card('evil:1').count(), 0);
  });

  it('shows an alarm delivered twice once; GET /api/alarms counts the duplicate', async () => {
    const id = await send();
    await card(id).waitFor({ timeout: 5_000 });
    const stored = (await api()).alarms.find((a) => a.id === id);
    assert.ok(stored);
    // The same alarm published again, as the alert system does when it cannot tell whether it published.
    const decoded = AlarmRaised.decode({
      type: 'alarm.raised',
      v: 1,
      id,
      messageId: id,
      droneId: stored.droneId,
      violationCode: stored.violationCode,
      violationImageId: stored.violationImageId,
      location: stored.location,
      time: stored.time,
      raisedAt: stored.raisedAt,
      borough: stored.borough,
    });
    assert.ok(E.isRight(decoded));
    const before = (await api()).counts.duplicates;
    await createSnsAlarmPublisher(stack.clients.sns, r.topicArn).publish(decoded.right);
    await waitFor(
      'the duplicate counted',
      async () => (await api()).counts.duplicates > before,
      5_000,
    );
    const { alarms } = await api();
    assert.equal(alarms.filter((a) => a.id === id).length, 1);
    assert.equal(alarms.find((a) => a.id === id)?.deliveries, 2);
    assert.equal(await page.locator(`#alarms li[data-id="${id}"]`).count(), 1);
  });

  it('made no request outside its own origin', () => {
    const origin = new URL(console_.url).origin;
    assert.ok(requests.length > 0);
    const foreign = requests.filter((u) => !u.startsWith('http://127.0.0.1:'));
    assert.deepEqual(foreign, [], `requests outside ${origin}`);
  });
});
