/**
 * Reading back what the alert system did, from the outside: which alarms reached a subscriber of the topic (an
 * SQS queue) and which the alarm store holds. For the swarm's summary (`alarmsPublished`), the tests and the
 * benchmark. An alarm counts as published only if both agree: the console reads the store, humans get SNS.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

import { batchGetItems } from '../../runtime/aws/batch-get.ts';
import { subscribeAlarmQueue } from './queue-subscriber.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What the alarm store says about one alarm id. */
export interface StoredAlarm {
  readonly publishedAt?: string;
  /** Publishes confirmed in the store (a crash between publish and mark leaves one unconfirmed). */
  readonly publishCount: number;
}

/** The result of {@link countPublishedAlarms}. */
export interface PublishedAlarms {
  /** Distinct alarm ids received by the queue AND found in the store (of `expectedIds`, when given). */
  readonly published: number;
  /** Distinct alarm ids received by the queue (of `expectedIds`, when given). */
  readonly received: number;
  /** Envelopes received for those ids, duplicates included. */
  readonly receivedCopies: number;
  /** `receivedCopies - received`: duplicate publishes that reached the subscriber (each with the same alarm id). */
  readonly duplicates: number;
  /** Distinct ids found in the store, of those received or expected. */
  readonly stored: number;
  /** Of those, records without `publishedAt` (recorded, publish never confirmed). */
  readonly storedUnconfirmed: number;
  /** Sum over stored records of `publishCount - 1`: duplicate publishes the store knows of. */
  readonly storedDuplicatePublishes: number;
  /** Expected ids not counted as published (empty without `expectedIds`). */
  readonly missing: ReadonlyArray<string>;
  /** Alarms received that were not expected (earlier runs on a long-lived stack): consumed, not counted. */
  readonly unexpected: number;
  /** Queue bodies that were not an alarm envelope. */
  readonly undecodable: number;
}

/** Options of {@link countPublishedAlarms}. */
export interface CountPublishedAlarmsOptions {
  /** The alarm store table (`prestacop-alarms`). */
  readonly table: string;
  /** URL of a queue subscribed to the alarm topic with raw delivery off (`queueUrlOf(sqs, 'prestacop-console')`). */
  readonly queueUrl: string;
  /** The alarm ids to look for (e.g. the fleet's `alarmIds`); others are ignored. Without it, every alarm counts. */
  readonly expectedIds?: ReadonlySet<string>;
  /** Longest wait for the expected ids to arrive (default 30 s). */
  readonly timeoutMs?: number;
  /**
   * Without `expectedIds`: stop once nothing arrived for this long (default 2 s). With them: stop once all arrived
   * and nothing else did for this long (default 0.5 s: late duplicates still count), or at `timeoutMs`.
   */
  readonly idleMs?: number;
  /** Delete received messages (default true). fauxqs keeps queues in memory: a restart empties them anyway. */
  readonly consume?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// readers

/**
 * Which of `ids` the alarm store holds, with their delivery bookkeeping (runtime's `batchGetItems`).
 * @example const byId = await storedAlarms(clients.doc, 'prestacop-alarms', ['drone-0001:17']);
 */
export const storedAlarms = async (
  doc: DynamoDBDocumentClient,
  table: string,
  ids: ReadonlyArray<string>,
): Promise<Map<string, StoredAlarm>> => {
  const found = new Map<string, StoredAlarm>();
  const items = await batchGetItems(doc, table, ids, {
    projection: 'id, publishedAt, publishCount',
  });
  for (const item of items)
    found.set(item.id as string, {
      ...(typeof item.publishedAt === 'string' ? { publishedAt: item.publishedAt } : {}),
      publishCount: typeof item.publishCount === 'number' ? item.publishCount : 0,
    });
  return found;
};

/**
 * Counts the alarms that were published: drains the queue (long polls until the expected ids arrived, or until
 * it stays empty), then looks the received ids up in the store. Call it after the alert system caught up (its
 * checkpoints past the stream's end): SNS → SQS delivery is then a matter of milliseconds.
 *
 * @example
 * const r = await countPublishedAlarms(clients, {
 *   table: 'prestacop-alarms', queueUrl: await queueUrlOf(clients.sqs, 'prestacop-console'), expectedIds: fleet.alarmIds,
 * });
 * summary.alarmsPublished = r.published;
 */
export const countPublishedAlarms = async (
  clients: { readonly doc: DynamoDBDocumentClient; readonly sqs: SQSClient },
  options: CountPublishedAlarmsOptions,
): Promise<PublishedAlarms> => {
  const expected = options.expectedIds;
  const idleMs = options.idleMs ?? (expected ? 500 : 2_000);
  const copies = new Map<string, number>();
  let unexpected = 0;
  let lastArrival = Date.now();
  const subscriber = subscribeAlarmQueue(
    clients.sqs,
    options.queueUrl,
    ({ alarm }) => {
      lastArrival = Date.now();
      if (expected && !expected.has(alarm.id)) unexpected++;
      else copies.set(alarm.id, (copies.get(alarm.id) ?? 0) + 1);
    },
    { consume: options.consume ?? true },
  );
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const done = () =>
    (!expected || copies.size >= expected.size) && Date.now() - lastArrival >= idleMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await subscriber.stop();

  const candidates = new Set([...copies.keys(), ...(expected ?? [])]);
  const inStore = await storedAlarms(clients.doc, options.table, [...candidates]);
  const received = [...copies.keys()];
  const published = received.filter((id) => inStore.has(id)).length;
  const receivedCopies = [...copies.values()].reduce((a, b) => a + b, 0);
  const stored = [...inStore.values()];
  return {
    published,
    received: received.length,
    receivedCopies,
    duplicates: receivedCopies - received.length,
    stored: stored.length,
    storedUnconfirmed: stored.filter((s) => s.publishedAt === undefined).length,
    storedDuplicatePublishes: stored.reduce((n, s) => n + Math.max(0, s.publishCount - 1), 0),
    missing: expected ? [...expected].filter((id) => !(copies.has(id) && inStore.has(id))) : [],
    unexpected,
    undecodable: subscriber.undecodable(),
  };
};
