/**
 * The fault scenarios, one family at a time (see scenario.ts). Moments are seeded: the same `--seed` kills at the
 * same offsets. Times are relative to the start of the producers; every fault ends before they stop, so the
 * pipeline must recover while messages still arrive.
 */
import { readFileSync } from 'node:fs';

import { CATALOG } from '../../actors/catalog.ts';
import {
  type DynamoFaults,
  dynamoPolicy,
  type KinesisFaults,
  kinesisPolicy,
  type S3Faults,
  s3Policy,
  type SnsFaults,
  snsPolicy,
} from './policies.ts';
import type { FaultContext, Scenario } from './scenario.ts';

const killAndRestart =
  (actor: string, times = 1) =>
  async (ctx: FaultContext): Promise<number> => {
    const last = ctx.producerMs - 3_000;
    const moments = Array.from({ length: times }, () => ctx.moment(2_000, last)).sort(
      (a, b) => a - b,
    );
    for (const m of moments) {
      await ctx.until(m);
      await ctx.killAndRestart(actor, 300 + Math.round(ctx.random.next() * 1_000));
    }
    return Date.now();
  };

/** Proxy faults from `fromMs` to `toMs`. */
const proxyWindow =
  (
    faults: { kinesis?: KinesisFaults; dynamodb?: DynamoFaults; s3?: S3Faults; sns?: SnsFaults },
    fromMs = 1_000,
    toBeforeEndMs = 3_000,
  ) =>
  async (ctx: FaultContext): Promise<number> => {
    await ctx.until(fromMs);
    ctx.log(
      `faults on: ${JSON.stringify(faults, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<string>)] : v))}`,
    );
    if (faults.kinesis)
      ctx.proxies.kinesis.policy = kinesisPolicy(faults.kinesis, ctx.random, ctx.counts);
    if (faults.dynamodb)
      ctx.proxies.dynamodb.policy = dynamoPolicy(faults.dynamodb, ctx.random, ctx.counts);
    if (faults.s3) ctx.proxies.s3.policy = s3Policy(faults.s3, ctx.random, ctx.counts);
    if (faults.sns) ctx.proxies.sns.policy = snsPolicy(faults.sns, ctx.random, ctx.counts);
    await ctx.until(ctx.producerMs - toBeforeEndMs);
    ctx.log(`faults off; injected ${JSON.stringify(ctx.counts)}`);
    return Date.now();
  };

/** Data tables only (the hot table and the alarm store), or every table (leases and checkpoints too). */
const dataTables = (ctx: FaultContext) => new Set([ctx.tables.messages, ctx.tables.alarms]);

/** Every scenario, in run order. */
export const SCENARIOS: ReadonlyArray<Scenario> = [
  {
    name: 'kill-storage-writer',
    family: 'kill',
    quick: false,
    summary: 'SIGKILL the storage writer at a random moment, restart it',
    inject: killAndRestart('storage-1'),
  },
  {
    name: 'kill-alert-system',
    family: 'kill',
    quick: false,
    summary: 'SIGKILL the alert system at a random moment, restart it',
    inject: killAndRestart('alerts'),
  },
  {
    name: 'kill-operator-console',
    family: 'kill',
    quick: false,
    summary:
      'SIGKILL the operator console, restart it: it reloads the store and shows each alarm once',
    inject: killAndRestart('console'),
  },
  {
    name: 'kill-consumers',
    family: 'kill',
    quick: true,
    summary:
      'SIGKILL the storage writer, the alert system and the operator console, one after the other, restart each',
    inject: async (ctx) => {
      const actors = ['storage-1', 'alerts', 'console'];
      const slot = (ctx.producerMs - 5_000) / actors.length;
      for (const [i, actor] of actors.entries()) {
        await ctx.until(ctx.moment(2_000 + i * slot, 2_000 + (i + 1) * slot - 1_000));
        await ctx.killAndRestart(actor, 300 + Math.round(ctx.random.next() * 700));
      }
      return Date.now();
    },
  },
  {
    name: 'kill-drone-simulator',
    family: 'kill',
    quick: false,
    killsSimulator: true,
    summary:
      'SIGKILL the drone simulator, restart it (unacknowledged messages were never accepted)',
    inject: killAndRestart('simulator'),
  },
  {
    name: 'kill-csv-to-stream',
    family: 'kill',
    quick: false,
    summary: 'SIGKILL csv-to-stream mid-file, restart it: it resumes from its checkpoint',
    inject: killAndRestart('csv'),
  },
  // One per declared actor the suite runs (actors/catalog.ts): a new actor gets its kill scenario from there.
  ...CATALOG.filter((e) => e.inFaultSuite).map(({ actor }): Scenario => ({
    name: `kill-${actor.name}`,
    family: 'kill',
    quick: false,
    summary: `SIGKILL ${actor.name} at a random moment, restart it`,
    inject: killAndRestart(actor.name),
  })),
  {
    name: 'kill-storage-writer-3x',
    family: 'kill',
    quick: false,
    summary: 'SIGKILL the storage writer three times',
    inject: killAndRestart('storage-1', 3),
  },
  {
    name: 'kinesis-restart',
    family: 'emulator',
    quick: true,
    summary: 'SIGTERM kinesalite mid-run, restart it 1.5 s later on the same port and LevelDB data',
    inject: async (ctx) => {
      await ctx.until(ctx.moment(3_000, ctx.producerMs - 6_000));
      await ctx.restartKinesis(1_500);
      return Date.now();
    },
  },
  {
    name: 'kinesis-throttle-mixed',
    family: 'kinesis-throttle',
    quick: true,
    summary: 'PutRecords: 25 % of entries and 15 % of calls throttled; GetRecords: 30 % throttled',
    inject: proxyWindow({
      kinesis: { putEntryFailRate: 0.25, putThrottleRate: 0.15, getThrottleRate: 0.3 },
    }),
  },
  {
    name: 'kinesis-put-partial',
    family: 'kinesis-throttle',
    quick: false,
    summary: 'PutRecords partial failures: 50 % of entries ProvisionedThroughputExceeded',
    inject: proxyWindow({ kinesis: { putEntryFailRate: 0.5 } }),
  },
  {
    name: 'kinesis-get-throttle',
    family: 'kinesis-throttle',
    quick: false,
    summary: 'GetRecords throttled 70 % of the time',
    inject: proxyWindow({ kinesis: { getThrottleRate: 0.7 } }),
  },
  {
    name: 'storage-slow-failing',
    family: 'storage-faults',
    quick: true,
    summary:
      'DynamoDB data-table writes +50 ms and 20 % failing; S3 object writes +200 ms and 30 % failing',
    inject: (ctx) =>
      proxyWindow({
        dynamodb: { writeFailRate: 0.2, writeDelayMs: 50, tables: dataTables(ctx) },
        s3: { putFailRate: 0.3, putDelayMs: 200 },
      })(ctx),
  },
  {
    name: 'dynamodb-failing-all-tables',
    family: 'storage-faults',
    quick: false,
    summary: '15 % of every DynamoDB write failing, leases and checkpoints included',
    inject: proxyWindow({ dynamodb: { writeFailRate: 0.15 } }),
  },
  {
    name: 's3-slow',
    family: 'storage-faults',
    quick: false,
    summary: 'S3 object writes +1.5 s each',
    inject: proxyWindow({ s3: { putDelayMs: 1_500 } }),
  },
  {
    name: 'sns-publish-failing',
    family: 'sns-faults',
    quick: false,
    summary:
      'SNS Publish: 30 % fail with a 500, 20 % are published but answered by a dropped connection (duplicates)',
    inject: proxyWindow({ sns: { publishFailRate: 0.3, publishLostAnswerRate: 0.2 } }),
  },
  {
    name: 'poison',
    family: 'poison',
    quick: true,
    summary:
      "not JSON, a corrupt packed record, a wrong schema, an oversized (600 KB) message, a gzip bomb (4 KB declaring 1 M messages, on a drone's shard) and a code needing a human with an address over its limit on the drone stream; the console counts those needing a human",
    inject: async (ctx) => {
      await ctx.until(ctx.moment(2_000, 6_000));
      await ctx.putPoison();
      return Date.now();
    },
  },
  {
    name: 'id-collisions',
    family: 'poison',
    quick: true,
    summary:
      "another drone claiming a real message's id, an id reused with other content (needing a human, and not), a redelivery",
    inject: async (ctx) => {
      await ctx.until(ctx.moment(3_000, 6_000));
      await ctx.putCollisions();
      return Date.now();
    },
  },
  {
    name: 'chaos',
    family: 'kill',
    quick: false,
    summary:
      'all at once: Kinesis throttled, DynamoDB and S3 writes failing, storage writer and alert system SIGKILLed',
    inject: async (ctx) => {
      const faults = proxyWindow({
        kinesis: { putEntryFailRate: 0.2, getThrottleRate: 0.2 },
        dynamodb: { writeFailRate: 0.1, writeDelayMs: 20 },
        s3: { putFailRate: 0.2 },
      })(ctx);
      const kills = (async () => {
        await ctx.until(ctx.moment(2_000, ctx.producerMs / 2));
        await ctx.killAndRestart('storage-1', 500);
        await ctx.until(ctx.moment(ctx.producerMs / 2, ctx.producerMs - 4_000));
        await ctx.killAndRestart('alerts', 500);
      })();
      const [end] = await Promise.all([faults, kills]);
      return Math.max(end, Date.now());
    },
  },
  {
    name: 'lease-takeover',
    family: 'leases',
    quick: true,
    storageWorkers: 2,
    summary:
      'two storage writers on the 4-shard drone stream; one SIGKILLed for good: its shards are taken over',
    inject: async (ctx) => {
      // Kill only once the second worker holds leases, or there is nothing to take over.
      const log = ctx.actors.logFile('storage-2');
      const deadline = Date.now() + 20_000;
      while (!holdsLease(log) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      if (!holdsLease(log))
        throw new Error('storage-2 never acquired a lease: nothing to take over');
      await ctx.until(ctx.moment(3_000, ctx.producerMs - 8_000));
      await ctx.kill('storage-2');
      return Date.now();
    },
  },
];

const holdsLease = (logFile: string): boolean => {
  try {
    return readFileSync(logFile, 'utf8').includes('bus.lease_acquired');
  } catch {
    return false;
  }
};
