/**
 * Colliding ids (issue 16, item 3), put straight on the drone stream while the fleet flies: another drone claiming
 * a real message's id, the same id reused with other content (one that needs a human, one that does not), and a
 * plain redelivery. What each must lead to is part of the record, so the run checks it: forged ids are refused by
 * both consumers' decoder; a reused id never replaces what is stored, is dead-lettered as an `IdConflict`, and if
 * it needs a human its alarm is shown as a conflict alarm `<id>#<hash8>`; a redelivery is nothing at all.
 */
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';

import { conflictAlarmId } from '../../actors/protocol/alarm.ts';
import { type DroneMessage, hasViolation } from '../../actors/protocol/drone-message.ts';
import { decodeDroneMessage } from '../../actors/protocol/drone-message-in.ts';
import { messageHash } from '../../actors/protocol/message-hash.ts';
import { DEFAULT_HUMAN_CODES } from '../../actors/protocol/violation-codes.ts';
import type { AwsClients } from '../../runtime/aws/clients.ts';
import { unpackRecord } from '../../runtime/bus/kinesis-packing.ts';
import { E } from '../../runtime/codec.ts';
import { readStream } from '../helpers/kinesis-stream.ts';

/** One colliding record and what each consumer must make of it. */
export interface CollisionRecord {
  readonly kind: 'forged-id' | 'reused-id-alarm' | 'reused-id-ordinary' | 'redelivery';
  readonly sequence: string;
  readonly id: string;
  /** The dead letter each consumer must write (`errorTag`), or none. */
  readonly storage?: 'DecodeFailure' | 'IdConflict';
  readonly alerts?: 'DecodeFailure' | 'IdConflict';
  /** The conflict alarm the console must show. */
  readonly conflictAlarmId?: string;
}

const HUMAN = new Set<number>(DEFAULT_HUMAN_CODES);
const isHuman = (m: DroneMessage) => hasViolation(m) && HUMAN.has(m.violationCode);

/** The accepted drone messages on the stream so far, in stream order. */
const accepted = async (clients: AwsClients, stream: string): Promise<DroneMessage[]> => {
  const out: DroneMessage[] = [];
  for (const r of await readStream(clients.kinesis, stream)) {
    const u = await unpackRecord(r.data);
    if (u.kind === 'corrupt') continue;
    for (const bytes of u.messages) {
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        continue;
      }
      const m = decodeDroneMessage(json);
      if (E.isRight(m) && m.right.seq !== undefined) out.push(m.right);
    }
  }
  return out;
};

/**
 * Waits (up to `waitMs`) until the stream holds a message that raised an alarm and two more, then puts the colliding
 * records after them, each on its drone's partition key (its shard, behind the original).
 */
export const putCollisionRecords = async (
  clients: AwsClients,
  stream: string,
  waitMs = 15_000,
): Promise<CollisionRecord[]> => {
  const deadline = Date.now() + waitMs;
  let seen = await accepted(clients, stream);
  while ((!seen.some(isHuman) || seen.length < 3) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    seen = await accepted(clients, stream);
  }
  const alarm = seen.find(isHuman);
  const ordinary = seen.filter((m) => m !== alarm);
  if (alarm === undefined || ordinary.length < 2)
    throw new Error(
      'no message that raised an alarm on the drone stream yet: nothing to collide with',
    );
  const [plain, again] = [ordinary[0]!, ordinary[1]!];
  const reusedAlarm: DroneMessage = {
    ...alarm,
    violationCode: 9,
    violationImageId: `img-reused-${alarm.seq}`,
    address: 'reused id',
  };
  const reusedOrdinary: DroneMessage = {
    type: plain.type,
    v: plain.v,
    id: plain.id,
    droneId: plain.droneId,
    ...(plain.seq === undefined ? {} : { seq: plain.seq }),
    time: plain.time,
    location: { lat: plain.location.lat, lon: plain.location.lon + 0.001 },
  };
  const records: Array<[Omit<CollisionRecord, 'sequence'>, unknown, string]> = [
    [
      { kind: 'forged-id', id: alarm.id, storage: 'DecodeFailure', alerts: 'DecodeFailure' },
      { ...alarm, droneId: 'drone-0666', violationCode: 9, violationImageId: 'img-forged' },
      alarm.droneId,
    ],
    [
      {
        kind: 'reused-id-alarm',
        id: alarm.id,
        storage: 'IdConflict',
        alerts: 'IdConflict',
        conflictAlarmId: conflictAlarmId(alarm.id, messageHash(reusedAlarm)),
      },
      reusedAlarm,
      alarm.droneId,
    ],
    [
      // No violation: only the storage writer sees it (the alert system filters it out).
      { kind: 'reused-id-ordinary', id: plain.id, storage: 'IdConflict' },
      reusedOrdinary,
      plain.droneId,
    ],
    [{ kind: 'redelivery', id: again.id }, again, again.droneId],
  ];
  const out = await clients.kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: records.map(([, message, key]) => ({
        Data: Buffer.from(JSON.stringify(message)),
        PartitionKey: key,
      })),
    }),
  );
  return (out.Records ?? []).map((r, i) => {
    const [record] = records[i]!;
    if (!r.SequenceNumber)
      throw new Error(`${record.kind} was refused by the stream: ${r.ErrorCode}`);
    return { ...record, sequence: r.SequenceNumber };
  });
};
