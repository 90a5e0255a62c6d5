/**
 * PrestaCop's resources by role: the roles the actors, the swarm and the analysis need of config/resources.json
 * (the one declarations file, which Terraform reads too), so `spec.streams.drones.name` is typed and a missing role
 * fails at start-up, not on first use. The runtime provisions whatever the file declares; it knows none of these.
 */
import {
  decodeResourceSpec,
  loadResourceSpec,
  loadResourceSpecOrThrow,
  type ResourcesOf,
} from '../../runtime/aws/resources.ts';
import type { E } from '../../runtime/codec.ts';
import type { ConfigError } from '../../runtime/errors.ts';

/** Every role, per kind; a new resource means a new key in config/resources.json and here. */
export const RESOURCE_ROLES = {
  /** `drones`: what drones and the csv importer publish; `history`: the NYPD tickets csv-to-stream imports. */
  streams: ['drones', 'history'],
  /**
   * `messages`: the hot table of stored messages; `alarms`: the alarm store; `leases`: the Kinesis consumers'
   * leases and checkpoints; `alarmEvents`: operator decisions and escalations (`alarm.resolved`,
   * `alarm.escalated`), one item per event id.
   */
  tables: ['messages', 'alarms', 'leases', 'alarmEvents'],
  /** `archive`: the archive of stored messages, and the dead letters. */
  buckets: ['archive'],
  /** `alarms`: where the alert system publishes. */
  topics: ['alarms'],
  /**
   * `console`: read by the swarm's summary (`countPublishedAlarms`), which consumes it; `operatorConsole`: the
   * operator console's own subscription, so it never competes with the summary for messages; `alarmArchive`:
   * stream-to-storage's, raw delivery, the alarm events it archives (actors/stream-to-storage/alarm-archive.ts).
   */
  queues: ['console', 'operatorConsole', 'alarmArchive'],
} as const;

/** config/resources.json with every role of {@link RESOURCE_ROLES}. */
export type Resources = ResourcesOf<typeof RESOURCE_ROLES>;

/** Decodes a parsed resources document with PrestaCop's roles. */
export const decodeResources = (u: unknown): E.Either<ConfigError, Resources> =>
  decodeResourceSpec(u, RESOURCE_ROLES);

/**
 * Reads config/resources.json (or another file) with PrestaCop's roles.
 * @example loadResources(); // E.right({ region: 'us-east-1', streams: { drones: ..., history: ... }, ... })
 */
export const loadResources = (path?: string): E.Either<ConfigError, Resources> =>
  loadResourceSpec(path, RESOURCE_ROLES);

/** {@link loadResources} for start-up code and tests: throws one Error listing every issue. */
export const loadResourcesOrThrow = (path?: string): Resources =>
  loadResourceSpecOrThrow(path, RESOURCE_ROLES);
