/**
 * `npm run bench -- swarm [--steps 100,1000,2000,5000,10000] [--seconds 20] [--dynamodb disk|memory] [--profile DIR]
 * [--sim-nice 10]`: ramps the fleet and reports, per
 * step, the sustained rate in and out, the storage writer's lag, and CPU and RSS of every process (simulator,
 * storage writer, each emulator), so the bottleneck has a name. Then the simulator alone at the largest step.
 * Each service runs as its own process, as deployed, against a stack of the bench's own. `--profile DIR` writes
 * the storage writer's CPU profile of each step there (`writer-<drones>.cpuprofile`, open in Chrome's DevTools).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { type LocalStack, stackEnv, startLocalStack } from '../runtime/local-stack/index.ts';
import { waitFor } from '../test/helpers/wait-for.ts';
import { cpuProfile, freePort, metric, service, usage } from './bench-procs.ts';

interface Row {
  step: string;
  inPerS: number;
  outPerS: number;
  maxLagMs: number;
  backlogGrowth: number;
  cpu: Record<string, string>;
  rss: Record<string, number>;
}

const measure = async (
  stack: LocalStack,
  drones: number,
  seconds: number,
  withWriter: boolean,
  simNice: number,
  profileDir?: string,
): Promise<Row> => {
  const env = stackEnv(stack);
  const [simPort, storePort] = [await freePort(), await freePort()];
  const writer = withWriter
    ? service(
        'actors/stream-to-storage/main.ts',
        ['--ops-port', String(storePort)],
        env,
        cpuProfile(profileDir, `writer-${drones}`),
      )
    : undefined;
  const sim = service(
    'actors/drone-simulator/main.ts',
    ['--drones', String(drones), '--ops-port', String(simPort), '--seed', '1'],
    env,
  );
  // The simulator stands for drones, which do not run on our hosts: here it shares two cores with the pipeline it
  // feeds, and at equal priority a bigger fleet takes the writer's and the emulators' CPU, so stored/s would fall
  // with the fleet for a reason no deployment has. At a lower priority it falls behind its own schedule instead
  // (its in msg/s says by how much), and the pipeline shows what it holds under overload.
  if (simNice !== 0) setPriority(sim.pid!, simNice);
  const procs: Record<string, number> = {
    simulator: sim.pid!,
    ...(writer ? { writer: writer.pid! } : {}),
  };
  stack.pids.forEach(
    (pid, i) => (procs[['kinesis', 'dynamodb', 's3', 'sns'][i] ?? `emulator${i}`] = pid),
  );
  // Warm up: until messages flow (and, with a writer, are stored), then measure a steady window.
  await waitFor(
    `more than ${drones} records published`,
    () => metric(simPort, 'prestacop_published_records_total'),
    60_000,
    (n) => n > drones,
  );
  if (writer)
    await waitFor(
      'a first record stored',
      () => metric(storePort, 'prestacop_processed_total'),
      60_000,
      (n) => n > 0,
    );
  const cpu0 = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, usage(pid).cpu]));
  const [in0, out0, t0] = [
    await metric(simPort, 'prestacop_published_records_total'),
    await metric(storePort, 'prestacop_processed_total'),
    Date.now(),
  ];
  // Kinesis reports the lag (MillisBehindLatest); kinesalite always answers 0, so the backlog is also counted:
  // published but not yet stored, at the start and the end of the window. Bounded lag = a backlog that does not grow.
  let maxLagMs = 0;
  const lagTimer = setInterval(
    () =>
      void metric(storePort, 'prestacop_millis_behind_latest', 'max').then(
        (l) => (maxLagMs = Math.max(maxLagMs, l)),
      ),
    1_000,
  );
  await new Promise((r) => setTimeout(r, seconds * 1_000));
  clearInterval(lagTimer);
  const dt = (Date.now() - t0) / 1_000;
  const [in1, out1] = [
    await metric(simPort, 'prestacop_published_records_total'),
    await metric(storePort, 'prestacop_processed_total'),
  ];
  const row: Row = {
    step: `${drones} drones${withWriter ? '' : ', simulator alone'}`,
    inPerS: Math.round((in1 - in0) / dt),
    outPerS: withWriter ? Math.round((out1 - out0) / dt) : 0,
    maxLagMs,
    backlogGrowth: withWriter ? Math.round(in1 - out1 - (in0 - out0)) : 0,
    cpu: Object.fromEntries(
      Object.entries(procs).map(([k, pid]) => [
        k,
        `${Math.round(((usage(pid).cpu - cpu0[k]!) / dt) * 100)}%`,
      ]),
    ),
    rss: Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, usage(pid).rssMiB])),
  };
  for (const p of [sim, writer]) p?.kill('SIGTERM');
  await Promise.all(
    [sim, writer].map((p) =>
      p && p.exitCode === null ? new Promise((r) => p.once('exit', r)) : Promise.resolve(),
    ),
  );
  return row;
};

export const bench = async (args: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      steps: { type: 'string', default: '100,1000,2000,5000,10000' },
      'sim-nice': { type: 'string', default: '10' },
      seconds: { type: 'string', default: '20' },
      dynamodb: { type: 'string', default: 'disk' },
      profile: { type: 'string' },
    },
  });
  const steps = values.steps.split(',').map(Number);
  const seconds = Number(values.seconds);
  const simNice = Number(values['sim-nice']);
  if (!Number.isInteger(simNice) || simNice < 0 || simNice > 19)
    throw new Error(`--sim-nice: a niceness from 0 (none) to 19, got ${values['sim-nice']}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-swarm-'));
  const stack = await startLocalStack({
    dataDir: dir,
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
    dynamodbInMemory: values.dynamodb === 'memory',
  });
  console.log(
    `swarm benchmark: ${steps.join(', ')} drones at 1 msg/s each, ${seconds} s steady window per step, ` +
      `DynamoDB Local ${values.dynamodb === 'memory' ? 'in memory' : 'on disk'}, simulator at nice ${simNice}, ` +
      `load ${loadavg()[0]!.toFixed(1)}`,
  );
  try {
    const rows: Row[] = [];
    for (const n of steps)
      rows.push(await measure(stack, n, seconds, true, simNice, values.profile));
    rows.push(await measure(stack, Math.max(...steps), seconds, false, simNice));
    console.log(
      '\nstep                              in msg/s  stored/s  max lag ms  backlog +  CPU (of one core) / RSS MiB',
    );
    for (const r of rows) {
      const procs = Object.keys(r.cpu)
        .map((k) => `${k} ${r.cpu[k]}/${r.rss[k]}`)
        .join(', ');
      console.log(
        `${r.step.padEnd(34)}${String(r.inPerS).padStart(8)}${String(r.outPerS).padStart(10)}${String(r.maxLagMs).padStart(12)}${String(r.backlogGrowth).padStart(11)}  ${procs}`,
      );
    }
    console.log(
      '\nin = accepted by the stream (simulator metrics); stored = acknowledged by the storage writer after',
    );
    console.log(
      'DynamoDB + S3; backlog + = published but not stored, growth over the window (max lag is MillisBehindLatest,',
    );
    console.log(
      'always 0 from kinesalite). The goal per step: in = drones, stored = in, a backlog that does not grow.',
    );
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
