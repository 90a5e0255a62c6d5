/**
 * The swarm's command line: one declaration per option (flag, env, default, doc), validated at start; the fleet's
 * options are the drone simulator's own (`fleetOptions`).
 */
import { fleetOptions } from '../../actors/drone-simulator/actor.ts';
import {
  AwsOptions,
  awsOptionSpecs,
  OpsOptions,
  opsOptionSpecs,
} from '../../runtime/aws/options.ts';
import {
  NiceValue,
  NonEmptyString,
  NonNegative,
  NonNegativeInt,
  oneOf,
  Port,
  PositiveInt,
  t,
} from '../../runtime/codec.ts';
import type { CommandSpec } from '../../runtime/config.ts';

export const SwarmConfig = t.intersection([
  AwsOptions,
  OpsOptions,
  fleetOptions.codec,
  t.type({
    duration: NonNegative,
    drainTimeout: NonNegative,
    seed: t.union([NonNegativeInt, t.undefined]),
    summary: t.union([NonEmptyString, t.undefined]),
    wipe: t.boolean,
    stack: oneOf('StackMode', ['auto', 'external']),
    stackData: t.union([NonEmptyString, t.undefined]),
    droneStream: NonEmptyString,
    historyStream: NonEmptyString,
    messagesTable: NonEmptyString,
    leaseTable: NonEmptyString,
    bucket: NonEmptyString,
    alarmsTable: NonEmptyString,
    topic: NonEmptyString,
    alarmEventsTable: NonEmptyString,
    consolePort: Port,
    escalateAfterSeconds: NonNegativeInt,
    retentionHours: PositiveInt,
    fleetNice: NiceValue,
  }),
]);
export type SwarmConfig = t.TypeOf<typeof SwarmConfig>;

export const swarmCommand = (names: {
  droneStream: string;
  historyStream: string;
  messagesTable: string;
  leaseTable: string;
  bucket: string;
  alarmsTable: string;
  topic: string;
  alarmEventsTable: string;
}): CommandSpec<SwarmConfig> => ({
  name: 'swarm',
  summary:
    'starts the local AWS stack (by default), the storage writer and a fleet of simulated drones; prints live status, drains, and checks that nothing was lost',
  codec: SwarmConfig,
  options: {
    ...fleetOptions.specs,
    duration: { type: 'string', doc: 'seconds to fly; 0 = until Ctrl-C', default: '60' },
    'drain-timeout': {
      type: 'string',
      doc: 'seconds to wait for consumers to catch up after the flight',
      default: '60',
    },
    seed: { type: 'string', doc: 'random seed (default: a new one, printed in the summary)' },
    summary: { type: 'string', doc: 'write the summary JSON to this file (overwritten)' },
    stack: {
      type: 'string',
      doc: 'local target: auto (use the running `npm run stack`, whatever its data folder, else start one) or external (use the endpoint options as given)',
      env: 'PRESTACOP_SWARM_STACK',
      default: 'auto',
    },
    'stack-data': {
      type: 'string',
      doc: 'with --stack auto: the data folder of the stack to use (`npm run stack -- --data DIR`), needed when several run; none running there: one is started on it',
      env: 'PRESTACOP_STACK_DATA',
    },
    wipe: { type: 'boolean', doc: 'local target: wipe the local stack data first', default: false },
    'drone-stream': {
      type: 'string',
      doc: 'drone stream',
      env: 'PRESTACOP_DRONE_STREAM',
      default: names.droneStream,
    },
    'history-stream': {
      type: 'string',
      doc: 'NYPD history stream',
      env: 'PRESTACOP_HISTORY_STREAM',
      default: names.historyStream,
    },
    'messages-table': {
      type: 'string',
      doc: 'hot messages table',
      env: 'PRESTACOP_MESSAGES_TABLE',
      default: names.messagesTable,
    },
    'lease-table': {
      type: 'string',
      doc: 'consumer leases/checkpoints table',
      env: 'PRESTACOP_LEASE_TABLE',
      default: names.leaseTable,
    },
    'alarms-table': {
      type: 'string',
      doc: 'alarm store table',
      env: 'PRESTACOP_ALARMS_TABLE',
      default: names.alarmsTable,
    },
    topic: {
      type: 'string',
      doc: 'alarm SNS topic (name or ARN)',
      env: 'PRESTACOP_ALARM_TOPIC',
      default: names.topic,
    },
    'alarm-events-table': {
      type: 'string',
      doc: "the operator console's decisions and escalations",
      env: 'PRESTACOP_ALARM_EVENTS_TABLE',
      default: names.alarmEventsTable,
    },
    'console-port': {
      type: 'string',
      doc: 'operator console port on 127.0.0.1 (0 = any free port; the address is printed)',
      env: 'PRESTACOP_CONSOLE_PORT',
      default: '0',
    },
    'escalate-after-seconds': {
      type: 'string',
      doc: 'the console escalates an alarm nobody acknowledged this long after its raise',
      env: 'PRESTACOP_ESCALATE_AFTER_SECONDS',
      default: '120',
    },
    bucket: {
      type: 'string',
      doc: 'archive bucket',
      env: 'PRESTACOP_BUCKET',
      default: names.bucket,
    },
    'retention-hours': {
      type: 'string',
      doc: 'hot table TTL after ingestion',
      env: 'PRESTACOP_RETENTION_HOURS',
      default: '168',
    },
    'fleet-nice': {
      type: 'string',
      doc: "nice value of the drones' thread (0-19): the fleet yields the cores to the consumers it feeds",
      env: 'PRESTACOP_SWARM_FLEET_NICE',
      default: '10',
    },
    ...awsOptionSpecs,
    ...opsOptionSpecs,
  },
  epilog:
    'example: npm run swarm -- --drones 20 --alarm-rate 0.01 --duration 30 --summary reports/swarm.json',
});
