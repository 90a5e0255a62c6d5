/**
 * Kinesis's busiest call on the wire (json-wire.ts): GetRecords as a JSON 1.1 protocol request, its records read
 * back as the SDK reads them (`Data` base64 to bytes, `ApproximateArrivalTimestamp` epoch seconds to a Date). Every
 * consumer polls every leased shard with it, once a second on AWS (the alert system more often locally): through
 * the SDK an empty poll cost 0.9-1.6 ms of CPU, on this path 0.33-0.46 (measurements in json-wire.ts).
 *
 * {@link wireKinesis} wraps a client so that exactly this command takes this path: the bus's readers do not
 * change, and test/integration/kinesis-wire.int.spec.ts holds the two paths equal on the Kinesis emulator.
 */
import {
  type _Record as KinesisRecord,
  GetRecordsCommand,
  type GetRecordsCommandInput,
  type GetRecordsCommandOutput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';

import { createJsonWire, KINESIS_JSON, type WireClientConfig } from './json-wire.ts';

/** What the bus needs of a Kinesis client. */
export type KinesisSender = Pick<KinesisClient, 'send'>;

/** A record as the JSON protocol writes it. */
interface WireRecord {
  readonly SequenceNumber?: string;
  readonly ApproximateArrivalTimestamp?: number | string;
  readonly Data?: string;
  readonly PartitionKey?: string;
  readonly EncryptionType?: KinesisRecord['EncryptionType'];
}

/**
 * GetRecords of `client` on the wire.
 * @example const out = await kinesisGetRecords(clients.kinesis)({ ShardIterator: it, Limit: 10_000 });
 */
export const kinesisGetRecords = (client: {
  readonly config: WireClientConfig;
}): ((
  input: GetRecordsCommandInput,
  abortSignal?: AbortSignal,
) => Promise<GetRecordsCommandOutput>) => {
  const wire = createJsonWire(client, KINESIS_JSON);
  return async (input, abortSignal) => {
    const out = (await wire.call('GetRecords', JSON.stringify(input), abortSignal)) as {
      Records?: ReadonlyArray<WireRecord>;
      NextShardIterator?: string;
      MillisBehindLatest?: number;
      ChildShards?: GetRecordsCommandOutput['ChildShards'];
    };
    return {
      $metadata: {},
      Records: (out.Records ?? []).map(recordOf),
      ...(out.NextShardIterator === undefined ? {} : { NextShardIterator: out.NextShardIterator }),
      ...(out.MillisBehindLatest === undefined
        ? {}
        : { MillisBehindLatest: out.MillisBehindLatest }),
      ...(out.ChildShards === undefined ? {} : { ChildShards: out.ChildShards }),
    };
  };
};

const recordOf = (r: WireRecord): KinesisRecord => {
  const bytes = Buffer.from(r.Data ?? '', 'base64');
  return {
    SequenceNumber: r.SequenceNumber,
    ...(r.ApproximateArrivalTimestamp === undefined
      ? {}
      : { ApproximateArrivalTimestamp: dateOf(r.ApproximateArrivalTimestamp) }),
    // A view, as the SDK gives: a Uint8Array, not a Buffer.
    Data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    PartitionKey: r.PartitionKey,
    ...(r.EncryptionType === undefined ? {} : { EncryptionType: r.EncryptionType }),
  };
};

/** Epoch seconds (fractional) as the SDK reads them: to the millisecond. */
const dateOf = (t: number | string): Date => new Date(Math.round(Number(t) * 1_000));

/**
 * `client`, with its GetRecords sent by {@link kinesisGetRecords} (every other command by the SDK). An
 * `abortSignal` in the send options is honoured, as the SDK does.
 * @example const kinesis = wireKinesis(clients.kinesis); await kinesis.send(new GetRecordsCommand({ ShardIterator }));
 */
export const wireKinesis = (client: KinesisClient): KinesisSender => {
  const getRecords = kinesisGetRecords(client);
  const send = (command: unknown, ...rest: unknown[]): Promise<unknown> => {
    if (command instanceof GetRecordsCommand)
      return getRecords(
        command.input,
        (rest[0] as { abortSignal?: AbortSignal } | undefined)?.abortSignal,
      );
    return (client.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
  };
  return { send: send as KinesisSender['send'] };
};
