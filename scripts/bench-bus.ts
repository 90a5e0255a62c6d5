/**
 * The bus benchmark (`npm run bench -- bus [--messages N] [--compression gzip:6,zstd:3,...]`): messages/s published
 * into and consumed out of a 4-shard kinesalite stream through the Kinesis bus, one message per record, packed, and
 * packed with each compression asked for (default gzip:6), each next to the raw rate of the emulator measured in
 * the same run: PutRecords of 500 records, 4 requests in flight (what the producer does at best), and GetRecords of
 * up to 10,000 records per call, shard after shard. The ratio says what the bus costs (or, packed, gains) over the
 * emulator's own ceiling on this machine. Each run also reports the bytes per message on the wire and the CPU per
 * message of this process (producer and consumer: packing, compressing, unpacking) and of the emulators, as ratios
 * to the raw run's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

import { type AwsClients, createAwsClients } from '../runtime/aws/clients.ts';
import { createStream } from '../runtime/aws/provision.ts';
import { topic } from '../runtime/bus/bus.ts';
import { createKinesisBus, type ProducerOptions } from '../runtime/bus/kinesis.ts';
import { parseCompression, showCompression } from '../runtime/bus/kinesis-packing.ts';
import { t } from '../runtime/codec.ts';
import { createEventHub } from '../runtime/events.ts';
import { startLocalStack } from '../runtime/local-stack/index.ts';
import { forEachPage } from '../test/helpers/kinesis-stream.ts';
import { cpuSeconds } from './measure.ts';

const SHARDS = 4;
const DRONES = 1_000;

/** A drone report of about 200 bytes of JSON, the size of the real ones. */
const Report = t.type({
  type: t.literal('drone.report'),
  v: t.literal(1),
  id: t.string,
  droneId: t.string,
  seq: t.number,
  at: t.number,
  location: t.type({ lat: t.number, lon: t.number }),
  violationCode: t.union([t.number, t.null]),
});
type Report = t.TypeOf<typeof Report>;

const reports = (n: number): Report[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'drone.report',
    v: 1,
    id: `r-${i.toString(36).padStart(8, '0')}`,
    droneId: `drone-${i % DRONES}`,
    seq: Math.floor(i / DRONES),
    at: 1_795_000_000_000 + i,
    location: { lat: 40.7 + (i % 997) / 10_000, lon: -73.9 - (i % 991) / 10_000 },
    violationCode: i % 10 === 0 ? 21 : null,
  }));

const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);
const fmt = (n: number) => n.toLocaleString('en-US');

/** Raw PutRecords: 500 records per call, `concurrency` calls in flight. */
const rawPut = async (kinesis: KinesisClient, stream: string, data: Buffer[], concurrency = 4) => {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < data.length) {
      const from = next;
      next += 500;
      const res = await kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: data.slice(from, from + 500).map((d, i) => ({
            Data: d,
            PartitionKey: `drone-${(from + i) % DRONES}`,
          })),
        }),
      );
      if (res.FailedRecordCount) throw new Error(`${res.FailedRecordCount} raw records failed`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return performance.now() - started;
};

/** Raw GetRecords from TRIM_HORIZON, 10,000 per call (the API's most), shard after shard, until caught up. */
const rawGet = async (
  kinesis: KinesisClient,
  stream: string,
): Promise<{ ms: number; n: number }> => {
  const started = performance.now();
  let n = 0;
  await forEachPage(kinesis, stream, (_, records) => (n += records.length));
  return { ms: performance.now() - started, n };
};

interface Run {
  readonly publishMs: number;
  readonly records: number;
  /** Bytes sent to the stream (record data and partition keys, as the producer counts them). */
  readonly bytes: number;
  readonly consumeMs: number;
  readonly firstDeliveryMs: number;
}

/** Publishes every report through a bus (chunks of 500, 8 publish() calls at once), then consumes them all. */
const throughBus = async (
  clients: AwsClients,
  stream: string,
  all: Report[],
  producer: ProducerOptions,
): Promise<Run> => {
  const events = createEventHub();
  let records = 0;
  let bytes = 0;
  events.events$.subscribe((e) => {
    if (e.type !== 'bus.published') return;
    records += e.payload.records;
    bytes += e.payload.bytes;
  });
  const options = { clients, leaseTable: 'prestacop-leases', target: 'local', events } as const;
  const tp = topic(stream, Report, (r) => r.droneId);
  const publisher = createKinesisBus({ ...options, producer });
  const startedPub = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < all.length) {
      const from = next;
      next += 500;
      await publisher.publish(tp, all.slice(from, from + 500));
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  await publisher.close();
  const publishMs = performance.now() - startedPub;

  const consumer = createKinesisBus(options);
  const startedSub = performance.now();
  let firstDeliveryMs = 0;
  await new Promise<void>((resolve) => {
    let n = 0;
    const sub = consumer.subscribe(tp, { application: 'bench' }).subscribe((d) => {
      if (n === 0) firstDeliveryMs = performance.now() - startedSub;
      void d.ack();
      if (++n === all.length) {
        queueMicrotask(() => sub.unsubscribe());
        resolve();
      }
    });
  });
  const consumeMs = performance.now() - startedSub;
  await consumer.close();
  return { publishMs, records, bytes, consumeMs, firstDeliveryMs };
};

/** Runs the bus benchmark and prints the table. */
export const bench = async (args: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...args],
    options: { messages: { type: 'string' }, compression: { type: 'string', default: 'gzip:6' } },
    strict: true,
  });
  const n = Number(values.messages ?? 100_000);
  const compressions = values.compression.split(',').map((c) => {
    const parsed = parseCompression(c);
    if (typeof parsed === 'string') throw new Error(`--compression: ${parsed}`);
    return parsed;
  });
  const dir = mkdtempSync(join(tmpdir(), 'prestacop-bench-'));
  console.log(
    `bus benchmark: ${fmt(n)} messages of ~200 B, ${DRONES} partition keys, ${SHARDS}-shard streams`,
  );
  const stack = await startLocalStack({
    dataDir: dir,
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
  });
  const clients = createAwsClients(stack.target);
  /** CPU seconds of this process (producer and consumer) and of the emulators, since `from`. */
  const cpu = (from?: { own: number; emulators: number }) => {
    const usage = process.cpuUsage();
    const own = (usage.user + usage.system) / 1e6;
    const emulators = stack.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    return from
      ? { own: own - from.own, emulators: emulators - from.emulators }
      : { own, emulators };
  };
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const stream = async (name: string) => {
      const s = `bench-${name}-${Date.now().toString(36)}`;
      await createStream(clients, s, SHARDS);
      return s;
    };
    const all = reports(n);
    const bytes = all.map((r) => Buffer.from(JSON.stringify(r)));
    const avg = Math.round(bytes.reduce((s, b) => s + b.length, 0) / n);
    // Warm the emulator (and this process's JIT) first, so the baseline is not a cold start.
    await rawPut(clients.kinesis, await stream('warmup'), bytes.slice(0, Math.min(n, 20_000)));
    const rawStream = await stream('raw');
    const rawCpuFrom = cpu();
    const putMs = await rawPut(clients.kinesis, rawStream, bytes);
    const get = await rawGet(clients.kinesis, rawStream);
    const rawCpu = cpu(rawCpuFrom);
    const rawPutRate = perSec(n, putMs);
    const rawGetRate = perSec(get.n, get.ms);
    // Bytes per message on the wire, as the producer counts them: data and partition key.
    const rawBytes = bytes.reduce((sum, b, i) => sum + b.length + `drone-${i % DRONES}`.length, 0);
    const µs = (seconds: number) => (seconds * 1e6) / n;
    const runs: Array<[string, ProducerOptions]> = [
      ['bus, 1 message per record', {}],
      ['bus, packed', { packing: true }],
      ...compressions.map((compression): [string, ProducerOptions] => [
        `bus, packed + ${showCompression(compression)}`,
        { packing: { compression } },
      ]),
    ];
    const cpuCells = (c: { own: number; emulators: number }) => [
      µs(c.own).toFixed(1),
      (c.own / rawCpu.own).toFixed(2),
      µs(c.emulators).toFixed(1),
      (c.emulators / rawCpu.emulators).toFixed(2),
    ];
    const rows = [
      [
        'raw PutRecords / GetRecords',
        fmt(n),
        (rawBytes / n).toFixed(1),
        fmt(rawPutRate),
        '1.00',
        fmt(rawGetRate),
        '1.00',
        ...cpuCells(rawCpu),
        '-',
      ],
    ];
    for (const [label, producer] of runs) {
      const from = cpu();
      const r = await throughBus(clients, await stream(label.replace(/\W+/g, '')), all, producer);
      const used = cpu(from);
      const inRate = perSec(n, r.publishMs);
      const outRate = perSec(n, r.consumeMs);
      rows.push([
        label,
        fmt(r.records),
        (r.bytes / n).toFixed(1),
        fmt(inRate),
        (inRate / rawPutRate).toFixed(2),
        fmt(outRate),
        (outRate / rawGetRate).toFixed(2),
        ...cpuCells(used),
        `${Math.round(r.firstDeliveryMs)} ms`,
      ]);
    }
    const head = [
      '',
      'records',
      'B/msg',
      'in msg/s',
      'in ratio',
      'out msg/s',
      'out ratio',
      'CPU µs/msg',
      'ratio',
      'emulators µs/msg',
      'ratio',
      'first delivery',
    ];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(
      `average message ${avg} B; raw read ${fmt(get.n)} records in ${Math.round(get.ms)} ms\n`,
    );
    console.log(line(head));
    for (const r of rows) console.log(line(r));
    console.log(
      `\nratios: bus rate / raw emulator rate of the same run (in: PutRecords, out: GetRecords); CPU: of this` +
        `\nprocess (producer + consumer: packing, compression) and of the emulators, per message, over the raw run's.` +
        `\nB/msg: bytes sent to the stream per message (record data + partition key).` +
        `\n"out" includes taking the leases (see first delivery). Peak RSS ${Math.round(peakRss / 2 ** 20)} MiB.`,
    );
  } finally {
    clearInterval(sampler);
    clients.destroy();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
