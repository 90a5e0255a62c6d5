/**
 * The options several actors declare alike (runtime/options.ts): where the shared resources are, by name locally
 * (config/resources.json) and as Terraform sets them on a deployed host (`deploy`, a data-plane reference).
 * Declared once here so that their flag, env variable, default and `--help` line cannot drift between actors.
 */
import { NonEmptyString } from '../../runtime/codec.ts';
import { option } from '../../runtime/options.ts';
import { loadResourcesOrThrow } from './resources.ts';

const spec = loadResourcesOrThrow();

/** `--drone-stream` / `PRESTACOP_DRONE_STREAM`. */
export const droneStreamOption = option(NonEmptyString, {
  doc: 'drone stream',
  env: 'PRESTACOP_DRONE_STREAM',
  default: spec.streams.drones.name,
  deploy: 'streams.drones.name',
});

/** `--topic` / `PRESTACOP_ALARM_TOPIC`: a name or an ARN. */
export const alarmTopicOption = option(NonEmptyString, {
  doc: 'SNS alarm topic: name or ARN',
  env: 'PRESTACOP_ALARM_TOPIC',
  default: spec.topics.alarms.name,
  // The ARN, not the name: resolving a name needs sns:ListTopics, which only exists on "*".
  deploy: 'topics.alarms.arn',
});

/** `--lease-table` / `PRESTACOP_LEASE_TABLE`. */
export const leaseTableOption = option(NonEmptyString, {
  doc: 'leases and checkpoints table',
  env: 'PRESTACOP_LEASE_TABLE',
  default: spec.tables.leases.name,
  deploy: 'tables.leases.name',
});

/** `--bucket` / `PRESTACOP_BUCKET`, with what this actor keeps there. */
export const bucketOption = (doc: string) =>
  option(NonEmptyString, {
    doc,
    env: 'PRESTACOP_BUCKET',
    default: spec.buckets.archive.name,
    deploy: 'bucket.name',
  });

/** `--history-stream` / `PRESTACOP_HISTORY_STREAM`. */
export const historyStreamOption = option(NonEmptyString, {
  doc: 'NYPD history stream',
  env: 'PRESTACOP_HISTORY_STREAM',
  default: spec.streams.history.name,
  deploy: 'streams.history.name',
});

/** `--messages-table` / `PRESTACOP_MESSAGES_TABLE`. */
export const messagesTableOption = option(NonEmptyString, {
  doc: 'hot messages table',
  env: 'PRESTACOP_MESSAGES_TABLE',
  default: spec.tables.messages.name,
  deploy: 'tables.messages.name',
});

/** `PRESTACOP_ALARMS_TABLE`, with what this actor does with the alarm store. */
export const alarmsTableOption = (doc: string) =>
  option(NonEmptyString, {
    doc,
    env: 'PRESTACOP_ALARMS_TABLE',
    default: spec.tables.alarms.name,
    deploy: 'tables.alarms.name',
  });

/** `PRESTACOP_ALARM_EVENTS_TABLE`: the operator console's decisions and escalations (the flag is the key's). */
export const alarmEventsTableOption = option(NonEmptyString, {
  doc: "the operator console's decisions and escalations (alarm.resolved, alarm.escalated)",
  env: 'PRESTACOP_ALARM_EVENTS_TABLE',
  default: spec.tables.alarmEvents.name,
  deploy: 'tables.alarmEvents.name',
});
