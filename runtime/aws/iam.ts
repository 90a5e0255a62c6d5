/**
 * The IAM actions of the runtime's own calls, for an actor's deploy declaration (runtime/launcher.ts): what a
 * Kinesis bus consumer calls on the streams it reads and on its lease table (runtime/bus/kinesis*.ts).
 * Terraform's service catalog turns the declared statements into the role policy of the hosts that run the actor.
 */

/** Reading a stream: the shards, an iterator per shard, the records. */
export const READ_STREAM_ACTIONS: ReadonlyArray<string> = [
  'kinesis:ListShards',
  'kinesis:GetShardIterator',
  'kinesis:GetRecords',
];

/** Leases and checkpoints: conditional puts and updates, reads, and the batched read of every lease. */
export const LEASE_ACTIONS: ReadonlyArray<string> = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:BatchGetItem',
];

/**
 * The KMS actions behind each kind of call on a resource encrypted with the deploy's key, for an actor's `kms`
 * declaration: reading a stream decrypts, writing to a stream encrypts a data key, publishing to a topic encrypts a data key and decrypts it (SNS), and
 * writing an object encrypts a data key.
 * @example kms: { kinesis: KMS.readStream, sns: KMS.publish, s3: KMS.putObject }
 */
export const KMS = {
  readStream: ['kms:Decrypt'],
  writeStream: ['kms:GenerateDataKey'],
  publish: ['kms:Decrypt', 'kms:GenerateDataKey'],
  putObject: ['kms:GenerateDataKey'],
} as const satisfies Record<string, ReadonlyArray<string>>;
