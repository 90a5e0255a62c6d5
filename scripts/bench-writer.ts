/**
 * `npm run bench -- writer [--messages 60000] [--fill-drones 2000] [--checkouts .,DIR] [--rounds 2]
 * [--dynamodb memory|disk] [--profile DIR]`: the storage writer against what the stack allows, on the same records.
 * `--drones N [--seconds 40] [--warmup 10]` measures it at a fleet's steady rate instead (below, {@link atRate}).
 *
 * The drone simulator fills the drone stream with `--messages` messages first (no writer running). Then, per round
 * and checkout, a storage writer (that checkout's `actors/stream-to-storage/main.ts`, run by this Node: `--checkouts
 * .,/path/to/worktree` compares two commits back to back) drains the backlog from an empty table and fresh leases:
 * its rate (distinct messages in the table per second, from its first acknowledgement until all are there: a
 * redelivery acknowledged twice counts once), its steady rate (acknowledgements per second from 10 % to 90 % of the
 * backlog: no start, no tail of archive batches waiting out their age) and its CPU per stored message (user +
 * system from /proc, same window). Then the emulators alone, on the same data, each as the writer calls it:
 * - GetRecords: every shard read from the start with the writer's limit (10,000), one reader per shard;
 * - the hot table: the stored items, read-checked 100 keys per BatchGetItem and written 25 per BatchWriteItem, two
 *   writes in flight, as `dynamo-table.ts` does;
 * - PutObject: the archive objects the writer wrote, written again, one chain per shard.
 * The slowest of the three is what the stack allows for the whole pipeline (each alone, so an upper bound: in the
 * writer they share the cores), and `writer ÷ that` says how close the writer comes to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';

import { type AwsClients, createAwsClients } from '../runtime/aws/clients.ts';
import { createStream, createTable, deleteTable } from '../runtime/aws/provision.ts';
import { type LocalStack, stackEnv, startLocalStack } from '../runtime/local-stack/index.ts';
import { waitFor } from '../test/helpers/wait-for.ts';
import { cpuProfile, freePort, metric, service, usage } from './bench-procs.ts';

const STREAM = 'prestacop-drones';
const TABLE = 'prestacop-messages';
const LEASES = 'prestacop-leases';
const BUCKET = 'prestacop-archive';

/** Fills the drone stream with at least `messages` messages from a simulated fleet; returns how many it holds. */
const fill = async (stack: LocalStack, messages: number, drones: number): Promise<number> => {
  const port = await freePort();
  const sim = service(
    'actors/drone-simulator/main.ts',
    ['--drones', String(drones), '--ops-port', String(port), '--seed', '1'],
    stackEnv(stack),
  );
  await waitFor(
    `${messages} messages published`,
    () => metric(port, 'prestacop_published_records_total'),
    600_000,
    (n) => n >= messages,
  );
  sim.kill('SIGTERM');
  await new Promise((r) => sim.once('exit', r));
  return countRecords(createAwsClients(stack.target)).then((r) => r.records);
};

/** Reads every shard of the drone stream from the start, as the writer's reader does. */
const countRecords = async (clients: AwsClients): Promise<{ records: number; ms: number }> => {
  const started = Date.now();
  const shards =
    (await clients.kinesis.send(new DescribeStreamCommand({ StreamName: STREAM })))
      .StreamDescription?.Shards ?? [];
  const counts = await Promise.all(
    shards.map(async ({ ShardId }) => {
      let iterator = (
        await clients.kinesis.send(
          new GetShardIteratorCommand({
            StreamName: STREAM,
            ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      let n = 0;
      while (iterator) {
        const out = await clients.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
        );
        n += out.Records?.length ?? 0;
        if ((out.Records?.length ?? 0) === 0) break;
        iterator = out.NextShardIterator;
      }
      return n;
    }),
  );
  return { records: counts.reduce((a, b) => a + b, 0), ms: Date.now() - started };
};

/** An empty hot table and no lease or checkpoint of the writer: the next writer reads the whole stream again. */
const reset = async (clients: AwsClients): Promise<void> => {
  await deleteTable(clients, TABLE);
  await createTable(clients, { name: TABLE, hashKey: 'id', ttlAttribute: 'expiresAt' });
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.doc.send(
      new ScanCommand({ TableName: LEASES, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? [])
      if (String(item.leaseKey).startsWith('stream-to-storage#'))
        await clients.doc.send(
          new DeleteCommand({ TableName: LEASES, Key: { leaseKey: String(item.leaseKey) } }),
        );
    start = page.LastEvaluatedKey;
  } while (start);
};

/**
 * Acknowledgements per second between 10 % and 90 % of `total` acknowledged: the rate once started and before the
 * tail, where the last archive batches wait out their age (5 s) and the last shards finish alone. The whole drain's
 * rate (`perS`) keeps both; the stack's baselines have neither, so both are shown against them.
 */
export const steadyRate = (
  samples: ReadonlyArray<readonly [number, number]>,
  total: number,
): number | undefined => {
  const from = samples.find(([, n]) => n >= total * 0.1);
  const to = samples.find(([, n]) => n >= total * 0.9);
  if (!from || !to || to[0] <= from[0]) return undefined;
  return Math.round(((to[1] - from[1]) * 1_000) / (to[0] - from[0]));
};

interface WriterRun {
  readonly checkout: string;
  readonly perS: number;
  /** Acknowledged per second from 10 % to 90 % of the backlog ({@link steadyRate}). */
  readonly steadyPerS: number | undefined;
  readonly cpuUsPerMsg: number;
  /** Of which in the kernel (system time). */
  readonly sysUsPerMsg: number;
  readonly cpuShare: number;
  readonly rssMiB: number;
  /** Items in the hot table at the end (every message, unless the writer gave up after 10 minutes). */
  readonly inTable: number;
}

/** Runs one writer over the whole backlog; its rate and CPU from its first stored message to the last. */
const drain = async (
  stack: LocalStack,
  checkout: string,
  total: number,
  profileDir: string | undefined,
  label: string,
): Promise<WriterRun> => {
  const port = await freePort();
  const writer = service(
    'actors/stream-to-storage/main.ts',
    ['--ops-port', String(port)],
    stackEnv(stack),
    cpuProfile(profileDir, `writer-${label}`),
    checkout,
  );
  try {
    // Each reading of the acknowledged count is kept, for the steady rate (below).
    const samples: Array<readonly [number, number]> = [];
    const stored = async () => {
      const n = await metric(port, 'prestacop_processed_total');
      samples.push([Date.now(), n]);
      return n;
    };
    const n0 = await waitFor('a first message stored', stored, 120_000, (n) => n > 0);
    const [t0, u0] = [Date.now(), usage(writer.pid!)];
    await waitFor(`${total} messages acknowledged`, stored, 600_000, (n) => n >= total);
    // Acknowledged is not stored once: a writer that loses leases acknowledges redeliveries again. The rate and the
    // CPU are per message in the table (distinct ids), counted until every one is there.
    const clients = createAwsClients(stack.target);
    let inTable = await tableCount(clients);
    for (const deadline = Date.now() + 600_000; inTable < total && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 1_000));
      inTable = await tableCount(clients);
    }
    clients.destroy();
    const [t1, u1] = [Date.now(), usage(writer.pid!)];
    const n1 = inTable;
    const seconds = (t1 - t0) / 1_000;
    return {
      checkout,
      perS: Math.round((n1 - n0) / seconds),
      steadyPerS: steadyRate(samples, total),
      cpuUsPerMsg: Math.round(((u1.cpu - u0.cpu) * 1e6) / (n1 - n0)),
      sysUsPerMsg: Math.round(((u1.sys - u0.sys) * 1e6) / (n1 - n0)),
      cpuShare: (u1.cpu - u0.cpu) / seconds,
      rssMiB: u1.rssMiB,
      inTable,
    };
  } finally {
    writer.kill('SIGTERM');
    if (writer.exitCode === null) await new Promise((r) => writer.once('exit', r));
  }
};

/** Items in the hot table (a count, paged). */
const tableCount = async (clients: AwsClients): Promise<number> => {
  let n = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.doc.send(
      new ScanCommand({ TableName: TABLE, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    n += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return n;
};

/** The hot table's calls alone: the stored items into a fresh table, as `dynamo-table.ts` calls DynamoDB. */
const tableRate = async (clients: AwsClients): Promise<{ items: number; perS: number }> => {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.doc.send(
      new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const copy = `${TABLE}-baseline`;
  await createTable(clients, { name: copy, hashKey: 'id', ttlAttribute: null });
  const started = Date.now();
  const chunks = Array.from({ length: Math.ceil(items.length / 100) }, (_, i) =>
    items.slice(i * 100, i * 100 + 100),
  );
  // Two lanes, each a read of 100 keys then its four writes two at a time: two writes in flight at most.
  const lane = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      await clients.doc.send(
        new BatchGetCommand({
          RequestItems: {
            [copy]: {
              Keys: chunk.map((i) => ({ id: i.id })),
              ProjectionExpression: 'id, messageHash',
              ConsistentRead: true,
            },
          },
        }),
      );
      for (let i = 0; i < chunk.length; i += 25) {
        let batch = chunk.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
        while (batch.length > 0) {
          const out = await clients.doc.send(
            new BatchWriteCommand({ RequestItems: { [copy]: batch } }),
          );
          batch = (out.UnprocessedItems?.[copy] ?? []) as typeof batch;
        }
      }
    }
  };
  await Promise.all([lane(), lane()]);
  const perS = Math.round((items.length / (Date.now() - started)) * 1_000);
  await deleteTable(clients, copy);
  return { items: items.length, perS };
};

/** The archive's calls alone: every object the writer wrote, written again, one chain per shard. */
const archiveRate = async (clients: AwsClients): Promise<{ objects: number; perS: number }> => {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.s3.send(
      new ListObjectsV2Command({
        Bucket: BUCKET,
        Prefix: 'archive/type=drone.message/',
        ContinuationToken: token,
      }),
    );
    keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
    token = page.NextContinuationToken;
  } while (token);
  const objects = await Promise.all(
    keys.map(async (Key) => {
      const out = await clients.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      return {
        Key,
        body: Buffer.from(await out.Body!.transformToByteArray()),
        records: Number(out.Metadata?.records ?? 0),
        shard: /(shardId-\d+)-/.exec(Key)?.[1] ?? '',
      };
    }),
  );
  const byShard = new Map<string, typeof objects>();
  for (const o of objects) byShard.set(o.shard, [...(byShard.get(o.shard) ?? []), o]);
  const started = Date.now();
  await Promise.all(
    [...byShard.values()].map(async (chain) => {
      for (const o of chain)
        await clients.s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `bench-baseline/${o.Key}`,
            Body: o.body,
            ContentType: 'application/x-ndjson',
            ContentEncoding: 'gzip',
            Metadata: { records: String(o.records) },
          }),
        );
    }),
  );
  const records = objects.reduce((a, o) => a + o.records, 0);
  return { objects: objects.length, perS: Math.round((records / (Date.now() - started)) * 1_000) };
};

interface RateRun {
  readonly checkout: string;
  readonly sentPerS: number;
  readonly storedPerS: number;
  readonly cpuUsPerMsg: number;
  readonly sysUsPerMsg: number;
  readonly cpuShare: number;
  readonly rssMiB: number;
}

const sleepS = (s: number) => new Promise((r) => setTimeout(r, s * 1_000));

/**
 * The writer at a fleet's steady rate, the issue's "at 1,000 drones": a fresh 4-shard stream, the writer of
 * `checkout` and the drone simulator (`drones`, seed 1, this checkout's, the same for every writer) started
 * together; after `warmup` seconds (leases taken, JIT warm), `seconds` of measurement: messages the simulator
 * published and the writer acknowledged per second, and the writer's CPU per acknowledged message (user + system
 * from /proc, same window). At a steady rate a message's cost includes the writer's fixed work per second (polls,
 * checkpoints, lease renewals), which a backlog drain spreads over many more messages.
 */
const atRate = async (
  stack: LocalStack,
  clients: AwsClients,
  checkout: string,
  o: { drones: number; warmup: number; seconds: number; label: string; profileDir?: string },
): Promise<RateRun> => {
  const stream = `${STREAM}-${o.label}`;
  await createStream(clients, stream, 4);
  await reset(clients);
  const env = { ...stackEnv(stack), PRESTACOP_DRONE_STREAM: stream };
  const [port, simPort] = [await freePort(), await freePort()];
  const writer = service(
    'actors/stream-to-storage/main.ts',
    ['--ops-port', String(port)],
    env,
    cpuProfile(o.profileDir, `writer-${o.label}`),
    checkout,
  );
  const sim = service(
    'actors/drone-simulator/main.ts',
    ['--drones', String(o.drones), '--ops-port', String(simPort), '--seed', '1'],
    env,
  );
  const exited = (p: ReturnType<typeof service>) =>
    p.exitCode === null ? new Promise((r) => p.once('exit', r)) : Promise.resolve();
  try {
    const stored = () => metric(port, 'prestacop_processed_total');
    const sent = () => metric(simPort, 'prestacop_published_records_total');
    await waitFor('a first message stored', stored, 120_000, (n) => n > 0);
    await sleepS(o.warmup);
    const [t0, n0, p0, u0] = [Date.now(), await stored(), await sent(), usage(writer.pid!)];
    await sleepS(o.seconds);
    const [t1, n1, p1, u1] = [Date.now(), await stored(), await sent(), usage(writer.pid!)];
    const seconds = (t1 - t0) / 1_000;
    return {
      checkout,
      sentPerS: Math.round((p1 - p0) / seconds),
      storedPerS: Math.round((n1 - n0) / seconds),
      cpuUsPerMsg: Math.round(((u1.cpu - u0.cpu) * 1e6) / Math.max(1, n1 - n0)),
      sysUsPerMsg: Math.round(((u1.sys - u0.sys) * 1e6) / Math.max(1, n1 - n0)),
      cpuShare: (u1.cpu - u0.cpu) / seconds,
      rssMiB: u1.rssMiB,
    };
  } finally {
    sim.kill('SIGTERM');
    writer.kill('SIGTERM');
    await Promise.all([exited(sim), exited(writer)]);
  }
};

/** `--drones N`: every checkout at the fleet's rate, rounds alternating, then one table. */
const benchAtRate = async (
  stack: LocalStack,
  clients: AwsClients,
  checkouts: ReadonlyArray<string>,
  o: { drones: number; warmup: number; seconds: number; rounds: number; profileDir?: string },
): Promise<void> => {
  console.log(
    `writer at ${o.drones} drones: ${o.warmup} s warm-up, ${o.seconds} s measured, ${o.rounds} round(s) per checkout`,
  );
  const runs: RateRun[] = [];
  for (let round = 1; round <= o.rounds; round++)
    for (const [i, checkout] of checkouts.entries()) {
      const run = await atRate(stack, clients, checkout, { ...o, label: `${i}-${round}` });
      runs.push(run);
      console.log(
        `  round ${round} ${checkout}: sent ${run.sentPerS}/s, stored ${run.storedPerS}/s, ${run.cpuUsPerMsg} µs CPU/msg ` +
          `(${run.sysUsPerMsg} in the kernel; ${Math.round(run.cpuShare * 100)}% of a core), RSS ${run.rssMiB} MiB, ` +
          `load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
  console.log(
    '\ncheckout                                   sent/s  stored/s   µs CPU/msg   CPU   RSS MiB',
  );
  for (const r of runs)
    console.log(
      `${r.checkout.slice(-40).padEnd(40)}${String(r.sentPerS).padStart(9)}${String(r.storedPerS).padStart(10)}` +
        `${String(r.cpuUsPerMsg).padStart(13)}${`(${r.sysUsPerMsg})`.padStart(7)}` +
        `${`${Math.round(r.cpuShare * 100)}%`.padStart(6)}${String(r.rssMiB).padStart(10)}`,
    );
};

export const bench = async (args: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      messages: { type: 'string', default: '60000' },
      'fill-drones': { type: 'string', default: '2000' },
      checkouts: { type: 'string', default: '.' },
      rounds: { type: 'string', default: '2' },
      dynamodb: { type: 'string', default: 'memory' },
      profile: { type: 'string' },
      drones: { type: 'string' },
      seconds: { type: 'string', default: '40' },
      warmup: { type: 'string', default: '10' },
    },
  });
  const checkouts = values.checkouts.split(',').map((c) => resolve(c));
  const dir = mkdtempSync(join(tmpdir(), 'bench-writer-'));
  const stack = await startLocalStack({
    dataDir: dir,
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
    dynamodbInMemory: values.dynamodb === 'memory',
  });
  const clients = createAwsClients(stack.target);
  try {
    if (values.drones !== undefined)
      return await benchAtRate(stack, clients, checkouts, {
        drones: Number(values.drones),
        warmup: Number(values.warmup),
        seconds: Number(values.seconds),
        rounds: Number(values.rounds),
        ...(values.profile === undefined ? {} : { profileDir: values.profile }),
      });
    console.log(
      `writer benchmark: ${values.messages} messages from ${values['fill-drones']} drones, DynamoDB Local ` +
        `${values.dynamodb === 'memory' ? 'in memory' : 'on disk'}, load ${loadavg()[0]!.toFixed(1)}`,
    );
    const total = await fill(stack, Number(values.messages), Number(values['fill-drones']));
    console.log(`stream holds ${total} messages; draining it ${values.rounds}× per checkout`);
    const runs: WriterRun[] = [];
    for (let round = 1; round <= Number(values.rounds); round++)
      for (const [i, checkout] of checkouts.entries()) {
        await reset(clients);
        const run = await drain(stack, checkout, total, values.profile, `${i}-${round}`);
        runs.push(run);
        console.log(
          `  round ${round} ${checkout}: ${run.perS} msg/s (steady ${run.steadyPerS ?? '?'}), ${run.cpuUsPerMsg} µs CPU/msg ` +
            `(${run.sysUsPerMsg} in the kernel; ${Math.round(run.cpuShare * 100)}% of a core), ` +
            `${run.inTable} in the table, RSS ${run.rssMiB} MiB, load ${loadavg()[0]!.toFixed(1)}`,
        );
      }
    const reads = await countRecords(clients);
    const getRecords = Math.round((reads.records / reads.ms) * 1_000);
    const table = await tableRate(clients);
    const archive = await archiveRate(clients);
    const limit = Math.min(getRecords, table.perS, archive.perS);
    console.log('\nthe emulators alone, on the same data (messages per second):');
    console.log(`  GetRecords (${reads.records} records, 4 shards)        ${getRecords}`);
    console.log(`  BatchGetItem 100 + BatchWriteItem 25 × 2 (${table.items} items) ${table.perS}`);
    console.log(`  PutObject (${archive.objects} objects, one chain per shard)  ${archive.perS}`);
    console.log(`  the stack allows at most                    ${limit}\n`);
    console.log(
      'checkout                                   msg/s   ÷ stack   steady   ÷ stack   µs CPU/msg   CPU   RSS MiB',
    );
    for (const r of runs)
      console.log(
        `${r.checkout.slice(-40).padEnd(40)}${String(r.perS).padStart(8)}${(r.perS / limit).toFixed(2).padStart(10)}` +
          `${String(r.steadyPerS ?? '?').padStart(9)}${(r.steadyPerS === undefined ? '?' : (r.steadyPerS / limit).toFixed(2)).padStart(10)}` +
          `${String(r.cpuUsPerMsg).padStart(13)}${`(${r.sysUsPerMsg})`.padStart(10)}` +
          `${`${Math.round(r.cpuShare * 100)}%`.padStart(6)}${String(r.rssMiB).padStart(10)}`,
      );
  } finally {
    clients.destroy();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
