/**
 * Wires the storage writer: one actor per stream (drones → hot table + archive, history → archive), sharing the
 * ports. Used by its declaration (`actor.ts`), which `main.ts` launches and the swarm starts (in one process).
 */
import {
  type ActorHandle,
  type DeadLetterPort,
  type LastStep,
  runActor,
} from '../../runtime/actor.ts';
import { type Bus, topic } from '../../runtime/bus/bus.ts';
import type { ConsumerOptions } from '../../runtime/bus/kinesis.ts';
import type { EventHub } from '../../runtime/events.ts';
import { DroneMessage, type DroneMessageJson } from '../protocol/drone-message.ts';
import { DroneMessageIn } from '../protocol/drone-message-in.ts';
import { encodedMessageHash } from '../protocol/message-hash.ts';
import { NypdTicket } from '../protocol/nypd-ticket.ts';
import { clockOffMs, type ClockWindow } from '../protocol/time.ts';
import { type StorageCommand, storageWriter, type StoredMessage } from './behaviour.ts';
import type { HotItem, HotTable } from './dynamo-table.ts';
import type { Archive } from './s3-archive.ts';

export const APPLICATION = 'stream-to-storage';

/**
 * Consumer settings for the storage writer's bus: the small share of each shard's reads, since the alert system
 * needs the rest (see `alertConsumerOptions`). On AWS the defaults are that share already (1 GetRecords/s of the
 * shard's 5). Locally the emulator does not throttle, but the writer polls as on AWS anyway: once a second per
 * busy shard, not the local default 20 ms, and an idle shard (the history stream, most days) at most every 2 s.
 * Every poll starts a cycle (GetRecords, a few hundred
 * messages decoded, a BatchGetItem, BatchWriteItems, acknowledgements) whose fixed cost is shared by what the poll
 * brought: at 1,000 drones, polls every 200 ms cost 198-234 µs of CPU per stored message and polls every second
 * 143-154 (`npm run bench -- writer --drones 1000`, same run). Storage is not latency-bound: a message waits up to
 * a second more, beside its archive batch's 5 s. Checkpoints every second, as on AWS, rather than the local 200 ms:
 * each is a write to DynamoDB Local, which also holds the hot table, the alarm store and every lease; a crash
 * redelivers at most a second more (upserts).
 * @example createKinesisBus({ clients, leaseTable, events, target, consumer: storageConsumerOptions(target) })
 */
export const storageConsumerOptions = (target: 'aws' | 'local'): ConsumerOptions =>
  target === 'local'
    ? { pollIntervalMs: 1_000, idlePollMaxMs: 2_000, checkpointIntervalMs: 1_000 }
    : {};

export interface StorageWriterDeps {
  readonly bus: Bus;
  readonly events: EventHub;
  readonly table: HotTable;
  readonly archive: Archive;
  readonly deadLetter: DeadLetterPort;
  readonly streams: { readonly drones: string; readonly history?: string };
  /** Hot-table retention: items expire this long after ingestion. */
  readonly retentionSeconds: number;
  /** Unacknowledged deliveries per shard: archive batches fill up to this (backpressure beyond). */
  readonly maxInFlightPerShard?: number;
  /** Deliveries on their way to the hot table at once (default 2,000); those waiting for their archive batch are not counted. */
  readonly concurrency?: number;
  /**
   * A drone time outside this window around the stream's arrival time is stored (hot table and archive line) with
   * `timeSuspect: true` and `clockOffMs` (default `DEFAULT_CLOCK_WINDOW`: 24 h back, 5 min ahead): kept, marked, never dropped.
   */
  readonly clockWindow?: ClockWindow;
}

export interface StorageWriter {
  readonly stop: () => Promise<void>;
  readonly healthy: () => boolean;
}

const encode = (m: StoredMessage): unknown =>
  m.type === 'drone.message' ? DroneMessage.encode(m) : NypdTicket.encode(m);

/**
 * A message's archive step. Made here, and not as a named arrow inside the effect: tsx's build (esbuild with
 * `keepNames`) gives every named arrow an Object.defineProperty each time it is created, per message there.
 */
const archiveStep =
  (
    archive: Archive,
    type: string,
    line: string,
    from: { source: Parameters<Archive['append']>[2]; arrivedAt: number },
  ): LastStep =>
  (done) =>
    archive.appendSettled(type, line, from.source, from.arrivedAt, done);

/**
 * Starts the writer.
 * @example const writer = startStorageWriter({ bus, events, table, archive, deadLetter, streams, retentionSeconds });
 */
export const startStorageWriter = (deps: StorageWriterDeps): StorageWriter => {
  const inFlight = deps.maxInFlightPerShard ?? 5_000;
  const behaviour = storageWriter({ hotTypes: ['drone.message'] });
  // The hot table first: a message it refuses (an id holding other content) is dead-lettered and never archived,
  // so the table and the archive hold the same messages. A retry after a failed archive write finds the item
  // stored (same hash) and archives it then.
  const effect = (
    cmd: StorageCommand,
    from: { source: Parameters<Archive['append']>[2]; arrivedAt: number },
  ): Promise<LastStep> => {
    const encoded = encode(cmd.message) as Record<string, unknown>;
    // A drone time far from its arrival is marked in the table and the archive alike: stored means stored
    // everywhere, and the analysis counts the mark from either. A drone line carries its ingestion time beside the
    // drone's own `time` (a column of the archive's tables). One object, built once, for both.
    const json: Record<string, unknown> = { ...encoded };
    let hot: HotItem | undefined;
    if (cmd.message.type === 'drone.message') {
      const off = clockOffMs(cmd.message.time, from.arrivedAt, deps.clockWindow);
      if (off !== undefined) {
        json.timeSuspect = true;
        json.clockOffMs = Math.round(off);
      }
      json.ingestedAt = new Date(from.arrivedAt).toISOString();
      if (cmd.hot)
        hot = {
          ...json,
          id: cmd.message.id,
          // The hash of what the codec encodes, as `messageHash` (the alarm's) gives it: encoded once here.
          messageHash: encodedMessageHash(encoded as DroneMessageJson),
          expiresAt: Math.floor(from.arrivedAt / 1_000) + deps.retentionSeconds,
        };
    }
    // The archive is the last step: the delivery waits for its batch (seconds, thousands of messages at once) as its
    // line and its acknowledgement, without a slot or anything else of it.
    const archive = archiveStep(deps.archive, cmd.message.type, JSON.stringify(json), from);
    return hot ? deps.table.put(hot).then(() => archive) : Promise.resolve(archive);
  };
  const common = {
    events: deps.events,
    effect,
    deadLetter: deps.deadLetter,
    concurrency: deps.concurrency ?? 2_000,
  };
  const actors: ActorHandle[] = [
    runActor<StoredMessage, StorageCommand>({
      ...common,
      name: `${APPLICATION}/drones`,
      input: () =>
        deps.bus.subscribe(
          topic(deps.streams.drones, DroneMessageIn, (m) => m.droneId),
          {
            application: APPLICATION,
            maxInFlightPerShard: inFlight,
          },
        ),
      behaviour,
    }),
  ];
  if (deps.streams.history)
    actors.push(
      runActor<StoredMessage, StorageCommand>({
        ...common,
        name: `${APPLICATION}/history`,
        input: () =>
          deps.bus.subscribe(
            topic(deps.streams.history!, NypdTicket, (t) => t.summonsNumber),
            {
              application: APPLICATION,
              maxInFlightPerShard: inFlight,
            },
          ),
        behaviour,
      }),
    );

  return {
    stop: async () => {
      const stopped = Promise.all(actors.map((a) => a.stop()));
      // In-flight deliveries wait on open archive batches: cut them now rather than at their timers.
      let done = false;
      void stopped.then(() => (done = true));
      while (!done) {
        await Promise.all([deps.archive.flush(), deps.table.flush()]);
        await Promise.race([stopped, new Promise((r) => setTimeout(r, 50))]);
      }
      await Promise.all([deps.archive.flush(), deps.table.flush()]);
    },
    healthy: () => actors.every((a) => a.healthy()),
  };
};
