/**
 * Reading a scenario's outcome back from the emulators, never from the actors' own counters: what the streams
 * accepted (read directly, past the proxies), what DynamoDB and the archive hold, which alarms reached the store,
 * the console queue and the archive, which dead letters exist, and where every consumer's checkpoint is.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

import { countPublishedAlarms, type PublishedAlarms } from '../../actors/alert-system/readers.ts';
import { DroneMessage } from '../../actors/protocol/drone-message.ts';
import { decodeDroneMessage } from '../../actors/protocol/drone-message-in.ts';
import { messageHash } from '../../actors/protocol/message-hash.ts';
import { archivedLines } from '../../actors/stream-to-storage/readers.ts';
import { batchGetItems } from '../../runtime/aws/batch-get.ts';
import type { AwsClients } from '../../runtime/aws/clients.ts';
import { unpackRecord } from '../../runtime/bus/kinesis-packing.ts';
import { E } from '../../runtime/codec.ts';
import { readStream, type StoredRecord } from '../helpers/kinesis-stream.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What a stream holds, decoded the way a consumer would. */
export interface StreamContents {
  /** Ids of the well-formed messages of `type`, distinct. */
  readonly ids: Set<string>;
  /** Messages of `type` with their JSON, by id (the first copy: the one a store keeps). */
  readonly messages: Map<string, Record<string, unknown>>;
  /** Records that are not a message of `type` (poison), by sequence number. */
  readonly others: ReadonlyArray<StoredRecord>;
  /** Highest sequence number per shard (as a BigInt string). */
  readonly lastSequence: ReadonlyMap<string, string>;
  readonly records: number;
}

/** One dead letter as stored. */
export interface StoredDeadLetter {
  readonly key: string;
  readonly actor: string;
  readonly errorTag: string;
  readonly reasons: ReadonlyArray<string>;
  readonly sequence?: string;
  readonly stream?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// readers

/**
 * Reads a whole stream (TRIM_HORIZON to the end, every shard) and sorts its records into messages of `type`
 * (JSON objects with that `type` and a string `id`) and everything else.
 */
export const streamContents = async (
  clients: AwsClients,
  stream: string,
  type: string,
  /** Sequence numbers of records to count as `others` whatever they hold (the poison put by the suite). */
  exclude: ReadonlySet<string> = new Set(),
): Promise<StreamContents> => {
  const records = await readStream(clients.kinesis, stream);
  const ids = new Set<string>();
  const messages = new Map<string, Record<string, unknown>>();
  const others: StoredRecord[] = [];
  const lastSequence = new Map<string, string>();
  for (const r of records) {
    const prev = lastSequence.get(r.shardId);
    if (prev === undefined || BigInt(r.sequence) > BigInt(prev))
      lastSequence.set(r.shardId, r.sequence);
    const u = await unpackRecord(r.data);
    if (u.kind === 'corrupt' || exclude.has(r.sequence)) {
      others.push(r);
      continue;
    }
    let good = 0;
    for (const m of u.messages) {
      try {
        const json = JSON.parse(Buffer.from(m).toString('utf8')) as Record<string, unknown>;
        if (json.type === type && typeof json.id === 'string') {
          ids.add(json.id);
          if (!messages.has(json.id)) messages.set(json.id, json);
          good++;
        }
      } catch {
        // not JSON: poison
      }
    }
    if (good < u.messages.length) others.push(r);
  }
  return { ids, messages, others, lastSequence, records: records.length };
};

/** Every dead letter in the bucket (under `dead-letter/`). */
export const deadLetters = async (
  clients: AwsClients,
  bucket: string,
): Promise<StoredDeadLetter[]> => {
  const out: StoredDeadLetter[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: 'dead-letter/',
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? []) {
      if (!o.Key) continue;
      const body = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      const json = JSON.parse(await body.Body!.transformToString()) as {
        actor: string;
        errorTag: string;
        reasons: string[];
        source?: { sequence?: string; stream?: string };
      };
      out.push({
        key: o.Key,
        actor: json.actor,
        errorTag: json.errorTag,
        reasons: json.reasons,
        ...(json.source?.sequence ? { sequence: json.source.sequence } : {}),
        ...(json.source?.stream ? { stream: json.source.stream } : {}),
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
};

/** The checkpoint of one shard for one consumer application (undefined: none yet). */
export const checkpointOf = async (
  clients: AwsClients,
  leaseTable: string,
  application: string,
  stream: string,
  shardId: string,
): Promise<string | undefined> => {
  const item = await clients.doc.send(
    new GetCommand({
      TableName: leaseTable,
      Key: { leaseKey: `${application}#${stream}#${shardId}` },
    }),
  );
  const c = item.Item?.checkpoint;
  return typeof c === 'string' ? c : undefined;
};

/** Whether a checkpoint is at or past a sequence number (SHARD_END is past everything). */
export const isPast = (checkpoint: string | undefined, sequence: string): boolean => {
  if (checkpoint === undefined) return false;
  if (checkpoint === 'SHARD_END') return true;
  if (!/^\d+$/.test(checkpoint)) return false;
  return BigInt(checkpoint) >= BigInt(sequence);
};

/** The (application, stream) pairs whose checkpoints are not yet past `targets` (shard → sequence), by name. */
export const behind = async (
  clients: AwsClients,
  leaseTable: string,
  consumers: ReadonlyArray<{ readonly application: string; readonly stream: string }>,
  targets: ReadonlyMap<string, ReadonlyMap<string, string>>,
): Promise<string[]> => {
  const late: string[] = [];
  for (const c of consumers)
    for (const [shardId, seq] of targets.get(c.stream) ?? new Map<string, string>()) {
      const cp = await checkpointOf(clients, leaseTable, c.application, c.stream, shardId);
      if (!isPast(cp, seq))
        late.push(`${c.application} on ${c.stream}/${shardId} (at ${cp ?? 'none'})`);
    }
  return late;
};

/** The content hash of each drone message as sent (what the stores must hold under its id). */
export const expectedHashes = (
  messages: ReadonlyMap<string, Record<string, unknown>>,
): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [id, json] of messages) {
    const m = decodeDroneMessage(json);
    if (E.isRight(m)) out.set(id, messageHash(m.right));
  }
  return out;
};

/**
 * Hot-table and archive coverage of the accepted ids, and which ids either holds with other content than was sent
 * (`hashes`: id → content hash as sent): an overwrite is a loss too, whatever the id says.
 */
export const storage = async (
  clients: AwsClients,
  names: { readonly table: string; readonly bucket: string },
  drones: ReadonlySet<string>,
  tickets: ReadonlySet<string>,
  hashes: ReadonlyMap<string, string> = new Map(),
) => {
  const stored = await storedHashes(clients, names.table, [...drones]);
  const inTable = new Set(stored.keys());
  const tableMismatches = [...stored].filter(([id, h]) => hashes.has(id) && hashes.get(id) !== h);
  const seenDrones = await archiveCoverageIds(
    clients,
    names.bucket,
    drones,
    'drone.message',
    hashes,
  );
  const seenTickets = await archiveCoverageIds(clients, names.bucket, tickets, 'nypd.ticket');
  return {
    inTable,
    seenDrones,
    seenTickets,
    tableMismatches: tableMismatches.map(([id]) => id),
    archiveMismatches: seenDrones.mismatches,
  };
};

/** The `messageHash` stored with each of `ids` the hot table holds (`''` for an item without one). */
const storedHashes = async (
  clients: AwsClients,
  table: string,
  ids: ReadonlyArray<string>,
): Promise<Map<string, string>> => {
  const found = new Map<string, string>();
  for (const item of await batchGetItems(clients.doc, table, ids, {
    projection: 'id, messageHash',
  }))
    found.set(item.id as string, typeof item.messageHash === 'string' ? item.messageHash : '');
  return found;
};

/** Which of `ids` the archive holds (distinct), how many raw copies of them, and which are missing. */
const archiveCoverageIds = async (
  clients: AwsClients,
  bucket: string,
  ids: ReadonlySet<string>,
  type: string,
  /** Content hashes as sent, by id: an archived line of one of these ids with another hash is a mismatch. */
  hashes: ReadonlyMap<string, string> = new Map(),
): Promise<{
  readonly distinct: number;
  readonly rawCopies: number;
  readonly missing: string[];
  readonly mismatches: string[];
}> => {
  const seen = new Set<string>();
  const mismatches = new Set<string>();
  let rawCopies = 0;
  for await (const line of archivedLines(clients.s3, bucket, { type })) {
    const json = JSON.parse(line) as { id?: unknown };
    const id = json.id;
    if (typeof id === 'string' && ids.has(id)) {
      rawCopies++;
      seen.add(id);
      const sent = hashes.get(id);
      if (sent !== undefined) {
        const archived = DroneMessage.decode(json);
        if (E.isLeft(archived) || messageHash(archived.right) !== sent) mismatches.add(id);
      }
    }
  }
  return {
    distinct: seen.size,
    rawCopies,
    missing: [...ids].filter((id) => !seen.has(id)),
    mismatches: [...mismatches],
  };
};

/**
 * Which of the expected alarms the archive holds as `alarm.raised` lines (stream-to-storage's alarm archive, from
 * its queue on the alarm topic), and which are missing: an alarm raised and published but never archived is lost to
 * the analysis.
 */
export const archivedAlarms = (
  clients: AwsClients,
  bucket: string,
  expected: ReadonlySet<string>,
): Promise<{ readonly distinct: number; readonly rawCopies: number; readonly missing: string[] }> =>
  archiveCoverageIds(clients, bucket, expected, 'alarm.raised');

/** Alarms in the store and the console queue. */
export const alarms = (
  clients: AwsClients,
  names: { readonly table: string; readonly queueUrl: string },
  expected: ReadonlySet<string>,
): Promise<PublishedAlarms> =>
  countPublishedAlarms(clients, {
    table: names.table,
    queueUrl: names.queueUrl,
    expectedIds: expected,
    timeoutMs: 15_000,
  });

/** A card as the console's event stream sends it (the fields this check reads). */
export interface ShownCard {
  readonly id: string;
  readonly conflictOf?: string;
}

/**
 * How many cards show each alarm, counted the way a duplicate would show: every card in the list (not a map by
 * id), and a conflict card that is not an expected conflict (`conflicts`: the ids the suite made collide) counts
 * as its message shown again (a redelivery raised under a second id is two cards for one alarm).
 */
export const cardsPerAlarm = (
  cards: ReadonlyArray<ShownCard>,
  conflicts: ReadonlySet<string>,
): Map<string, number> => {
  const seen = new Map<string, number>();
  for (const c of cards) {
    const key = c.conflictOf !== undefined && !conflicts.has(c.id) ? c.conflictOf : c.id;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
};

/**
 * The alarms the operator's page gets: the `snapshot` event of the console's `/events` stream (what the page
 * renders as cards), read and closed.
 */
export const consoleSnapshot = async (
  url: string,
  timeoutMs = 5_000,
): Promise<ReadonlyArray<ShownCard>> => {
  const res = await fetch(`${url}/events`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok || !res.body) throw new Error(`GET /events answered ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('/events closed before its snapshot');
      text += decoder.decode(value as Uint8Array, { stream: true });
      const m = /(?:^|\n)event: snapshot\ndata: (.*)\n\n/.exec(text);
      if (m) return (JSON.parse(m[1]!) as { alarms: ShownCard[] }).alarms;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
};

/** Dead letters the console says may need a person (`counts.needsHuman` of `GET /api/alarms`, the fields read). */
export interface NeedsHumanCounts {
  readonly code: number;
  readonly unreadable: number;
  readonly truncated?: boolean;
}

/** The notes the alert system must have written for these poison records (`PoisonRecord.needsHuman`). */
export const expectedNeedsHuman = (
  poison: ReadonlyArray<{ readonly needsHuman?: 'code' | 'unreadable' }>,
): NeedsHumanCounts => ({
  code: poison.filter((p) => p.needsHuman === 'code').length,
  unreadable: poison.filter((p) => p.needsHuman === 'unreadable').length,
});

/**
 * Why what the console shows is not exactly what was sent that way (each verdict apart: a code counted as
 * unreadable is wrong too); undefined when it is. `shown` undefined: the console has not counted the notes yet.
 */
export const needsHumanMismatch = (
  expected: NeedsHumanCounts,
  shown: NeedsHumanCounts | undefined,
): string | undefined => {
  if (shown === undefined) return 'the console shows no count of dead letters needing a human';
  if (shown.truncated) return 'the console counted only part of the notes (truncated)';
  const wrong = (['code', 'unreadable'] as const).filter((v) => shown[v] !== expected[v]);
  return wrong.length === 0
    ? undefined
    : `the console counts ${wrong.map((v) => `${shown[v]} dead letters as ${v}, not ${expected[v]}`).join(', and ')}`;
};

/** The console's `counts.needsHuman` (`GET /api/alarms`); undefined while it has not read the notes. */
export const consoleNeedsHuman = async (
  url: string,
  timeoutMs = 5_000,
): Promise<NeedsHumanCounts | undefined> => {
  const res = await fetch(`${url}/api/alarms`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET /api/alarms answered ${res.status}`);
  return ((await res.json()) as { counts: { needsHuman?: NeedsHumanCounts } }).counts.needsHuman;
};
