/**
 * `npm run swarm -- --drones 20 --alarm-rate 0.01`: the product's main command. Starts the local AWS stack (or
 * uses the one `npm run stack` runs, or AWS with --target aws), the storage writer and N simulated drones; shows
 * a live status line; after --duration (or Ctrl-C) stops the drones, drains, and checks every message it sent
 * against the hot table and the archive. Exit code 0 only if nothing was lost.
 */
import '../runtime/node-version.ts';

import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { alertSystemActor } from '../actors/alert-system/actor.ts';
import { countPublishedAlarms } from '../actors/alert-system/readers.ts';
import { CATALOG } from '../actors/catalog.ts';
import { type FleetConfig } from '../actors/drone-simulator/behaviour.ts';
import { startConsoleForSwarm } from '../actors/operator-console/wiring.ts';
import { loadCodeWeights } from '../actors/protocol/code-weights.ts';
import { streamToStorage } from '../actors/stream-to-storage/actor.ts';
import { archiveCoverage, storedIds } from '../actors/stream-to-storage/readers.ts';
import { createAwsClients } from '../runtime/aws/clients.ts';
import { topicArnOf } from '../runtime/aws/lookup.ts';
import { toAwsTarget } from '../runtime/aws/options.ts';
import { createRunQueue, type RunQueue, runQueueName } from '../runtime/aws/run-queue.ts';
import { streamProgress } from '../runtime/bus/kinesis-progress.ts';
import { E } from '../runtime/codec.ts';
import { configOrExit } from '../runtime/config.ts';
import { createEventHub } from '../runtime/events.ts';
import { startLocalStack } from '../runtime/local-stack/index.ts';
import { chooseStack, liveStacks, registryDir } from '../runtime/local-stack/registry.ts';
import { createLogger, logEvents } from '../runtime/log.ts';
import { instrument, MetricsRegistry } from '../runtime/metrics.ts';
import { startOpsServer } from '../runtime/ops-server.ts';
import { onStopSignals, type RunningService } from '../runtime/service.ts';
import { startActorThread } from './swarm/actor-thread.ts';
import { swarmCommand } from './swarm/config.ts';
import { startFleetThread } from './swarm/fleet-thread.ts';

const cfg = configOrExit(swarmCommand, process.argv.slice(2), process.env);
const weights = loadCodeWeights();
if (E.isLeft(weights)) {
  process.stderr.write(`swarm: ${weights.left.issues.join('\n')}\n`);
  process.exit(78);
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const seed = cfg.seed ?? Math.floor(Math.random() * 2 ** 31);
const startedAt = new Date();
const runId = `swarm-${startedAt.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${seed}`;

/**
 * The local stack: the one `npm run stack` already runs (found in the per-user registry, whatever its data folder;
 * `--stack-data` chooses when several run), or a new one this process owns.
 */
const localStack = async () => {
  if (!cfg.wipe) {
    const choice = chooseStack(liveStacks(registryDir()), cfg.stackData);
    if (choice._tag === 'ambiguous') {
      say(`swarm: ${choice.message}`);
      process.exit(78); // nothing started yet
    }
    if (choice._tag === 'use') {
      say(
        `using the local stack already running on ${choice.entry.dataDir} (pid ${choice.entry.owner.pid})`,
      );
      return { endpoints: choice.entry.endpoints, stop: () => Promise.resolve() };
    }
  }
  say('starting the local AWS stack (kinesalite, DynamoDB Local, s3rver, fauxqs) on 127.0.0.1 ...');
  const t0 = Date.now();
  const stack = await startLocalStack({
    wipe: cfg.wipe,
    ...(cfg.stackData === undefined ? {} : { dataDir: resolve(cfg.stackData) }),
  });
  say(`local stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { endpoints: stack.endpoints, stop: stack.stop };
};

/** The run's own queues on the alarm topic: removed at the end, after a failure, and on a second Ctrl-C. */
const runQueues: RunQueue[] = [];
const removeRunQueues = async (): Promise<void> => {
  for (const problem of await Promise.all(runQueues.splice(0).map((q) => q.remove())))
    if (problem !== undefined) say(`warning: ${problem}`);
};

const main = async (): Promise<number> => {
  const stack = cfg.target === 'local' && cfg.stack === 'auto' ? await localStack() : undefined;
  const target = stack
    ? toAwsTarget({
        ...cfg,
        kinesisEndpoint: stack.endpoints.kinesis,
        dynamodbEndpoint: stack.endpoints.dynamodb,
        s3Endpoint: stack.endpoints.s3,
        snsEndpoint: stack.endpoints.sns,
      })
    : toAwsTarget(cfg);
  const clients = createAwsClients(target);
  const events = createEventHub();
  const metrics = new MetricsRegistry();
  instrument(events.events$, metrics);
  mkdirSync('reports', { recursive: true });
  const logFile = 'reports/swarm.log';
  const logStream = createWriteStream(logFile, { flags: 'w' });
  const log = createLogger('swarm', cfg.logLevel, logStream);
  logEvents(events.events$, log);

  // Two queues of this run's own on the alarm topic, before any alarm can be raised: one to count what was
  // published, one for the console. The shared queues (prestacop-console, prestacop-operator-console) belong to
  // other readers: reading them would take their messages.
  const topicArn = await topicArnOf(clients.sns, cfg.topic);
  const queueOf = async (purpose: string) => {
    const q = await createRunQueue(clients, topicArn, runQueueName('prestacop', runId, purpose));
    runQueues.push(q);
    return q;
  };
  const countQueue = await queueOf(`${process.pid}-count`);
  const consoleQueue = await queueOf(`${process.pid}-console`);
  // The declared actors (the storage writer with its alarm archive, the alert system, the drone watchdog), each
  // started from its declaration as its host runs it, on a thread of its own (actor-thread.ts), with its own
  // consumer application, bus and polling: on this run's stream, topic, tables and bucket, its own options from the
  // environment (PRESTACOP_SILENT_AFTER_SECONDS...) or their defaults.
  const env = {
    ...process.env,
    PRESTACOP_TARGET: cfg.target,
    PRESTACOP_REGION: cfg.region,
    PRESTACOP_DRONE_STREAM: cfg.droneStream,
    PRESTACOP_HISTORY_STREAM: cfg.historyStream,
    PRESTACOP_MESSAGES_TABLE: cfg.messagesTable,
    PRESTACOP_ALARMS_TABLE: cfg.alarmsTable,
    PRESTACOP_ALARM_TOPIC: topicArn,
    PRESTACOP_LEASE_TABLE: cfg.leaseTable,
    PRESTACOP_BUCKET: cfg.bucket,
    PRESTACOP_RETENTION_HOURS: String(cfg.retentionHours),
    PRESTACOP_HUMAN_CODES: cfg.humanCodes.join(','),
    LOG_LEVEL: cfg.logLevel,
  };
  const sinks = { events, metrics, log: (line: string) => void logStream.write(line) };
  const running = new Map<string, RunningService>();
  const threads = await Promise.allSettled(
    CATALOG.filter((e) => e.inSwarm).map(async ({ actor }) => {
      const started = await startActorThread(
        { name: actor.name, target, env, logLevel: cfg.logLevel },
        sinks,
      );
      if (E.isLeft(started))
        throw new Error(`${actor.name} not started: ${started.left.issues.join('; ')}`);
      running.set(actor.name, started.right);
    }),
  );
  const notStarted = threads.find((t) => t.status === 'rejected');
  if (notStarted) {
    // The ones that did start hold leases and threads: stop them before the run fails.
    await Promise.allSettled([...running.values()].map((d) => d.stop()));
    throw notStarted.reason;
  }
  // What the run checks: the storage writer's and the alert system's drain (their consumer applications are
  // their names) and their dead letters, on the status line and in the summary.
  const checked = [streamToStorage.name, alertSystemActor.name];
  for (const name of checked)
    if (!running.has(name)) throw new Error(`${name} is not started by the swarm (inSwarm)`);
  const deadLetters = () =>
    checked.reduce((n, name) => n + (running.get(name)?.deadLetters?.() ?? 0), 0);
  const fleetCfg: FleetConfig = {
    drones: cfg.drones,
    intervalMs: cfg.interval,
    alarmRate: cfg.alarmRate,
    violationRate: cfg.violationRate,
    humanCodes: cfg.humanCodes,
    codeWeights: weights.right.entries.map((w) => ({ code: w.code, weight: w.count })),
    seed,
    speedMps: cfg.speed,
    firstSeq: Math.floor(startedAt.getTime() / cfg.interval),
  };
  // The drones in their own thread, below the consumers' priority: see fleet-thread.ts.
  const fleet = startFleetThread({
    target,
    stream: cfg.droneStream,
    leaseTable: cfg.leaseTable,
    bucket: cfg.bucket,
    fleet: fleetCfg,
    nice: cfg.fleetNice,
    events,
  });
  const priority = await fleet.ready;
  if (!priority.applied)
    say(`warning: the fleet thread keeps the consumers' priority: ${priority.why}`);
  // The operator console, so alarms show in a browser at once. Optional: the swarm's checks do not need it. It
  // shows and escalates this run's alarms only: on a shared stack, other runs' alarms are someone else's.
  const operatorConsole = await startConsoleForSwarm(clients, {
    alarmsTable: cfg.alarmsTable,
    eventsTable: cfg.alarmEventsTable,
    topic: topicArn,
    queue: consoleQueue.url,
    scope: (alarmId) => fleet.alarmIdsTried.has(alarmId),
    bucket: cfg.bucket,
    port: cfg.consolePort,
    escalateAfterMs: cfg.escalateAfterSeconds * 1_000,
    log: log.child({ actor: 'operator-console' }),
  }).catch((e: unknown) => {
    say(`operator console not started: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  });
  if (operatorConsole) say(`operator console: ${operatorConsole.url}  (open it in a browser)`);
  const ops = await startOpsServer({
    host: cfg.opsHost,
    port: cfg.opsPort,
    metrics,
    health: () => ({
      healthy: [...running.values()].every((d) => d.healthy()),
      details: { sent: fleet.counts.sent },
    }),
  });
  say(
    `${cfg.drones} drones flying (seed ${seed}); ops: ${ops.url}/metrics; logs: ${logFile}; Ctrl-C to stop`,
  );

  // Live status: msgs/s, violations, alarms, stored, lag.
  let stored = 0;
  let lagMs = 0;
  let maxLagMs = 0;
  events.events$.subscribe((e) => {
    if (e.type === 'actor.processed' && e.actor.endsWith('/drones')) stored += e.payload.count;
    if (e.type === 'bus.lag') {
      lagMs = e.payload.millisBehind;
      maxLagMs = Math.max(maxLagMs, lagMs);
    }
  });
  let lastSent = 0;
  const tty = process.stderr.isTTY;
  const status = setInterval(() => {
    const c = fleet.counts;
    const line = `msgs/s ${c.sent - lastSent} | sent ${c.sent} | violations ${c.violations} | alarms ${c.alarms} | stored ${stored} | lag ${lagMs} ms | dead letters ${deadLetters()}`;
    lastSent = c.sent;
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }, 1_000);

  await new Promise<void>((resolve) => {
    // A second Ctrl-C while draining (not the same one twice, see onStopSignals): stop at once, without leaving
    // this run's queues behind.
    const signals = onStopSignals(
      () => {
        if (timer) clearTimeout(timer);
        resolve();
      },
      (signal) =>
        void removeRunQueues().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143)),
    );
    const timer =
      cfg.duration > 0
        ? setTimeout(() => {
            signals.stopping();
            resolve();
          }, cfg.duration * 1_000)
        : undefined;
  });
  if (tty) process.stderr.write('\n');
  say('stopping the drones, draining ...');
  await fleet.stop();
  // Drained = the storage writer's and the alert system's checkpoints are past the last record of every shard,
  // as Kinesis itself says.
  const drainUntil = Date.now() + cfg.drainTimeout * 1_000;
  const caughtUp = async () => {
    for (const app of checked) {
      const shards = await streamProgress(clients, cfg.leaseTable, app, cfg.droneStream);
      if (!shards.every((s) => s.caughtUp)) return false;
    }
    return true;
  };
  let drained = await caughtUp();
  while (!drained && Date.now() < drainUntil) {
    await new Promise((r) => setTimeout(r, 500));
    drained = await caughtUp();
  }
  clearInterval(status);
  // What publishes alarm events stops first (the console's escalations, the alert system's alarms), then the
  // storage writer: its alarm archive takes their last ones off its queue, where the next reader of this stack's
  // queue would find them otherwise.
  await operatorConsole?.stop();
  await Promise.all(
    [...running].filter(([name]) => name !== streamToStorage.name).map(([, d]) => d.stop()),
  );
  await running.get(streamToStorage.name)?.stop();

  say('checking what was stored ...');
  const ids = [...fleet.sentIds];
  const inTable = await storedIds(clients.doc, cfg.messagesTable, ids);
  const archived = await archiveCoverage(clients.s3, cfg.bucket, fleet.sentIds, {
    type: 'drone.message',
    since: new Date(startedAt.getTime() - 60_000),
  });
  const alarms = await countPublishedAlarms(clients, {
    table: cfg.alarmsTable,
    queueUrl: countQueue.url,
    expectedIds: fleet.alarmIds,
    timeoutMs: 15_000,
  });
  const summary = {
    runId,
    seed,
    drones: cfg.drones,
    startedAt: startedAt.toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    sent: fleet.counts.sent,
    publishFailed: fleet.counts.failed,
    violations: fleet.counts.violations,
    alarmsExpected: fleet.counts.alarms,
    violationImages: fleet.counts.images,
    alarmsPublished: alarms.published,
    duplicatePublishes: alarms.duplicates,
    // What the storage writer said it stored (its events, from its thread): at least every message, more if some
    // were delivered twice.
    storedReported: stored,
    storedDynamo: inTable.size,
    archivedDistinct: archived.distinct,
    archivedRawCopies: archived.rawCopies,
    lost: ids.filter((id) => !inTable.has(id)).length,
    deadLetters: deadLetters(),
    maxLagMs,
    drained,
  };
  say(JSON.stringify(summary, null, 2));
  if (cfg.summary) {
    mkdirSync(dirname(cfg.summary), { recursive: true });
    writeFileSync(cfg.summary, `${JSON.stringify(summary, null, 2)}\n`);
  }
  await removeRunQueues();
  await ops.close();
  clients.destroy();
  await stack?.stop();
  return summary.lost === 0 &&
    summary.archivedDistinct === summary.sent &&
    summary.publishFailed === 0
    ? 0
    : 1;
};

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    say(`swarm failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    void removeRunQueues().finally(() => process.exit(1));
  },
);
