/**
 * The options several actors declare alike (runtime/options.ts): where the shared resources are, by name locally
 * (config/resources.json) and as Terraform sets them on a deployed host (`deploy`, a data-plane reference).
 * Declared once here so that their flag, env variable, default and `--help` line cannot drift between actors (the
 * flag is the key an actor gives it: the console's `eventsTable` is the swarm's `alarmEventsTable`).
 */
import { NonEmptyString } from '../../runtime/codec.ts';
import { option } from '../../runtime/options.ts';
import { loadResourcesOrThrow } from './resources.ts';

const spec = loadResourcesOrThrow();

/** A resource's option: its local name by default, the data-plane reference Terraform gives on a host. */
const resourceOption = (doc: string, env: string, [name, deploy]: readonly [string, string]) =>
  option(NonEmptyString, { doc, env, default: name, deploy });

const { streams, tables, topics, buckets } = spec;
const drones = [streams.drones.name, 'streams.drones.name'] as const;
const history = [streams.history.name, 'streams.history.name'] as const;
const leases = [tables.leases.name, 'tables.leases.name'] as const;
const messages = [tables.messages.name, 'tables.messages.name'] as const;
const alarms = [tables.alarms.name, 'tables.alarms.name'] as const;
const events = [tables.alarmEvents.name, 'tables.alarmEvents.name'] as const;
// The topic's ARN, not its name: resolving a name needs sns:ListTopics, which only exists on "*".
const topic = [topics.alarms.name, 'topics.alarms.arn'] as const;
const bucket = [buckets.archive.name, 'bucket.name'] as const;

/** `--drone-stream` / `PRESTACOP_DRONE_STREAM`. */
export const droneStreamOption = resourceOption('drone stream', 'PRESTACOP_DRONE_STREAM', drones);

/** `--history-stream` / `PRESTACOP_HISTORY_STREAM`. */
export const historyStreamOption = resourceOption(
  'NYPD history stream',
  'PRESTACOP_HISTORY_STREAM',
  history,
);

/** `--topic` / `PRESTACOP_ALARM_TOPIC`: a name or an ARN. */
export const alarmTopicOption = resourceOption(
  'SNS alarm topic: name or ARN',
  'PRESTACOP_ALARM_TOPIC',
  topic,
);

/** `--lease-table` / `PRESTACOP_LEASE_TABLE`. */
export const leaseTableOption = resourceOption(
  'leases and checkpoints table',
  'PRESTACOP_LEASE_TABLE',
  leases,
);

/** `--messages-table` / `PRESTACOP_MESSAGES_TABLE`. */
export const messagesTableOption = resourceOption(
  'hot messages table',
  'PRESTACOP_MESSAGES_TABLE',
  messages,
);

/** `PRESTACOP_ALARM_EVENTS_TABLE`: the operator console's decisions and escalations. */
export const alarmEventsTableOption = resourceOption(
  "the operator console's decisions and escalations (alarm.resolved, alarm.escalated)",
  'PRESTACOP_ALARM_EVENTS_TABLE',
  events,
);

/** `PRESTACOP_ALARMS_TABLE`, with what this actor does with the alarm store. */
export const alarmsTableOption = (doc: string) =>
  resourceOption(doc, 'PRESTACOP_ALARMS_TABLE', alarms);

/** `--bucket` / `PRESTACOP_BUCKET`, with what this actor keeps there. */
export const bucketOption = (doc: string) => resourceOption(doc, 'PRESTACOP_BUCKET', bucket);
