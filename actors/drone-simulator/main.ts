/** `npm run drone-simulator -- --help`: the fleet as its own service, publishing to the drone stream. */
import '../../runtime/node-version.ts';

import {
  AwsOptions,
  awsOptionSpecs,
  OpsOptions,
  opsOptionSpecs,
} from '../../runtime/aws/options.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import {
  E,
  intList,
  NonEmptyString,
  NonNegative,
  NonNegativeInt,
  PositiveInt,
  Probability,
  t,
} from '../../runtime/codec.ts';
import { configOrExit } from '../../runtime/config.ts';
import { runService } from '../../runtime/service.ts';
import { loadCodeWeights } from '../protocol/code-weights.ts';
import { loadResourcesOrThrow } from '../protocol/index.ts';
import { DEFAULT_HUMAN_CODES } from '../protocol/violation-codes.ts';
import { ACTOR, exitCodeOf, startDroneFleet } from './service.ts';
import { createS3ImageStore } from './violation-image.ts';

const spec = loadResourcesOrThrow();
const Codes = intList('ViolationCodes', 1, 99);
const Config = t.intersection([
  AwsOptions,
  OpsOptions,
  t.type({
    drones: PositiveInt,
    firstDrone: PositiveInt,
    alarmRate: Probability,
    violationRate: Probability,
    interval: PositiveInt,
    duration: NonNegative,
    seed: NonNegativeInt,
    speed: NonNegative,
    humanCodes: Codes,
    droneStream: NonEmptyString,
    leaseTable: NonEmptyString,
    bucket: NonEmptyString,
  }),
]);

const cfg = configOrExit(
  {
    name: ACTOR,
    summary:
      'simulates a fleet of drones flying over New York City, publishing their messages to the drone stream',
    codec: Config,
    options: {
      drones: {
        type: 'string',
        doc: 'drones in this process',
        env: 'PRESTACOP_DRONES',
        default: '20',
      },
      'first-drone': {
        type: 'string',
        doc: 'number of the first drone (split a fleet over hosts)',
        env: 'PRESTACOP_FIRST_DRONE',
        default: '1',
      },
      'alarm-rate': {
        type: 'string',
        doc: 'share of messages whose code needs a human',
        env: 'PRESTACOP_ALARM_RATE',
        default: '0.01',
      },
      'violation-rate': {
        type: 'string',
        doc: 'share of messages with any violation',
        env: 'PRESTACOP_VIOLATION_RATE',
        default: '0.2',
      },
      interval: {
        type: 'string',
        doc: 'ms between two messages of one drone',
        env: 'PRESTACOP_INTERVAL_MS',
        default: '1000',
      },
      duration: { type: 'string', doc: 'seconds to fly; 0 = until stopped', default: '0' },
      seed: { type: 'string', doc: 'random seed', env: 'PRESTACOP_SEED', default: '1' },
      speed: { type: 'string', doc: 'drone speed in m/s', default: '8' },
      'human-codes': {
        type: 'string',
        doc: 'violation codes that need a human',
        env: 'PRESTACOP_HUMAN_CODES',
        default: DEFAULT_HUMAN_CODES.join(','),
      },
      'drone-stream': {
        type: 'string',
        doc: 'drone stream',
        env: 'PRESTACOP_DRONE_STREAM',
        default: spec.streams.drones.name,
      },
      'lease-table': {
        type: 'string',
        doc: 'leases table (the bus adapter needs it; a producer writes none)',
        env: 'PRESTACOP_LEASE_TABLE',
        default: spec.tables.leases.name,
      },
      bucket: {
        type: 'string',
        doc: 'bucket for the violation images of alarms (violation-images/<id>.svg)',
        env: 'PRESTACOP_BUCKET',
        default: spec.buckets.archive.name,
      },
      ...awsOptionSpecs,
      ...opsOptionSpecs,
    },
  },
  process.argv.slice(2),
  process.env,
);
if (cfg.violationRate < cfg.alarmRate) {
  process.stderr.write(`${ACTOR}: --violation-rate must be >= --alarm-rate\n`);
  process.exit(78);
}
const weights = loadCodeWeights();
if (E.isLeft(weights)) {
  process.stderr.write(`${ACTOR}: ${weights.left.issues.join('\n')}\n`);
  process.exit(78);
}

await runService(ACTOR, cfg, ({ clients, events }) => {
  const bus = createKinesisBus({ clients, leaseTable: cfg.leaseTable, events, target: cfg.target });
  const fleet = startDroneFleet({
    bus,
    events,
    stream: cfg.droneStream,
    clock: { now: Date.now },
    images: createS3ImageStore(clients.s3, cfg.bucket),
    fleet: {
      drones: cfg.drones,
      firstDrone: cfg.firstDrone,
      intervalMs: cfg.interval,
      alarmRate: cfg.alarmRate,
      violationRate: cfg.violationRate,
      humanCodes: cfg.humanCodes,
      codeWeights: weights.right.entries.map((w) => ({ code: w.code, weight: w.count })),
      seed: cfg.seed,
      speedMps: cfg.speed,
      firstSeq: Math.floor(Date.now() / cfg.interval),
    },
  });
  return {
    healthy: () => true,
    stop: async () => (await fleet.stop(), await bus.close()),
    // A dropped message took a sequence number: at the end of a run its hole is invisible, so the exit code says it.
    exitCode: () => exitCodeOf(fleet.counts, (line) => process.stderr.write(line)),
    ...(cfg.duration > 0
      ? { done: new Promise<void>((r) => setTimeout(r, cfg.duration * 1_000)) }
      : {}),
  };
});
