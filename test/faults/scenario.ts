/**
 * What a fault scenario is, and what it can do while the pipeline runs: kill and restart actors, restart the
 * Kinesis emulator, change what the proxies do, put poison on a stream.
 */
import type { Random } from '../../runtime/random.ts';
import type { ActorSet } from './actors.ts';
import type { CollisionRecord } from './collisions.ts';
import type { FaultCounts } from './policies.ts';
import type { FaultProxy } from './proxy.ts';

/** The six families of the issue; `--quick` runs at least one scenario of each. */
export type Family =
  'kill' | 'emulator' | 'kinesis-throttle' | 'storage-faults' | 'sns-faults' | 'poison' | 'leases';

/** A poison record put on a stream: its sequence number and what it is. */
export interface PoisonRecord {
  readonly kind:
    | 'not-json'
    | 'corrupt-pack'
    | 'wrong-schema'
    | 'oversized'
    | 'gzip-bomb'
    | 'human-code-long-address';
  readonly stream: string;
  readonly sequence: string;
  readonly bytes: number;
  /**
   * The note the alert system must write on its dead letter (`needs-human/`, counted by the console): `code` when
   * the bytes carry a code that needs a human, `unreadable` when they cannot be read within the message size limit;
   * none otherwise.
   */
  readonly needsHuman?: 'code' | 'unreadable';
}

/** What an injection can use. */
export interface FaultContext {
  readonly random: Random;
  readonly actors: ActorSet;
  readonly proxies: {
    readonly kinesis: FaultProxy;
    readonly dynamodb: FaultProxy;
    readonly s3: FaultProxy;
    readonly sns: FaultProxy;
  };
  readonly counts: FaultCounts;
  /** Epoch ms when the producers started, and how long they run (ms). */
  readonly producersStartedAt: number;
  readonly producerMs: number;
  /** Table names of this scenario (for table-scoped DynamoDB faults). */
  readonly tables: { readonly messages: string; readonly alarms: string; readonly leases: string };
  /** Sleeps until `ms` after the producers started (at once if that is past). */
  readonly until: (ms: number) => Promise<void>;
  /** A seeded moment between `fromMs` and `toMs` after the producers started. */
  readonly moment: (fromMs: number, toMs: number) => number;
  /** SIGKILLs an actor; `downMs` later starts it again (the simulator with the time it has left). */
  readonly killAndRestart: (name: string, downMs?: number) => Promise<void>;
  /** SIGKILLs an actor for good. */
  readonly kill: (name: string) => Promise<void>;
  /** SIGTERMs the Kinesis emulator, waits `downMs`, starts it again on the same port and data. */
  readonly restartKinesis: (downMs: number) => Promise<void>;
  /** Puts one poison record of each kind on the drone stream (directly, past the proxy). */
  readonly putPoison: () => Promise<ReadonlyArray<PoisonRecord>>;
  /** Puts colliding ids on the drone stream (directly): see collisions.ts. */
  readonly putCollisions: () => Promise<ReadonlyArray<CollisionRecord>>;
  readonly log: (line: string) => void;
}

/** One scenario. */
export interface Scenario {
  readonly name: string;
  readonly family: Family;
  /** Part of `--quick`. */
  readonly quick: boolean;
  readonly summary: string;
  /** Storage-writer processes (default 1). */
  readonly storageWorkers?: number;
  /**
   * The drone simulator is killed: messages it had not had acknowledged were never accepted, so per-drone sequences
   * on the stream may have holes. Otherwise any hole is producer loss.
   */
  readonly killsSimulator?: boolean;
  /**
   * Injects the faults while the producers run; resolves with the epoch ms at which the last fault ended (the
   * start of recovery). Must leave the proxies passing everything through when it resolves.
   */
  readonly inject: (ctx: FaultContext) => Promise<number>;
}
