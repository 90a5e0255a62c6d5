/**
 * Runs one scenario on a running fault stack: provisions resources of its own (a name prefix), starts the actors as
 * processes pointed at the fault proxies, runs the producers (a drone fleet for a fixed time and a CSV import)
 * while the scenario injects its faults, drains, stops the consumers gracefully, then reads everything back from
 * the emulators and checks it. Returns the report row and the list of failed assertions (empty = passed).
 */
import { gzipSync } from 'node:zlib';

import { PutRecordsCommand } from '@aws-sdk/client-kinesis';

import { CATALOG } from '../../actors/catalog.ts';
import { DROPPED_EXIT } from '../../actors/drone-simulator/service.ts';
import { DEFAULT_HUMAN_CODES } from '../../actors/protocol/violation-codes.ts';
import { queueUrlOf } from '../../runtime/aws/lookup.ts';
import { localStackEnv } from '../../runtime/aws/options.ts';
import { provision } from '../../runtime/aws/provision.ts';
import { withNamePrefix } from '../../runtime/aws/resources.ts';
import { seededRandom } from '../../runtime/random.ts';
import { queueDepth } from '../helpers/sqs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { ActorSet, type ActorSpec } from './actors.ts';
import { type CollisionRecord, putCollisionRecords } from './collisions.ts';
import type { FaultStack } from './fault-stack.ts';
import { noFaults, totalInjected } from './policies.ts';
import { passThrough } from './proxy.ts';
import type { FaultRow } from './report.ts';
import type { FaultContext, PoisonRecord, Scenario } from './scenario.ts';
import {
  alarms,
  archivedAlarms,
  behind,
  cardsPerAlarm,
  consoleNeedsHuman,
  consoleSnapshot,
  deadLetters,
  expectedHashes,
  expectedNeedsHuman,
  needsHumanMismatch,
  storage,
  streamContents,
} from './verify.ts';

/** Load and timing of a scenario. */
export interface RunSettings {
  readonly seed: number;
  readonly drones: number;
  readonly intervalMs: number;
  readonly producerSeconds: number;
  readonly csvFile: string;
  /** `nypd:<summons>` of every row of the CSV file. */
  readonly csvIds: ReadonlySet<string>;
  readonly csvRowsPerSec: number;
  readonly drainTimeoutMs: number;
  readonly runDir: string;
}

const STORAGE = 'stream-to-storage';
const ALERTS = 'alert-system';
const CONSOLE = 'operator-console';
const HUMAN = new Set<number>(DEFAULT_HUMAN_CODES);
/** How often the console counts the alert system's notes on dead letters (its default, 30 s, is longer than a run). */
const NEEDS_HUMAN_POLL_SECONDS = 1;
/** The drone watchdog's silence limit in a run. */
const SILENT_AFTER_SECONDS = 3;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** The result of a scenario. */
export interface ScenarioResult {
  readonly row: FaultRow;
  readonly failures: ReadonlyArray<string>;
  readonly faultsInjected: number;
}

export const runScenario = async (
  stack: FaultStack,
  scenario: Scenario,
  index: number,
  s: RunSettings,
  say: (line: string) => void,
): Promise<ScenarioResult> => {
  const log = (line: string) => say(`[${scenario.name}] ${line}`);
  const failures: string[] = [];
  const random = seededRandom(s.seed * 1_000 + index);
  const spec = withNamePrefix(stack.resources, `f${index}-${s.seed}-`);
  await provision(stack.clients, spec, { mode: 'create' });
  const names = {
    drones: spec.streams.drones.name,
    history: spec.streams.history.name,
    messages: spec.tables.messages.name,
    alarms: spec.tables.alarms.name,
    leases: spec.tables.leases.name,
    bucket: spec.buckets.archive.name,
    topic: spec.topics.alarms.name,
    queue: spec.queues.console.name,
    events: spec.tables.alarmEvents.name,
    consoleQueue: spec.queues.operatorConsole.name,
    alarmArchiveQueue: spec.queues.alarmArchive.name,
  };
  const counts = noFaults();
  for (const p of Object.values(stack.proxies)) p.policy = passThrough;

  const actors = new ActorSet(`${s.runDir}/logs/${scenario.name}`, {
    ...localStackEnv({
      kinesis: stack.proxies.kinesis.url,
      dynamodb: stack.proxies.dynamodb.url,
      s3: stack.proxies.s3.url,
      sns: stack.proxies.sns.url,
    }),
    PRESTACOP_REGION: spec.region,
    PRESTACOP_DRONE_STREAM: names.drones,
    PRESTACOP_HISTORY_STREAM: names.history,
    PRESTACOP_MESSAGES_TABLE: names.messages,
    PRESTACOP_LEASE_TABLE: names.leases,
    PRESTACOP_BUCKET: names.bucket,
    PRESTACOP_ALARMS_TABLE: names.alarms,
    PRESTACOP_ALARM_TOPIC: names.topic,
    PRESTACOP_ALARM_EVENTS_TABLE: names.events,
    PRESTACOP_OPERATOR_CONSOLE_QUEUE: names.consoleQueue,
    PRESTACOP_ALARM_ARCHIVE_QUEUE: names.alarmArchiveQueue,
    PRESTACOP_CONSOLE_PORT: '0',
    // No escalations during a run: they are re-published to the topic, and are not what this suite checks.
    PRESTACOP_ESCALATE_AFTER_SECONDS: '3600',
    PRESTACOP_CONSOLE_NEEDS_HUMAN_POLL_SECONDS: String(NEEDS_HUMAN_POLL_SECONDS),
    // Short, so that the fleet's end is noticed within the run (longer than a killed simulator stays down).
    PRESTACOP_SILENT_AFTER_SECONDS: String(SILENT_AFTER_SECONDS),
    LOG_LEVEL: 'info',
    LD_PRELOAD: stack.shim,
    PRESTACOP_PARENT_PID: String(process.pid),
  });
  try {
    const workers = scenario.storageWorkers ?? 1;
    const consumers: string[] = [];
    for (let w = 1; w <= workers; w++) {
      const name = `storage-${w}`;
      actors.start({ name, service: STORAGE, args: ['--worker-id', `${name}-${index}`], env: {} });
      consumers.push(name);
    }
    actors.start({
      name: 'alerts',
      service: ALERTS,
      args: ['--worker-id', `alerts-${index}`],
      env: {},
    });
    consumers.push('alerts');
    actors.start({ name: 'console', service: CONSOLE, args: [], env: {} });
    consumers.push('console');
    // Every declared actor of the catalog, each its own process under its own name (the kill-<name> scenarios).
    for (const { actor } of CATALOG.filter((e) => e.inFaultSuite)) {
      actors.start({
        name: actor.name,
        service: actor.name,
        args: [],
        env: { PRESTACOP_WORKER_ID: `${actor.name}-${index}` },
      });
      consumers.push(actor.name);
    }

    const producerMs = s.producerSeconds * 1_000;
    const simulatorSpec = (seconds: number): ActorSpec => ({
      name: 'simulator',
      service: 'drone-simulator',
      args: [
        ...['--drones', String(s.drones), '--interval', String(s.intervalMs)],
        ...['--alarm-rate', '0.05', '--violation-rate', '0.2'],
        ...['--duration', String(seconds), '--seed', String(s.seed + index)],
      ],
      env: {},
    });
    actors.start(simulatorSpec(s.producerSeconds));
    const csvSpec: ActorSpec = {
      name: 'csv',
      service: 'csv-to-stream',
      args: [
        ...['--file', s.csvFile, '--state', `${s.runDir}/${scenario.name}-csv-state.json`],
        ...['--rejects', `${s.runDir}/${scenario.name}-csv-rejects.ndjson`],
        ...['--max-rows-per-sec', String(s.csvRowsPerSec)],
      ],
      env: {},
    };
    actors.start(csvSpec);
    // The clock starts when the fleet flies (its --duration runs from there); then everyone else must be up too,
    // so that kill moments fall in steady work, not in start-up.
    await waitForLogs(actors, ['simulator'], 'started"', 30_000, failures);
    const startedAt = Date.now();
    await waitForLogs(actors, consumers, '"ops":"', 30_000, failures);
    await waitForLogs(actors, ['csv'], 'started"', 30_000, failures);

    const poison: PoisonRecord[] = [];
    const collisions: CollisionRecord[] = [];
    const retired = new Set<string>(); // killed for good: not expected to run at the end
    let kinesisRestarts = 0;
    const ctx: FaultContext = {
      random,
      actors,
      proxies: stack.proxies,
      counts,
      producersStartedAt: startedAt,
      producerMs,
      tables: { messages: names.messages, alarms: names.alarms, leases: names.leases },
      until: (ms) => sleep(startedAt + ms - Date.now()),
      moment: (from, to) => Math.round(from + random.next() * (to - from)),
      killAndRestart: async (name, downMs = 500) => {
        log(`SIGKILL ${name} at +${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
        await actors.kill(name);
        await sleep(downMs);
        if (name === 'simulator') {
          const left = Math.max(2, Math.round((startedAt + producerMs - Date.now()) / 1000));
          actors.start(simulatorSpec(left));
        } else actors.start(actors.get(name).spec);
        log(`restarted ${name}`);
      },
      kill: async (name) => {
        retired.add(name);
        log(`SIGKILL ${name} for good at +${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
        await actors.kill(name);
      },
      restartKinesis: async (downMs) => {
        log(`SIGTERM kinesalite at +${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
        await stack.restartKinesis(downMs);
        kinesisRestarts++;
        log('kinesalite back (same port, same data)');
      },
      putPoison: async () => {
        const put = await putPoisonRecords(stack, names.drones);
        poison.push(...put);
        log(`put ${put.length} poison records (${put.map((p) => p.kind).join(', ')})`);
        return put;
      },
      putCollisions: async () => {
        const put = await putCollisionRecords(stack.clients, names.drones);
        collisions.push(...put);
        log(
          `put ${put.length} colliding records (${put.map((c) => `${c.kind} ${c.id}`).join(', ')})`,
        );
        return put;
      },
      log,
    };
    const faultEnd = scenario.inject(ctx).then((at) => {
      for (const p of Object.values(stack.proxies)) p.policy = passThrough;
      return at;
    });

    // Recovery: from the end of the faults until every consumer is past what the streams held at that moment.
    const consumerApps = [
      { application: STORAGE, stream: names.drones },
      { application: STORAGE, stream: names.history },
      { application: ALERTS, stream: names.drones },
    ];
    const recovery = faultEnd.then(async (endedAt) => {
      const targets = await streamTargets(stack, names);
      const deadline = Date.now() + s.drainTimeoutMs + producerMs;
      let lastSaid = Date.now();
      while (Date.now() < deadline) {
        const late = await behind(stack.clients, names.leases, consumerApps, targets);
        if (late.length === 0) return (Date.now() - endedAt) / 1_000;
        if (Date.now() - lastSaid > 5_000) {
          lastSaid = Date.now();
          log(`recovering: ${late.length} shard checkpoints behind (${late[0]})`);
        }
        await sleep(500);
      }
      return undefined;
    });

    // Producers: the fleet flies for producerSeconds; the import ends when the file is done.
    await faultEnd;
    const producersDeadline = startedAt + producerMs + 120_000;
    for (const name of ['simulator', 'csv']) {
      const exit = await actors.waitExit(name, Math.max(1_000, producersDeadline - Date.now()));
      if (exit === undefined) failures.push(`${name} did not finish in time (stalled?)`);
      // The simulator exits DROPPED_EXIT when it dropped messages: loss at the end of a run, which no sequence hole
      // shows. Only a SIGKILLed incarnation (killsSimulator) may lose messages, and its exit is never awaited here.
      else if (name === 'simulator' && exit.code === DROPPED_EXIT)
        failures.push(
          `drone-simulator dropped messages (exit ${DROPPED_EXIT}: what and why in ${actors.logFile(name)}) — producer loss`,
        );
      else if (exit.code !== 0)
        failures.push(
          `${name} exited with ${exit.signal ?? `code ${exit.code}`} (see ${actors.logFile(name)})`,
        );
    }
    log(`producers done at +${((Date.now() - startedAt) / 1000).toFixed(1)} s; draining`);

    // Drain: every consumer's checkpoint past the end of every shard.
    const finalTargets = await streamTargets(stack, names);
    const drainDeadline = Date.now() + s.drainTimeoutMs;
    // And the alarm archive's queue empty: alarm events a killed writer had received come back after the queue's
    // visibility timeout (30 s), for a surviving writer to archive; until then they are on the queue, not lost.
    const alarmArchiveUrl = await queueUrlOf(stack.clients.sqs, names.alarmArchiveQueue);
    const stillToDrain = async () => {
      const late = await behind(stack.clients, names.leases, consumerApps, finalTargets);
      const onQueue = await queueDepth(stack.clients.sqs, alarmArchiveUrl);
      return onQueue > 0
        ? [...late, `${onQueue} alarm events on ${names.alarmArchiveQueue}`]
        : late;
    };
    let late = await stillToDrain();
    while (late.length > 0 && Date.now() < drainDeadline) {
      await sleep(500);
      late = await stillToDrain();
    }
    if (late.length > 0)
      failures.push(
        `stalled: checkpoints not past the end of the stream, or alarm events not archived, after ${s.drainTimeoutMs / 1000} s: ${late.join('; ')}`,
      );
    const recoverySeconds = await Promise.race([recovery, sleep(1_000).then(() => undefined)]);

    // The console: every expected alarm shown, each exactly once (read before the consumers stop).
    const alarmIdsSoFar = await expectedAlarmIds(stack, names.drones, [...poison, ...collisions]);
    for (const c of collisions) if (c.conflictAlarmId) alarmIdsSoFar.add(c.conflictAlarmId);
    const conflictIds = new Set(
      collisions.flatMap((c) => (c.conflictAlarmId ? [c.conflictAlarmId] : [])),
    );
    const shown = await consoleAlarms(actors, alarmIdsSoFar, conflictIds, 20_000);
    // Poison that carried a code needing a human, or could not be read: the console counts each exactly (the alert
    // system's notes were written before its checkpoints passed them; the console reads them within a poll or so).
    if (poison.length > 0) {
      const wrong = await consoleNeedsHumanCounts(
        actors,
        expectedNeedsHuman(poison),
        3 * NEEDS_HUMAN_POLL_SECONDS * 1_000 + 5_000,
      );
      if (wrong !== undefined) failures.push(`operator console: ${wrong}`);
    }

    // The fleet has stopped: the drone watchdog reports every drone silent, and the console shows them apart.
    const silent = await consoleSilentDrones(
      actors,
      s.drones,
      SILENT_AFTER_SECONDS * 1_000 + 20_000,
    );
    if (silent !== undefined) failures.push(`drone watchdog: ${silent}`);

    // No actor left crashed: every consumer still running and healthy, then a graceful stop with code 0.
    for (const name of consumers.filter((n) => !retired.has(n))) {
      if (!actors.alive(name)) {
        failures.push(`${name} is not running at the end (crashed; see ${actors.logFile(name)})`);
        continue;
      }
      const health = await healthOf(actors.opsUrl(name));
      if (health !== 200) failures.push(`${name} /healthz answered ${health} at the end`);
    }
    for (const name of consumers) {
      const p = actors.get(name);
      if (p.child.exit() !== undefined) continue;
      const exit = await actors.stop(name, 20_000);
      if (exit.code !== 0)
        failures.push(`${name} did not stop gracefully: ${exit.signal ?? `code ${exit.code}`}`);
    }
    // The producers' exits are checked where they end (above), with what a non-zero code means.
    for (const u of actors.unexpectedExits.filter(
      (x) => x.name !== 'simulator' && x.name !== 'csv',
    ))
      failures.push(
        `${u.name} exited on its own with ${u.exit.signal ?? `code ${u.exit.code}`} (see ${actors.logFile(u.name)})`,
      );

    // Read back.
    log('checking DynamoDB, the archive, alarms and dead letters');
    // Poison and colliding records are not accepted messages: what they must lead to is checked apart.
    const poisonSeqs = new Set([...poison, ...collisions].map((p) => p.sequence));
    const drones = await streamContents(stack.clients, names.drones, 'drone.message', poisonSeqs);
    const history = await streamContents(stack.clients, names.history, 'nypd.ticket');
    const alarmIds = new Set(
      [...drones.ids].filter((id) => {
        const code = drones.messages.get(id)?.violationCode;
        return typeof code === 'number' && HUMAN.has(code);
      }),
    );
    for (const c of collisions) if (c.conflictAlarmId) alarmIds.add(c.conflictAlarmId);
    const missingCsv = [...s.csvIds].filter((id) => !history.ids.has(id));
    if (missingCsv.length > 0)
      failures.push(
        `csv-to-stream: ${missingCsv.length} of ${s.csvIds.size} CSV rows never reached the history stream (e.g. ${missingCsv.slice(0, 3).join(', ')})`,
      );
    if (!scenario.killsSimulator) {
      const holes = sequenceHoles(drones.ids);
      if (holes.length > 0)
        failures.push(
          `drone-simulator: ${holes.length} holes in per-drone sequences on the stream (e.g. ${holes.slice(0, 3).join(', ')}) — producer loss`,
        );
    }

    const stored = await storage(
      stack.clients,
      { table: names.messages, bucket: names.bucket },
      drones.ids,
      history.ids,
      expectedHashes(drones.messages),
    );
    // Stored means stored as sent: an id present with other content (an overwrite) is a failure too.
    for (const [where, ids] of [
      ['DynamoDB', stored.tableMismatches],
      ['the archive', stored.archiveMismatches],
    ] as const)
      if (ids.length > 0)
        failures.push(
          `${ids.length} drone messages in ${where} with other content than was sent (e.g. ${ids.slice(0, 3).join(', ')})`,
        );
    const notInTable = [...drones.ids].filter((id) => !stored.inTable.has(id));
    if (notInTable.length > 0)
      failures.push(
        `${notInTable.length} accepted drone messages missing from DynamoDB (e.g. ${notInTable.slice(0, 3).join(', ')})`,
      );
    const notArchived = [...stored.seenDrones.missing, ...stored.seenTickets.missing];
    if (notArchived.length > 0)
      failures.push(
        `${notArchived.length} accepted messages missing from the archive (e.g. ${notArchived.slice(0, 3).join(', ')})`,
      );

    const published = await alarms(
      stack.clients,
      { table: names.alarms, queueUrl: await queueUrlOf(stack.clients.sqs, names.queue) },
      alarmIds,
    );
    if (typeof shown === 'string') failures.push(`operator console: ${shown}`);
    else {
      const notShown = [...alarmIds].filter((id) => (shown.get(id) ?? 0) === 0);
      const twice = [...shown].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
      const unexpected = [...shown.keys()].filter((id) => !alarmIds.has(id));
      if (notShown.length > 0)
        failures.push(
          `${notShown.length} of ${alarmIds.size} alarms not shown on the operator console (e.g. ${notShown.slice(0, 3).join(', ')})`,
        );
      if (twice.length > 0)
        failures.push(
          `alarms shown more than once on the console: ${twice.slice(0, 5).join(', ')}`,
        );
      if (unexpected.length > 0)
        failures.push(
          `console shows alarms no accepted message raised: ${unexpected.slice(0, 3).join(', ')}`,
        );
    }
    if (published.missing.length > 0)
      failures.push(
        `${published.missing.length} of ${alarmIds.size} alarms never published (e.g. ${published.missing.slice(0, 3).join(', ')})`,
      );
    // Every alarm in the archive too (stream-to-storage's alarm archive queue, flushed when it stopped above).
    const alarmsArchived = await archivedAlarms(stack.clients, names.bucket, alarmIds);
    if (alarmsArchived.missing.length > 0)
      failures.push(
        `${alarmsArchived.missing.length} of ${alarmIds.size} alarms missing from the archive as alarm.raised (e.g. ${alarmsArchived.missing.slice(0, 3).join(', ')})`,
      );

    const letters = await deadLetters(stack.clients, names.bucket);
    let deadLettered = 0;
    for (const p of poison) {
      const mine = letters.filter((l) => l.sequence === p.sequence);
      const byStorage = mine.find((l) => l.actor.startsWith(STORAGE));
      if (!byStorage)
        failures.push(
          `poison ${p.kind} (seq ${p.sequence}) not dead-lettered by the storage writer`,
        );
      else if (byStorage.reasons.length === 0)
        failures.push(`poison ${p.kind} dead-lettered without a reason`);
      if (!mine.some((l) => l.actor === ALERTS))
        failures.push(`poison ${p.kind} (seq ${p.sequence}) not dead-lettered by the alert system`);
      // A packed record over the limits is one dead letter per consumer (a redelivery may add one), not one per
      // message it declares.
      if (p.kind === 'gzip-bomb' && mine.length > 4)
        failures.push(`poison gzip-bomb dead-lettered ${mine.length} times: unpacked, not refused`);
      if (byStorage) deadLettered++;
    }
    for (const c of collisions)
      for (const [actor, tag] of [
        [STORAGE, c.storage],
        [ALERTS, c.alerts],
      ] as const) {
        const letter = letters.find((l) => l.sequence === c.sequence && l.actor.startsWith(actor));
        if (tag !== undefined && letter?.errorTag !== tag)
          failures.push(
            `${c.kind} ${c.id} (seq ${c.sequence}): ${actor} wrote ${letter ? `a ${letter.errorTag}` : 'no'} dead letter, not a ${tag}`,
          );
        if (tag === undefined && letter !== undefined)
          failures.push(
            `${c.kind} ${c.id}: unexpected dead letter from ${actor} (${letter.errorTag})`,
          );
        if (
          tag === 'IdConflict' &&
          letter &&
          !letter.reasons.some((r) => r.startsWith('stored version: '))
        )
          failures.push(`${c.kind} ${c.id}: the dead letter of ${actor} lacks the stored version`);
      }
    const stray = letters.filter((l) => l.sequence === undefined || !poisonSeqs.has(l.sequence));
    for (const l of stray.slice(0, 5))
      failures.push(
        `unexpected dead letter from ${l.actor} (${l.errorTag}: ${l.reasons.slice(0, 2).join('; ')})`,
      );
    if (stray.length > 5) failures.push(`... and ${stray.length - 5} more unexpected dead letters`);

    // Checkpoints past all work, after the graceful stops wrote their last ones.
    const lateAfterStop = await behind(
      stack.clients,
      names.leases,
      consumerApps,
      await streamTargets(stack, names),
    );
    if (lateAfterStop.length > 0)
      failures.push(`checkpoints behind after stop: ${lateAfterStop.join('; ')}`);
    if (recoverySeconds === undefined && late.length === 0)
      failures.push(
        'no recovery: consumers never caught up with what the streams held when the faults ended',
      );

    const accepted = drones.ids.size + history.ids.size;
    const lost = new Set([...notInTable, ...notArchived]).size;
    const row: FaultRow = {
      scenario: scenario.name,
      accepted,
      storedDynamo: stored.inTable.size,
      archivedDistinct: stored.seenDrones.distinct + stored.seenTickets.distinct,
      archivedRawCopies: stored.seenDrones.rawCopies + stored.seenTickets.rawCopies,
      lost,
      deadLettered,
      alarmsExpected: alarmIds.size,
      alarmsShown:
        typeof shown === 'string' ? 0 : [...alarmIds].filter((id) => shown.get(id) === 1).length,
      duplicatePublishes: published.duplicates,
      recoverySeconds: recoverySeconds === undefined ? null : Math.round(recoverySeconds * 10) / 10,
    };
    void kinesisRestarts;
    return { row, failures, faultsInjected: totalInjected(counts) + counts.delayed };
  } finally {
    for (const p of Object.values(stack.proxies)) p.policy = passThrough;
    await actors.stopAll(5_000);
  }
};

/** `drone-0001:17` style ids whose drone has a gap between its first and last sequence on the stream. */
export const sequenceHoles = (ids: Iterable<string>): string[] => {
  const byDrone = new Map<string, number[]>();
  for (const id of ids) {
    const m = /^(drone-\d+):(\d+)$/.exec(id);
    if (!m) continue;
    const list = byDrone.get(m[1]!) ?? [];
    list.push(Number(m[2]));
    byDrone.set(m[1]!, list);
  }
  const holes: string[] = [];
  for (const [drone, seqs] of byDrone) {
    seqs.sort((a, b) => a - b);
    for (let i = 1; i < seqs.length; i++)
      if (seqs[i]! !== seqs[i - 1]! + 1) holes.push(`${drone}:${seqs[i - 1]! + 1}`);
  }
  return holes;
};

const streamTargets = async (
  stack: FaultStack,
  names: { readonly drones: string; readonly history: string },
): Promise<Map<string, ReadonlyMap<string, string>>> => {
  const [d, h] = await Promise.all([
    streamContents(stack.clients, names.drones, 'drone.message'),
    streamContents(stack.clients, names.history, 'nypd.ticket'),
  ]);
  return new Map([
    [names.drones, d.lastSequence],
    [names.history, h.lastSequence],
  ]);
};

/** Waits until each actor's current log has a line containing `marker` (its start-up line). */
const waitForLogs = async (
  actors: ActorSet,
  names: ReadonlyArray<string>,
  marker: string,
  timeoutMs: number,
  failures: string[],
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (const name of names)
    await waitFor(
      `${name}'s start-up line`,
      () => actors.currentLog(name).includes(marker),
      Math.max(0, deadline - Date.now()),
    ).catch(() =>
      failures.push(
        `${name} did not start within ${timeoutMs / 1000} s (see ${actors.logFile(name)})`,
      ),
    );
};

const HUMAN_SET = HUMAN;

/** Alarm ids the accepted drone messages call for (poison and colliding records excluded). */
const expectedAlarmIds = async (
  stack: FaultStack,
  stream: string,
  poison: ReadonlyArray<{ readonly sequence: string }>,
): Promise<Set<string>> => {
  const c = await streamContents(
    stack.clients,
    stream,
    'drone.message',
    new Set(poison.map((p) => p.sequence)),
  );
  return new Set(
    [...c.ids].filter((id) => {
      const code = c.messages.get(id)?.violationCode;
      return typeof code === 'number' && HUMAN_SET.has(code);
    }),
  );
};

/**
 * What the operator console shows (`GET /api/alarms`): how many times each alarm id appears. Polls until every
 * expected id is there (the console's queue feed lags the alert system a little), or `timeoutMs`. A string on error.
 */
/** Undefined once the console shows `drones` silent drones; what it last showed otherwise. */
const consoleSilentDrones = async (
  actors: ActorSet,
  drones: number,
  timeoutMs: number,
): Promise<string | undefined> => {
  const url = actors.logged('console', /"url":"(http:\/\/[^"]+?)\/?"/);
  if (url === undefined) return 'no console URL in its log';
  let last = 'never answered';
  try {
    await waitFor(
      `${drones} silent drones on the console`,
      async () => {
        const res = await fetch(`${url}/api/alarms`, { signal: AbortSignal.timeout(5_000) });
        const body = (await res.json()) as { counts?: { silentDrones?: unknown[] } };
        const n = body.counts?.silentDrones?.length ?? 0;
        last = `${n} silent drones shown`;
        return n;
      },
      timeoutMs,
      (n) => n >= drones,
    );
    return undefined;
  } catch {
    return `expected ${drones} silent drones on the console once the fleet stopped: ${last}`;
  }
};

const consoleAlarms = async (
  actors: ActorSet,
  expected: ReadonlySet<string>,
  conflicts: ReadonlySet<string>,
  timeoutMs: number,
): Promise<Map<string, number> | string> => {
  const url = actors.logged('console', /"url":"(http:\/\/[^"]+?)\/?"/);
  if (url === undefined) return 'no console URL in its log';
  const deadline = Date.now() + timeoutMs;
  let last: Map<string, number> | string = 'never answered';
  for (;;) {
    try {
      // The page's cards, as the event stream sends them: a duplicate would show there.
      const seen = cardsPerAlarm(await consoleSnapshot(url), conflicts);
      last = seen;
      if ([...expected].every((id) => seen.has(id))) return seen;
    } catch (e) {
      last = `GET /events failed: ${String(e)}`;
    }
    if (Date.now() > deadline) return last;
    await sleep(500);
  }
};

/**
 * Polls the console's `counts.needsHuman` until it is exactly `expected`, or `timeoutMs`: undefined when it was,
 * else what it showed last.
 */
const consoleNeedsHumanCounts = async (
  actors: ActorSet,
  expected: ReturnType<typeof expectedNeedsHuman>,
  timeoutMs: number,
): Promise<string | undefined> => {
  const url = actors.logged('console', /"url":"(http:\/\/[^"]+?)\/?"/);
  if (url === undefined) return 'no console URL in its log';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let wrong: string | undefined;
    try {
      wrong = needsHumanMismatch(expected, await consoleNeedsHuman(url));
    } catch (e) {
      wrong = `GET /api/alarms failed: ${String(e)}`;
    }
    if (wrong === undefined) return undefined;
    if (Date.now() > deadline) return `${wrong} after ${timeoutMs / 1_000} s`;
    await sleep(500);
  }
};

const healthOf = async (url: string | undefined): Promise<number | string> => {
  if (url === undefined) return 'no ops url in the log';
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    return res.status;
  } catch (e) {
    return String(e);
  }
};

/** Puts one record of each poison kind straight on the stream (not through the proxy). */
const putPoisonRecords = async (stack: FaultStack, stream: string): Promise<PoisonRecord[]> => {
  const now = new Date().toISOString();
  // A packed record whose 4 KB gzip body declares a million empty messages (4 MB once unpacked): it must cost the
  // reader one dead letter, not its memory. Keyed as drone-0001 so alarm-carrying messages follow it on its shard.
  const million = Buffer.alloc(4 + 1_000_000 * 4); // a count, then a million zero lengths
  million.writeUInt32BE(1_000_000, 0);
  const bomb = Buffer.concat([Buffer.from([0xff, 0x50, 0x43, 0x4b, 1, 1]), gzipSync(million)]);
  const droneMessage = (id: number, fields: Record<string, unknown>): Buffer =>
    Buffer.from(
      JSON.stringify({
        type: 'drone.message',
        v: 1,
        id: `drone-${id}:1`,
        droneId: `drone-${id}`,
        seq: 1,
        time: now,
        location: { lat: 40.7128, lon: -74.006 },
        ...fields,
      }),
    );
  // Each kind with the note the alert system must write on its dead letter (see PoisonRecord.needsHuman).
  const kinds: Array<[PoisonRecord['kind'], PoisonRecord['needsHuman'], Buffer, string?]> = [
    ['not-json', 'unreadable', Buffer.from('this is not JSON {"id": ')],
    // The packed-record magic, then garbage: "I am a packed record" that does not unpack.
    [
      'corrupt-pack',
      'unreadable',
      Buffer.concat([Buffer.from([0xff, 0x50, 0x43, 0x4b, 1, 1]), Buffer.from('garbage')]),
    ],
    [
      'wrong-schema',
      undefined,
      Buffer.from(
        JSON.stringify({
          type: 'drone.message',
          v: 1,
          id: 'drone-9999:1',
          droneId: 42,
          at: 'yesterday',
        }),
      ),
    ],
    // Over the 256 KiB contract limit (and a DynamoDB item's 400 KB): never parsed, so it may have carried a code.
    ['oversized', 'unreadable', droneMessage(9998, { address: `poison ${'x'.repeat(600_000)}` })],
    ['gzip-bomb', 'unreadable', bomb, 'drone-0001'],
    // Code 40 needs a human, but the address is over its 200 characters (1 KB in all): refused by the decoder of
    // both consumers, so no alarm; the alert system notes that its dead letter carried the code.
    [
      'human-code-long-address',
      'code',
      droneMessage(9997, {
        violationCode: 40,
        violationImageId: 'img-9997-1',
        address: `poison ${'x'.repeat(1_000)}`,
      }),
    ],
  ];
  const out = await stack.clients.kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: kinds.map(([kind, , data, key]) => ({
        Data: data,
        PartitionKey: key ?? `poison-${kind}`,
      })),
    }),
  );
  return (out.Records ?? []).map((r, i) => {
    const [kind, needsHuman, data] = kinds[i]!;
    if (!r.SequenceNumber)
      throw new Error(`poison ${kind} was refused by the stream: ${r.ErrorCode}`);
    return {
      kind,
      stream,
      sequence: r.SequenceNumber,
      bytes: data.length,
      ...(needsHuman ? { needsHuman } : {}),
    };
  });
};
