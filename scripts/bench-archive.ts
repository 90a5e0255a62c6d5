/**
 * `npm run bench -- archive [--messages 1000000] [--drones 1000] [--shards N] [--keep] [--memory-limit 2GB]`: the archive's bytes and
 * the drone part of the report on gzip NDJSON against Parquet, in the same run, on a local stack of its own.
 *
 * 1. Messages from the drone simulator's generator (`droneFleet`, its defaults: 1 message per drone per second,
 *    20 % violations, 1 % alarms, seed 1), in virtual time, arriving on a drones stream of `--shards` shards
 *    (default config/resources.json's; a drone's shard from the MD5 of its id, as Kinesis places a partition key).
 * 2. Archived as the storage writer archives them: one line per message (`ingestedAt` beside its `time`), one
 *    batch per shard cut at the writer's limits (`defaultArchiveLimits` in actors/stream-to-storage/s3-archive.ts:
 *    at 1,000 drones over 4 shards, its 5 s age limit cuts a batch every 1,250 records, before 2,500 records
 *    or 8 MiB), gzip, in the writer's keys, on s3rver.
 * 3. The report over the archive (runAnalysis, drone side only: `--archive`), from a warm cache, timed.
 * 4. `compactArchive` (every hour closed), timed; the report again, now from the Parquet parts, timed; both
 *    reports must be equal.
 *
 * Goals (issue 18): Parquet ≤ 0.5× the NDJSON's bytes, the report ≥ 3× faster on it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

import { PutObjectCommand } from '@aws-sdk/client-s3';
import { take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

import { droneFleet, type FleetConfig } from '../actors/drone-simulator/behaviour.ts';
import { loadCodeWeights } from '../actors/protocol/code-weights.ts';
import {
  DEFAULT_HUMAN_CODES,
  DroneMessage,
  loadResourcesOrThrow,
  loadViolationCodes,
} from '../actors/protocol/index.ts';
import {
  contentHash,
  defaultArchiveLimits,
  hourPartition,
  objectKey,
} from '../actors/stream-to-storage/s3-archive.ts';
import { compactArchive } from '../analysis/archive/compact.ts';
import { createEngine, sqlString } from '../analysis/engine/duckdb.ts';
import { createArchiveCache } from '../analysis/load/archive-cache.ts';
import { runAnalysis } from '../analysis/run.ts';
import { createAwsClients } from '../runtime/aws/clients.ts';
import { createBucket } from '../runtime/aws/provision.ts';
import { E } from '../runtime/codec.ts';
import { startLocalStack } from '../runtime/local-stack/index.ts';

/** The first message's time: a day start, so a million messages at 1,000 drones fill hours 00 and one more. */
const START = Date.parse('2026-11-27T00:00:00.000Z');

/** A batch being filled, as the writer's: lines of one shard, cut by age, count, size or hour. */
interface OpenBatch {
  readonly shardId: string;
  readonly firstSequence: string;
  readonly hourKey: string;
  readonly firstAt: number;
  readonly lines: string[];
  bytes: number;
}

/** Kinesis' placement: the MD5 of the partition key as a 128-bit number, shards splitting the range evenly. */
const shardOf = (key: string, shards: number): number => {
  const hi = createHash('md5').update(key).digest().readBigUInt64BE(0);
  return Number((hi * BigInt(shards)) >> 64n);
};

/** The archive's objects (key → gzip body) for `messages` messages of `drones` drones over `shards` shards. */
export const generateArchive = (
  messages: number,
  drones: number,
  shards: number,
): { objects: Map<string, Buffer>; batches: number; lines: number } => {
  const weights = loadCodeWeights();
  if (E.isLeft(weights)) throw new Error(weights.left.issues.join('\n'));
  const cfg: FleetConfig = {
    drones,
    intervalMs: 1_000,
    alarmRate: 0.01,
    violationRate: 0.2,
    humanCodes: DEFAULT_HUMAN_CODES,
    codeWeights: weights.right.entries.map((w) => ({ code: w.code, weight: w.count })),
    seed: 1,
    speedMps: 8,
  };
  const limits = defaultArchiveLimits;
  const objects = new Map<string, Buffer>();
  const open = new Map<number, OpenBatch>();
  const sequences = new Array<number>(shards).fill(0);
  let lines = 0;
  const cut = (shard: number) => {
    const b = open.get(shard);
    if (b === undefined) return;
    open.delete(shard);
    const text = Buffer.from(`${b.lines.join('\n')}\n`, 'utf8');
    const key = objectKey(
      'archive/',
      'drone.message',
      b.hourKey,
      b.shardId,
      b.firstSequence,
      contentHash(text),
    );
    objects.set(key, gzipSync(text));
  };
  const scheduler = new TestScheduler(() => undefined);
  scheduler.run(() => {
    droneFleet(cfg, { now: () => START + scheduler.now() })
      .pipe(take(messages))
      .subscribe((m) => {
        const arrivedAt = Date.parse(m.time);
        const shard = shardOf(m.droneId, shards);
        const hourKey = hourPartition(arrivedAt);
        const b = open.get(shard);
        if (b !== undefined && (b.hourKey !== hourKey || arrivedAt - b.firstAt >= limits.maxAgeMs))
          cut(shard);
        const sequence = String(sequences[shard]!++).padStart(20, '0');
        let batch = open.get(shard);
        if (batch === undefined) {
          batch = {
            shardId: `shardId-${String(shard).padStart(12, '0')}`,
            firstSequence: sequence,
            hourKey,
            firstAt: arrivedAt,
            lines: [],
            bytes: 0,
          };
          open.set(shard, batch);
        }
        const line = JSON.stringify({
          ...(DroneMessage.encode(m) as Record<string, unknown>),
          ingestedAt: new Date(arrivedAt).toISOString(),
        });
        batch.lines.push(line);
        batch.bytes += line.length + 1;
        lines++;
        if (batch.bytes >= limits.maxBytes || batch.lines.length >= limits.maxRecords) cut(shard);
      });
  });
  for (const shard of [...open.keys()]) cut(shard);
  return { objects, batches: objects.size, lines };
};

/** The columns the drone side of the report reads (analysis/drones/load.ts `insertCompacted`). */
const REPORT_COLUMNS = ['id', 'droneid', 'time', 'violationcode', 'borough', 'm96', 'timesuspect'];

/** Compressed bytes per column of every Parquet file under `cacheDir`, largest first. */
const parquetColumns = async (
  cacheDir: string,
  workDir: string,
): Promise<Array<{ column: string; bytes: number }>> => {
  const engine = await createEngine({ workDir });
  try {
    const rows =
      await engine.all(`SELECT path_in_schema AS c, sum(total_compressed_size)::DOUBLE AS b
      FROM parquet_metadata(${sqlString(`${cacheDir}/**/*.parquet`)}) GROUP BY 1 ORDER BY 2 DESC`);
    return rows.map((r) => ({ column: String(r.c), bytes: Number(r.b) }));
  } finally {
    engine.close();
  }
};

const fmt = (n: number) => n.toLocaleString('en-US');
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/**
 * The benchmark.
 * @example await bench(['--messages', '20000']);
 */
export const bench = async (args: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      messages: { type: 'string', default: '1000000' },
      drones: { type: 'string', default: '1000' },
      shards: { type: 'string' },
      keep: { type: 'boolean', default: false },
      // The analysis's DuckDB bound (600MB by default, `npm run analysis -- --memory-limit`).
      'memory-limit': { type: 'string' },
    },
  });
  const memoryLimit = values['memory-limit'];
  const messages = Number(values.messages);
  const drones = Number(values.drones);
  const shards = Number(values.shards ?? loadResourcesOrThrow().streams.drones.shards);
  if (![messages, drones, shards].every((n) => Number.isSafeInteger(n) && n > 0))
    throw new Error('--messages, --drones and --shards take positive integers');
  const codes = loadViolationCodes();
  if (E.isLeft(codes)) throw new Error(codes.left.issues.join('\n'));

  const dir = mkdtempSync(join(tmpdir(), 'prestacop-bench-archive-'));
  console.log(
    `archive benchmark: ${fmt(messages)} messages of ${fmt(drones)} drones over ${shards} shards ` +
      `(${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)})`,
  );
  let t = performance.now();
  const archive = generateArchive(messages, drones, shards);
  const ndjsonBytes = [...archive.objects.values()].reduce((n, b) => n + b.length, 0);
  console.log(
    `generated ${fmt(archive.lines)} lines in ${fmt(archive.batches)} batches ` +
      `(${fmt(Math.round(archive.lines / archive.batches))} records each on average; limits: ` +
      `${defaultArchiveLimits.maxAgeMs / 1000} s, ${fmt(defaultArchiveLimits.maxRecords)} records, ` +
      `${mib(defaultArchiveLimits.maxBytes)}) in ${((performance.now() - t) / 1e3).toFixed(1)} s`,
  );

  const stack = await startLocalStack({
    dataDir: join(dir, 'stack'),
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
  });
  const clients = createAwsClients(stack.target);
  const bucket = 'bench-archive';
  try {
    await createBucket(clients, bucket);
    for (const [Key, Body] of archive.objects)
      await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));

    /** The report from a warm cache (the download is not timed): seconds of wall and CPU, and its files. */
    const report = async (label: string) => {
      const cache = createArchiveCache(clients.s3, { bucket }, join(dir, 'cache'));
      await cache.sync('drone.message');
      const engine = await createEngine({
        workDir: mkdtempSync(join(dir, `work-${label}-`)),
        memoryLimit,
      });
      try {
        const cpu = process.cpuUsage();
        const started = performance.now();
        const { files } = await runAnalysis(
          {
            nypdFiles: [],
            codes: codes.right,
            humanCodes: DEFAULT_HUMAN_CODES,
            today: '2026-11-27',
            top: 50,
          },
          { engine, progress: () => undefined, archive: cache },
        );
        const used = process.cpuUsage(cpu);
        return {
          seconds: (performance.now() - started) / 1e3,
          cpu: (used.user + used.system) / 1e6,
          files,
        };
      } finally {
        engine.close();
      }
    };

    const onNdjson = await report('ndjson');
    t = performance.now();
    const engine = await createEngine({ workDir: mkdtempSync(join(dir, 'compact-')), memoryLimit });
    const compacted = await compactArchive(
      { bucket, graceMs: 0, workDir: mkdtempSync(join(dir, 'parts-')) },
      { s3: clients.s3, engine, now: () => Date.now(), progress: () => undefined },
    ).finally(() => engine.close());
    const compactSeconds = (performance.now() - t) / 1e3;
    const parquetBytes = compacted.reduce(
      (n, r) => n + (r.outcome.kind === 'compacted' ? r.outcome.bytes : 0),
      0,
    );
    const refused = compacted.filter((r) => r.outcome.kind !== 'compacted');
    if (refused.length > 0) throw new Error(`hours not compacted: ${JSON.stringify(refused)}`);
    const onParquet = await report('parquet');
    const columns = await parquetColumns(join(dir, 'cache'), join(dir, 'columns'));
    const same = [...onNdjson.files].every(
      ([name, content]) => onParquet.files.get(name) === content,
    );

    const ratio = parquetBytes / ndjsonBytes;
    const speedup = onNdjson.seconds / onParquet.seconds;
    console.log(`
|                        | gzip NDJSON (as written) | Parquet (zstd, compacted) |
|------------------------|--------------------------|---------------------------|
| objects                | ${fmt(archive.batches)} | ${fmt(compacted.length)} |
| bytes                  | ${mib(ndjsonBytes)} (${(ndjsonBytes / messages).toFixed(1)} B/message) | ${mib(parquetBytes)} (${(parquetBytes / messages).toFixed(1)} B/message) |
| report, drone side     | ${onNdjson.seconds.toFixed(2)} s (CPU ${onNdjson.cpu.toFixed(1)} s) | ${onParquet.seconds.toFixed(2)} s (CPU ${onParquet.cpu.toFixed(1)} s) |

Parquet / NDJSON bytes: ${ratio.toFixed(3)}× (goal ≤ 0.5: ${ratio <= 0.5 ? 'goal met' : 'goal NOT met'})
report speed-up on Parquet: ${speedup.toFixed(1)}× (goal ≥ 3: ${speedup >= 3 ? 'goal met' : 'goal NOT met'})
compaction (${compacted.length} hours): ${compactSeconds.toFixed(1)} s
Parquet bytes per message, by column (what Athena scans of a column a query reads):
${columns.map((c) => `  ${c.column.padEnd(18)} ${(c.bytes / messages).toFixed(2)}`).join('\n')}
  the report's columns (${REPORT_COLUMNS.join(', ')}): ${(columns.filter((c) => REPORT_COLUMNS.includes(c.column)).reduce((n, c) => n + c.bytes, 0) / messages).toFixed(2)}
the two reports are ${same ? 'identical' : 'DIFFERENT (a bug)'}`);
    if (!same) process.exitCode = 1;
  } finally {
    clients.destroy();
    await stack.stop();
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
};
