/**
 * Reading a scenario's outcome back from the emulators, never from the actors' own counters: what the streams
 * accepted (read directly, past the proxies), what DynamoDB and the archive hold, which alarms reached the store
 * and the console queue, which dead letters exist, and where every consumer's checkpoint is.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

import { countPublishedAlarms, type PublishedAlarms } from '../../actors/alert-system/readers.ts';
import { archivedLines, storedIds } from '../../actors/stream-to-storage/readers.ts';
import type { AwsClients } from '../../runtime/aws/clients.ts';
import { unpackRecord } from '../../runtime/bus/kinesis-packing.ts';
import { readStream, type StoredRecord } from '../helpers/kinesis-stream.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** What a stream holds, decoded the way a consumer would. */
export interface StreamContents {
  /** Ids of the well-formed messages of `type`, distinct. */
  readonly ids: Set<string>;
  /** Messages of `type` with their JSON, by id (the last copy). */
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
          messages.set(json.id, json);
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

/** Hot-table and archive coverage of the accepted ids. */
export const storage = async (
  clients: AwsClients,
  names: { readonly table: string; readonly bucket: string },
  drones: ReadonlySet<string>,
  tickets: ReadonlySet<string>,
) => {
  const inTable = await storedIds(clients.doc, names.table, [...drones]);
  const seenDrones = await archiveCoverageIds(clients, names.bucket, drones, 'drone.message');
  const seenTickets = await archiveCoverageIds(clients, names.bucket, tickets, 'nypd.ticket');
  return { inTable, seenDrones, seenTickets };
};

/** Which of `ids` the archive holds (distinct), how many raw copies of them, and which are missing. */
const archiveCoverageIds = async (
  clients: AwsClients,
  bucket: string,
  ids: ReadonlySet<string>,
  type: string,
): Promise<{
  readonly distinct: number;
  readonly rawCopies: number;
  readonly missing: string[];
}> => {
  const seen = new Set<string>();
  let rawCopies = 0;
  for await (const line of archivedLines(clients.s3, bucket, { type })) {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    if (typeof id === 'string' && ids.has(id)) {
      rawCopies++;
      seen.add(id);
    }
  }
  return { distinct: seen.size, rawCopies, missing: [...ids].filter((id) => !seen.has(id)) };
};

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
