/**
 * The swarm's command line, as groups of options declared once (runtime/options.ts): the fleet's are the drone
 * simulator's own (`fleetOptions`), the resources' are the actors' shared declarations (actors/protocol/options.ts),
 * the console's and the writer's are theirs; only what the swarm alone does is declared here.
 */
import { fleetOptions } from '../../actors/drone-simulator/actor.ts';
import { escalateAfterSecondsOption } from '../../actors/operator-console/config.ts';
import {
  alarmEventsTableOption,
  alarmsTableOption,
  alarmTopicOption,
  bucketOption,
  droneStreamOption,
  historyStreamOption,
  leaseTableOption,
  messagesTableOption,
} from '../../actors/protocol/options.ts';
import { retentionHoursOption } from '../../actors/stream-to-storage/actor.ts';
import { awsGroup, opsGroup } from '../../runtime/aws/options.ts';
import {
  NiceValue,
  NonEmptyString,
  NonNegative,
  NonNegativeInt,
  oneOf,
  Port,
  t,
} from '../../runtime/codec.ts';
import type { CommandSpec } from '../../runtime/config.ts';
import { commandOf, joinGroups, option, optional, optionGroup } from '../../runtime/options.ts';

/** What the swarm alone does: how long, which stack, and where the resources are. */
const swarmOwn = optionGroup({
  duration: option(NonNegative, { doc: 'seconds to fly; 0 = until Ctrl-C', default: '60' }),
  drainTimeout: option(NonNegative, {
    doc: 'seconds to wait for consumers to catch up after the flight',
    default: '60',
  }),
  seed: optional(NonNegativeInt, {
    doc: 'random seed (default: a new one, printed in the summary)',
  }),
  summary: optional(NonEmptyString, { doc: 'write the summary JSON to this file (overwritten)' }),
  stack: option(oneOf('StackMode', ['auto', 'external']), {
    doc: 'local target: auto (use the running `npm run stack`, whatever its data folder, else start one) or external (use the endpoint options as given)',
    env: 'PRESTACOP_SWARM_STACK',
    default: 'auto',
  }),
  stackData: optional(NonEmptyString, {
    doc: 'with --stack auto: the data folder of the stack to use (`npm run stack -- --data DIR`), needed when several run; none running there: one is started on it',
    env: 'PRESTACOP_STACK_DATA',
  }),
  wipe: option(t.boolean, {
    type: 'boolean',
    doc: 'local target: wipe the local stack data first',
    default: false,
  }),
  droneStream: droneStreamOption,
  historyStream: historyStreamOption,
  messagesTable: messagesTableOption,
  leaseTable: leaseTableOption,
  alarmsTable: alarmsTableOption('alarm store table'),
  topic: alarmTopicOption,
  alarmEventsTable: alarmEventsTableOption,
  consolePort: option(Port, {
    doc: 'operator console port on 127.0.0.1 (0 = any free port; the address is printed)',
    env: 'PRESTACOP_CONSOLE_PORT',
    default: '0',
  }),
  escalateAfterSeconds: escalateAfterSecondsOption,
  bucket: bucketOption('archive bucket'),
  retentionHours: retentionHoursOption,
  fleetNice: option(NiceValue, {
    doc: "nice value of the drones' thread (0-19): the fleet yields the cores to the consumers it feeds",
    env: 'PRESTACOP_SWARM_FLEET_NICE',
    default: '10',
  }),
});

const options = joinGroups(joinGroups(joinGroups(fleetOptions, swarmOwn), awsGroup), opsGroup);

/** The validated config. */
export type SwarmConfig = typeof options.codec._A;

/** The swarm's command line (resource names default from config/resources.json). */
export const swarmCommand: CommandSpec<SwarmConfig> = commandOf({
  name: 'swarm',
  summary:
    'starts the local AWS stack (by default), the storage writer and a fleet of simulated drones; prints live status, drains, and checks that nothing was lost',
  options,
  epilog:
    'example: npm run swarm -- --drones 20 --alarm-rate 0.01 --duration 30 --summary reports/swarm.json',
});
