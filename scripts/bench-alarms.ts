/**
 * The alarm latency benchmark (`npm run bench -- alarms`): how long from a drone emitting a human-required message
 * to the alarm reaching a subscriber of the alarm topic (an SQS queue, raw delivery off, as the console's), with
 * the storage writer consuming the same stream beside the alert system.
 *
 * Layout, as deployed: the alert system and the storage writer each run as their own service process
 * (`npm run alert-system`, `npm run stream-to-storage`); this process runs the fleet and the subscriber. The local
 * stack is the benchmark's own (free ports, a temporary data folder). Each fleet size gets a fresh 4-shard stream,
 * so runs do not inherit lag. Latency = receive time at the subscriber − the message's `time`, both on this
 * process' clock; the SNS envelope's `Timestamp` splits it into stages. Alarms emitted during the warm-up (leases
 * being taken, JIT) are not measured. CPU per process and the load average are printed, since this machine is
 * shared: a figure means little without them.
 *
 * Options: `--drones 100,1000 --seconds 30 --warmup 5 --alarm-rate 0.02 --interval 1000 --record-wait-ms 100
 * --dynamodb memory|disk` (default memory: DynamoDB Local `-inMemory`, as nothing here must survive a restart;
 * `disk` is the default stack's SQLite file, several times fewer writes/s) `--data-dir DIR` (default the OS temp
 * dir) `--no-storage-writer` `--writer-nice N` (the storage writer's nice(1) level; default 10, as deployed: the
 * systemd unit gives it `Nice=10`, so on a shared host storage yields the cores to alarms; 0 to see it compete).
 * `BENCH_ALARMS_LOG=FILE` appends the services' JSON logs to FILE.
 *
 * `--with-import` (issue 16, the history stream's promise): each fleet size runs twice in the same run, first
 * without, then with csv-to-stream importing a generated NYPD file onto the history stream during the whole run,
 * at `nice 10` as a non-alarm job runs (`--import-nice N`), the bundle under plain node with its memory flags as
 * `npm run csv-to-stream` runs it; the storage writer consumes that history stream as deployed. The file has
 * `--import-rows N` rows (default 1,000,000; 43 columns, 1 % real dirt, seed 1, as `bench -- csv`), generated once
 * and cached under `.bench/` (gitignored), or is `--import-file F`. The report gives p50/p99 without and with the
 * import, their ratio, whether the import ran through the whole measurement, and the goal: p99 ≤ 500 ms with it.
 * The full measurement: {@link FULL_IMPORT_COMMAND}.
 *
 * Beside each figure: the 1-minute load average at the start and end of the run, the share of the run some task
 * waited for a core (Linux PSI), and the CPU of each process, as other work on this machine moves the figures;
 * repeat a run whose load exceeded the core count.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { subscribeAlarmQueue } from '../actors/alert-system/queue-subscriber.ts';
import { startDroneFleet } from '../actors/drone-simulator/service.ts';
import { loadCodeWeights } from '../actors/protocol/code-weights.ts';
import { loadResourcesOrThrow } from '../actors/protocol/index.ts';
import { epochMsOf } from '../actors/protocol/time.ts';
import { DEFAULT_HUMAN_CODES } from '../actors/protocol/violation-codes.ts';
import { type AwsClients, createAwsClients } from '../runtime/aws/clients.ts';
import { createStream } from '../runtime/aws/provision.ts';
import { createKinesisBus } from '../runtime/bus/kinesis.ts';
import { E } from '../runtime/codec.ts';
import { createEventHub } from '../runtime/events.ts';
import { type LocalStack, stackEnv, startLocalStack } from '../runtime/local-stack/index.ts';
import { waitFor } from '../test/helpers/wait-for.ts';
import { bundleActor } from './bundle.ts';
import { countItems, cpuSeconds } from './measure.ts';
import { generateNypd } from './nypd-generator.ts';

const spec = loadResourcesOrThrow();
const REPO = join(import.meta.dirname, '..');

/** The issue's measurement (issue 16 item 9): 1,000 drones, with and without a 1 M-row import at nice 10. */
export const FULL_IMPORT_COMMAND =
  'npm run bench -- alarms --drones 1000 --with-import --import-rows 1000000';

const USAGE = `usage: npm run bench -- alarms [options]

  --drones N,N         fleet sizes, one run each (default 100,1000)
  --seconds S          measured seconds per run (default 30), after --warmup S (default 5)
  --alarm-rate P       share of messages that need a human (default 0.02); --interval MS between a drone's messages
  --record-wait-ms MS  the alert system's --record-wait-ms (default 100)
  --dynamodb memory|disk    DynamoDB Local in memory (default) or on its SQLite file
  --data-dir DIR       where the stack's temporary folder goes (default the OS temp dir)
  --no-storage-writer  without the storage writer; --writer-nice N its nice level (default 10, as deployed)
  --with-import        each size twice: without, then with csv-to-stream importing an NYPD file during the run
  --import-rows N      rows of the generated file (default 1000000; cached under .bench/)
  --import-file F      import this file instead of a generated one
  --import-nice N      csv-to-stream's nice level (default 10, a non-alarm job)

The issue's measurement (alarm p99 with a 1 M-row import at 1,000 drones; goal p99 <= 500 ms with the import):
  ${FULL_IMPORT_COMMAND}
`;

/** What the import beside the fleet runs: the csv-to-stream bundle, on this file, at this nice level. */
interface ImportOptions {
  readonly bundle: string;
  readonly file: string;
  readonly nice: number;
  readonly dir: string;
}

/** How the import went during one run. */
interface ImportResult {
  /** Seconds from the start of the measurement (after the warm-up) to the import's end; undefined: it outlasted the run. */
  readonly endedAfterSeconds: number | undefined;
  readonly exitCode: number | null;
  readonly rowsRead: number | undefined;
  readonly rowsPerSecond: number | undefined;
}

/**
 * The generated NYPD file of `rows` rows, cached under `.bench/` (generated once, atomically: written aside, then
 * renamed, so an interrupted generation never leaves a short file behind).
 */
const cachedNypdFile = async (rows: number): Promise<string> => {
  const file = join(REPO, '.bench', `fy2017-generated-${rows}.csv`);
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.tmp`;
  const t = performance.now();
  await generateNypd({ rows, out: aside, layout: 43, dirty: 0.01, seed: 1 });
  renameSync(aside, file);
  console.log(`generated ${file} in ${((performance.now() - t) / 1e3).toFixed(1)} s`);
  return file;
};

/**
 * Microseconds during which some task waited for a CPU, since boot (Linux PSI, /proc/pressure/cpu), if available:
 * over a run, the share of its time the machine was short of cores, whoever caused it.
 */
const cpuWaitUs = (): number | undefined => {
  try {
    const m = /^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
const pct = (xs: ReadonlyArray<number>, p: number): string =>
  xs.length === 0
    ? '-'
    : String(Math.round(xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!));

interface RunOptions {
  readonly drones: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly alarmRate: number;
  readonly intervalMs: number;
  readonly queueUrl: string;
  readonly storageWriter: boolean;
  readonly recordWaitMs: string;
  readonly writerNice: number;
  /** csv-to-stream importing onto the run's history stream during the run, or none. */
  readonly importing?: ImportOptions;
}

/** Latencies of one run, sorted, in ms: total and its stages. */
interface RunResult {
  readonly sentPerSec: number;
  readonly sent: number;
  /** Messages the storage writer put in the hot table, and when it held them all (undefined: not within 60 s). */
  readonly stored: number;
  readonly writerCaughtUpSeconds: number | undefined;
  readonly alarms: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly total: number[];
  readonly consumed: number[];
  readonly published: number[];
  readonly received: number[];
  /** Total latencies by 5-second window of emit time, sorted. */
  readonly byWindow: number[][];
  readonly load: number;
  readonly loadBefore: number;
  /** Share of the run (%) during which some task waited for a CPU (PSI), or undefined. */
  readonly cpuWait: number | undefined;
  /** CPU used during the run by each process, in % of one core. */
  readonly cpu: Readonly<Record<string, number>>;
  readonly imported?: ImportResult;
}

/**
 * Starts a service's main.ts against the stack; resolves once it logged that it started, with `leased`, which
 * resolves once it holds the leases of `shards.count` shards of `shards.stream` (the fleet starts then: otherwise the
 * first seconds measure lease taking and a backlog the services start with).
 */
const startService = async (
  stack: LocalStack,
  main: string,
  args: ReadonlyArray<string>,
  shards: { readonly stream: string; readonly count: number },
  nice = 0,
): Promise<{ readonly child: ChildProcess; readonly leased: Promise<void> }> => {
  const node = [process.execPath, '--import', 'tsx', main, ...args, '--log-level', 'info'];
  // nice(1) execs node: the child's pid stays the service's (CPU accounting, SIGTERM).
  const [command, ...argv] = nice > 0 ? ['nice', '-n', String(nice), ...node] : node;
  const child = spawn(command!, argv, {
    env: { ...process.env, ...stackEnv(stack) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let leases = 0;
  let onLeased: () => void = () => undefined;
  const leased = new Promise<void>((resolve) => (onLeased = resolve));
  await new Promise<void>((resolve, reject) => {
    let out: string | undefined = '';
    // Read stdout to the end (a full pipe would block the service), keeping only what precedes the start line.
    child.stdout?.on('data', (b: Buffer) => {
      if (process.env.BENCH_ALARMS_LOG) appendFileSync(process.env.BENCH_ALARMS_LOG, b);
      for (const line of b.toString().split('\n'))
        if (line.includes('"msg":"bus.lease_acquired"') && line.includes(`"${shards.stream}"`))
          leases++;
      if (leases >= shards.count) onLeased();
      if (out === undefined) return;
      out += b.toString();
      if (/ started"/.test(out)) {
        out = undefined;
        resolve();
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`${main} exited (${code}) before starting:\n${out ?? ''}`)),
    );
  });
  return { child, leased };
};

/**
 * Starts csv-to-stream on the run's history stream, as a non-alarm job runs: `nice -n N env MALLOC_ARENA_MAX=2 node
 * <memory flags> dist/csv-to-stream/main.mjs` (`npm run csv-to-stream`'s command, each program exec'ing the next, so
 * the pid is the importer's), from the first row.
 */
const startImport = (stack: LocalStack, o: ImportOptions, stream: string): ChildProcess => {
  const node = [
    ...['env', 'MALLOC_ARENA_MAX=2', process.execPath],
    ...['--max-semi-space-size=4', '--max-old-space-size=64', o.bundle],
    ...['--file', o.file, '--history-stream', stream, '--restart'],
    ...['--state', join(o.dir, 'state.json'), '--rejects', join(o.dir, 'rejects.ndjson')],
    ...['--summary', join(o.dir, 'summary.json'), '--log-level', 'warn'],
  ];
  const [command, ...argv] = o.nice > 0 ? ['nice', '-n', String(o.nice), ...node] : node;
  return spawn(command!, argv, {
    cwd: REPO,
    env: { ...process.env, ...stackEnv(stack) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
};

const stopService = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
};

/** One fleet size on a fresh stream. */
const runOnce = async (
  stack: LocalStack,
  clients: AwsClients,
  o: RunOptions,
): Promise<RunResult> => {
  const weights = loadCodeWeights();
  if (E.isLeft(weights)) throw new Error(weights.left.issues.join('\n'));
  const stream = `bench-alarms-${o.drones}-${Date.now().toString(36)}`;
  await createStream(clients, stream, 4);
  // A history stream of the run's own, with or without an import: the two runs differ by the import only.
  const historyStream = `${stream}-history`;
  await createStream(clients, historyStream, spec.streams.history.shards);
  const shards = { stream, count: 4 };
  const started = await Promise.all([
    startService(
      stack,
      'actors/alert-system/main.ts',
      ['--drone-stream', stream, '--record-wait-ms', o.recordWaitMs],
      shards,
    ),
    ...(o.storageWriter
      ? [
          startService(
            stack,
            'actors/stream-to-storage/main.ts',
            ['--drone-stream', stream, '--history-stream', historyStream],
            shards,
            o.writerNice,
          ),
        ]
      : []),
  ]);
  const services = started.map((s) => s.child);
  const leased = await Promise.race([
    Promise.all(started.map((s) => s.leased)).then(() => true),
    sleep(30_000).then(() => false),
  ]);
  if (!leased)
    console.log('  (the services did not take every lease within 30 s: starting the fleet anyway)');
  const names = Object.keys(stack.logs);
  // The import starts with the warm-up, so it is under way when the measurement starts.
  const importer = o.importing ? startImport(stack, o.importing, historyStream) : undefined;
  let importEndedAt: number | undefined;
  const importExit = importer
    ? new Promise<number | null>((resolve) =>
        importer.once('exit', (code) => {
          importEndedAt = Date.now();
          resolve(code);
        }),
      )
    : undefined;
  const pids: Record<string, number | undefined> = {
    'alert-system': services[0]?.pid,
    'storage-writer': services[1]?.pid,
    ...(importer ? { [`csv-to-stream (nice ${o.importing!.nice})`]: importer.pid } : {}),
    'bench (fleet, subscriber)': process.pid,
    ...Object.fromEntries(stack.pids.map((pid, i) => [names[i] ?? `emulator ${i}`, pid])),
  };
  const cpuBefore = Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]),
  );
  const loadBefore = loadavg()[0] ?? NaN;
  const waitBefore = cpuWaitUs();
  const copies = new Map<string, number>();
  const r = { total: [] as number[], consumed: [] as number[], published: [] as number[] };
  const byWindow: number[][] = []; // total latency by 5-second window of emit time: a backlog grows, a spike does not
  const received: number[] = [];
  const startedAt = Date.now();
  const measureFrom = startedAt + o.warmupSeconds * 1_000;
  const subscriber = subscribeAlarmQueue(
    clients.sqs,
    o.queueUrl,
    (a) => {
      const n = (copies.get(a.alarm.id) ?? 0) + 1;
      copies.set(a.alarm.id, n);
      const emitted = epochMsOf(a.alarm.time);
      if (n > 1 || emitted < measureFrom) return;
      r.total.push(a.receivedAt - emitted);
      (byWindow[Math.floor((emitted - measureFrom) / 5_000)] ??= []).push(a.receivedAt - emitted);
      r.consumed.push(epochMsOf(a.alarm.raisedAt) - emitted);
      r.published.push(a.publishedAt - epochMsOf(a.alarm.raisedAt));
      received.push(a.receivedAt - a.publishedAt);
    },
    { receivers: 4 },
  );
  const bus = createKinesisBus({ clients, leaseTable: spec.tables.leases.name, target: 'local' });
  const storedBefore = o.storageWriter
    ? await countItems(clients.doc, spec.tables.messages.name)
    : 0;
  const fleet = startDroneFleet({
    bus,
    events: createEventHub(),
    stream,
    clock: { now: Date.now },
    fleet: {
      drones: o.drones,
      intervalMs: o.intervalMs,
      alarmRate: o.alarmRate,
      violationRate: Math.max(0.2, o.alarmRate),
      humanCodes: DEFAULT_HUMAN_CODES,
      codeWeights: weights.right.entries.map((w) => ({ code: w.code, weight: w.count })),
      seed: o.drones,
      speedMps: 8,
      firstSeq: Math.floor(startedAt / o.intervalMs),
    },
  });
  await sleep((o.warmupSeconds + o.seconds) * 1_000);
  const load = loadavg()[0] ?? NaN;
  const elapsed = (Date.now() - startedAt) / 1_000;
  const waitAfter = cpuWaitUs();
  const cpuWait =
    waitBefore === undefined || waitAfter === undefined
      ? undefined
      : Math.round((waitAfter - waitBefore) / (elapsed * 10_000));
  const cpu = Object.fromEntries(
    Object.entries(pids)
      .filter(([, pid]) => pid !== undefined)
      .map(([k, pid]) => [k, Math.round(((cpuSeconds(pid) - cpuBefore[k]!) / elapsed) * 100)]),
  );
  await fleet.stop();
  const stoppedAt = Date.now();
  let imported: ImportResult | undefined;
  if (importer && importExit && o.importing) {
    const endedAfterSeconds =
      importEndedAt === undefined ? undefined : (importEndedAt - measureFrom) / 1_000;
    await stopService(importer); // SIGTERM: it stops after the current batch, checkpointed (exit 143)
    const summary = readSummary(join(o.importing.dir, 'summary.json'));
    imported = {
      endedAfterSeconds,
      exitCode: await importExit,
      rowsRead: summary?.rowsRead,
      rowsPerSecond: summary?.rowsPerSecond,
    };
  }
  const sentPerSec = fleet.counts.sent / (o.warmupSeconds + o.seconds);
  // Whether the storage writer kept up: how long after the fleet stopped the hot table held every message.
  let stored = 0;
  let writerCaughtUpSeconds: number | undefined;
  while (o.storageWriter && Date.now() < stoppedAt + 60_000) {
    stored = (await countItems(clients.doc, spec.tables.messages.name)) - storedBefore;
    if (stored >= fleet.counts.sent) {
      writerCaughtUpSeconds = (Date.now() - stoppedAt) / 1_000;
      break;
    }
    await sleep(1_000);
  }
  // The last alarms, within bounds: an alert system that cannot keep up shows as missing alarms (counted below,
  // so the timeout is a result here, not a failure).
  await waitFor(
    'every alarm in the queue',
    () => [...fleet.alarmIds].filter((id) => !copies.has(id)).length,
    20_000,
    (missing) => missing === 0,
  ).catch(() => undefined);
  await sleep(500);
  await subscriber.stop();
  await bus.close();
  await Promise.all(services.map(stopService));
  return {
    sentPerSec,
    sent: fleet.counts.sent,
    stored,
    writerCaughtUpSeconds,
    alarms: fleet.alarmIds.size,
    missing: [...fleet.alarmIds].filter((id) => !copies.has(id)).length,
    duplicates: [...copies.values()].reduce((a, n) => a + n - 1, 0),
    total: sorted(r.total),
    consumed: sorted(r.consumed),
    published: sorted(r.published),
    received: sorted(received),
    byWindow: Array.from(byWindow, (w) => sorted(w ?? [])),
    load,
    loadBefore,
    cpuWait,
    cpu,
    ...(imported ? { imported } : {}),
  };
};

const readSummary = (
  file: string,
): { readonly rowsRead: number; readonly rowsPerSecond: number } | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { rowsRead: number; rowsPerSecond: number };
  } catch {
    return undefined;
  }
};

/** How the import covered the measurement, in words. */
const importText = (i: ImportResult, seconds: number): string =>
  `import ${
    i.endedAfterSeconds === undefined
      ? 'ran through the whole measurement (stopped after it)'
      : i.endedAfterSeconds < seconds
        ? `ENDED ${Math.max(0, i.endedAfterSeconds).toFixed(1)} s into the ${seconds} s measurement (exit ${i.exitCode}): ` +
          'the figure covers less than the import; more rows or fewer seconds'
        : 'ran through the whole measurement'
  }; ${i.rowsRead ?? '?'} rows read at ${i.rowsPerSecond ?? '?'} rows/s`;

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
};

/** Runs the alarm benchmark and prints the table. */
export const bench = async (args: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      drones: { type: 'string', default: '100,1000' },
      seconds: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '5' },
      'alarm-rate': { type: 'string', default: '0.02' },
      interval: { type: 'string', default: '1000' },
      'record-wait-ms': { type: 'string', default: '100' },
      'data-dir': { type: 'string', default: tmpdir() },
      dynamodb: { type: 'string', default: 'memory' },
      'no-storage-writer': { type: 'boolean', default: false },
      'writer-nice': { type: 'string', default: '10' },
      'with-import': { type: 'boolean', default: false },
      'import-rows': { type: 'string', default: '1000000' },
      'import-file': { type: 'string' },
      'import-nice': { type: 'string', default: '10' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const sizes = values.drones.split(',').map(Number);
  if (values.dynamodb !== 'memory' && values.dynamodb !== 'disk')
    throw new Error(`--dynamodb: memory or disk, got ${values.dynamodb}`);
  const dynamodbInMemory = values.dynamodb === 'memory';
  const base = {
    seconds: Number(values.seconds),
    warmupSeconds: Number(values.warmup),
    alarmRate: Number(values['alarm-rate']),
    intervalMs: Number(values.interval),
    storageWriter: !values['no-storage-writer'],
    recordWaitMs: values['record-wait-ms'],
    writerNice: Number(values['writer-nice']),
  };
  const importRows = Number(values['import-rows']);
  const importNice = Number(values['import-nice']);
  if (!Number.isSafeInteger(importRows) || importRows < 1)
    throw new Error(`--import-rows: a whole number of rows, got ${values['import-rows']}`);
  if (!Number.isSafeInteger(importNice) || importNice < 0 || importNice > 19)
    throw new Error(`--import-nice: 0 to 19, got ${values['import-nice']}`);
  const withImport = values['with-import'];
  const importFile = !withImport
    ? undefined
    : (values['import-file'] ?? (await cachedNypdFile(importRows)));
  const bundle = withImport ? await bundleActor('csv-to-stream') : undefined;
  const dir = mkdtempSync(join(values['data-dir'], 'prestacop-bench-alarms-'));
  const writer = !base.storageWriter
    ? 'OFF'
    : base.writerNice > 0
      ? `on (nice ${base.writerNice})`
      : 'on';
  console.log(
    `alarm latency: drones ${sizes.join(', ')}, ${base.seconds} s each after ${base.warmupSeconds} s warm-up; ` +
      `a message per drone every ${base.intervalMs} ms, ${base.alarmRate * 100} % need a human; ` +
      `storage writer ${writer}; record wait ${base.recordWaitMs} ms; ` +
      (importFile
        ? `each size without, then with an import of ${importFile} at nice ${importNice}; `
        : '') +
      `DynamoDB Local ${dynamodbInMemory ? 'in memory' : 'on disk'}; stack in ${dir}; ` +
      `${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const stack = await startLocalStack({
    dataDir: dir,
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
    dynamodbInMemory,
  });
  const clients = createAwsClients(stack.target);
  try {
    const queueUrl = stack.provisioned!.queueUrls.console!;
    const head = [
      'drones',
      'import',
      'msg/s',
      'alarms',
      'measured',
      'p50',
      'p90',
      'p99',
      'max',
      'missing',
      'dupes',
    ];
    const rows = [head];
    const stages = [
      [
        'drones',
        'import',
        'emit→consumed p50/p99',
        'consumed→SNS p50/p99',
        'SNS→received p50/p99',
        'load start→end',
        'CPU wait',
      ],
    ];
    const compared: Array<{ drones: number; without: number[]; with: number[] }> = [];
    for (const [run, { drones, importing }] of sizes
      .flatMap((drones) =>
        (importFile ? [false, true] : [false]).map((importing) => ({ drones, importing })),
      )
      .entries()) {
      const r = await runOnce(stack, clients, {
        ...base,
        drones,
        queueUrl,
        ...(importing
          ? {
              importing: {
                bundle: bundle!,
                file: importFile!,
                nice: importNice,
                dir: mkdtempSync(join(dir, `import-${run}-`)),
              },
            }
          : {}),
      });
      const t = r.total;
      const label = `${drones} drones${importing ? ' + import' : ''}`;
      if (importFile && !importing) compared.push({ drones, without: t, with: [] });
      if (importing) compared.at(-1)!.with = t;
      rows.push([
        String(drones),
        importing ? `nice ${importNice}` : 'off',
        String(Math.round(r.sentPerSec)),
        String(r.alarms),
        String(t.length),
        ...[0.5, 0.9, 0.99].map((p) => `${pct(t, p)} ms`),
        `${pct(t, 1)} ms`,
        String(r.missing),
        String(r.duplicates),
      ]);
      const both = (xs: ReadonlyArray<number>) => `${pct(xs, 0.5)} / ${pct(xs, 0.99)} ms`;
      stages.push([
        String(drones),
        importing ? `nice ${importNice}` : 'off',
        both(r.consumed),
        both(r.published),
        both(r.received),
        `${r.loadBefore.toFixed(1)} → ${r.load.toFixed(1)}`,
        r.cpuWait === undefined ? '-' : `${r.cpuWait} %`,
      ]);
      const cpu = Object.entries(r.cpu)
        .map(([k, v]) => `${k} ${v} %`)
        .join(', ');
      const windows = r.byWindow.map((w) => `${pct(w, 0.5)}/${pct(w, 0.99)}`).join(' ');
      console.log(
        `  ${label}: p50/p99 by 5 s of emit time (ms): ${windows}\n` +
          `  ${label}: p99 ${pct(t, 0.99)} ms over ${t.length} alarms; ` +
          `load ${r.loadBefore.toFixed(1)} → ${r.load.toFixed(1)}, CPU wait ${r.cpuWait ?? '-'} %; ` +
          `CPU ${cpu}` +
          (base.storageWriter
            ? `\n  ${label}: storage writer stored ${r.stored} of ${r.sent} messages; ` +
              (r.writerCaughtUpSeconds === undefined
                ? 'NOT caught up 60 s after the fleet stopped'
                : `caught up ${r.writerCaughtUpSeconds.toFixed(1)} s after the fleet stopped`)
            : '') +
          (r.imported ? `\n  ${label}: ${importText(r.imported, base.seconds)}` : ''),
      );
    }
    console.log(`\nlatency, drone emit → alarm received by the SQS subscriber:\n${table(rows)}`);
    console.log(
      `\nstages (load = 1-min load average of the machine at the start and end of the run, ` +
        `${cpus().length} cores; CPU wait = share of the run some task waited for a core, ` +
        `/proc/pressure/cpu):\n${table(stages)}`,
    );
    if (compared.length > 0) {
      const ratio = (a: number[], b: number[], p: number) =>
        a.length === 0 || b.length === 0
          ? '-'
          : (Number(pct(a, p)) / Math.max(1, Number(pct(b, p)))).toFixed(2);
      const cmp = [
        [
          'drones',
          'p50 without / with',
          'p99 without / with',
          'ratio p50',
          'ratio p99',
          'goal p99 ≤ 500 ms with',
        ],
        ...compared.map((c) => [
          String(c.drones),
          `${pct(c.without, 0.5)} / ${pct(c.with, 0.5)} ms`,
          `${pct(c.without, 0.99)} / ${pct(c.with, 0.99)} ms`,
          ratio(c.with, c.without, 0.5),
          ratio(c.with, c.without, 0.99),
          c.with.length === 0 ? '-' : Number(pct(c.with, 0.99)) <= 500 ? 'met' : 'NOT met',
        ]),
      ];
      console.log(
        `\nthe history stream's promise: alarm latency without and with the import (ratio = with / without):\n${table(cmp)}`,
      );
    }
    console.log(
      `\ngoal: p99 ≤ 500 ms at 1,000 drones${importFile ? ', with the import too' : ''}.` +
        (importFile ? '' : `\nwith an NYPD import beside (issue 16): ${FULL_IMPORT_COMMAND}`),
    );
  } finally {
    clients.destroy();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
