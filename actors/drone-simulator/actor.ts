/**
 * The drone simulator, declared (runtime/launcher.ts): a fleet of simulated drones publishing to the drone stream.
 * `main.ts` launches it; the swarm flies its fleet with the same fleet options ({@link fleetOptions}).
 */
import { KMS } from '../../runtime/aws/iam.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import {
  E,
  intList,
  NonNegative,
  NonNegativeInt,
  PositiveInt,
  Probability,
} from '../../runtime/codec.ts';
import { defineActor } from '../../runtime/launcher.ts';
import { joinGroups, option, type OptionGroup, optionGroup } from '../../runtime/options.ts';
import { loadCodeWeights } from '../protocol/code-weights.ts';
import { crossCheck } from '../protocol/codec-kit.ts';
import { bucketOption, droneStreamOption, leaseTableOption } from '../protocol/options.ts';
import { DEFAULT_HUMAN_CODES } from '../protocol/violation-codes.ts';
import { ACTOR, exitCodeOf, startDroneFleet } from './service.ts';
import { createS3ImageStore } from './violation-image.ts';

const fleet = optionGroup({
  drones: option(PositiveInt, {
    doc: 'simulated drones (in this process)',
    env: 'PRESTACOP_DRONES',
    default: '20',
  }),
  alarmRate: option(Probability, {
    doc: 'share of messages whose code needs a human',
    env: 'PRESTACOP_ALARM_RATE',
    default: '0.01',
  }),
  violationRate: option(Probability, {
    doc: 'share of messages with any violation (>= alarm rate)',
    env: 'PRESTACOP_VIOLATION_RATE',
    default: '0.2',
  }),
  interval: option(PositiveInt, {
    doc: 'ms between two messages of one drone',
    env: 'PRESTACOP_INTERVAL_MS',
    default: '1000',
  }),
  speed: option(NonNegative, { doc: 'drone speed in m/s', default: '8' }),
  humanCodes: option(intList('ViolationCodes', 1, 99), {
    doc: 'violation codes that need a human',
    env: 'PRESTACOP_HUMAN_CODES',
    default: DEFAULT_HUMAN_CODES.join(','),
  }),
});

/** The fleet's options, declared once for the simulator and the swarm; the violation rate covers the alarm rate. */
export const fleetOptions: OptionGroup<typeof fleet.codec._A> = {
  ...fleet,
  codec: crossCheck(fleet.codec, (f) =>
    f.violationRate >= f.alarmRate
      ? undefined
      : { at: 'violationRate', why: 'must be >= --alarm-rate' },
  ),
};

/** The simulator's options: the fleet's, and where it flies. */
export const simulatorOptions = joinGroups(
  fleetOptions,
  optionGroup({
    firstDrone: option(PositiveInt, {
      doc: 'number of the first drone (split a fleet over hosts)',
      env: 'PRESTACOP_FIRST_DRONE',
      default: '1',
    }),
    duration: option(NonNegative, { doc: 'seconds to fly; 0 = until stopped', default: '0' }),
    seed: option(NonNegativeInt, { doc: 'random seed', env: 'PRESTACOP_SEED', default: '1' }),
    droneStream: droneStreamOption,
    leaseTable: leaseTableOption,
    bucket: bucketOption('bucket for the violation images of alarms (violation-images/<id>.svg)'),
  }),
);

/** The simulator: `launch(droneSimulator)`. */
export const droneSimulator = defineActor({
  name: ACTOR,
  summary:
    'simulates a fleet of drones flying over New York City, publishing their messages to the drone stream',
  options: simulatorOptions,
  // A host of its own: it publishes to the drone stream and writes its pictures, nothing else.
  deploy: {
    opsPort: 9101,
    statements: [
      // PutRecords; ListShards for the per-shard rate limit and shard-wide packing.
      {
        Sid: 'PublishDrones',
        Action: ['kinesis:ListShards', 'kinesis:PutRecords'],
        Resource: ['streams.drones.arn'],
      },
      // The camera: one small picture per alarm (violation-image.ts).
      {
        Sid: 'ViolationImages',
        Action: ['s3:PutObject'],
        Resource: ['bucket.arn/violation-images/*'],
      },
    ],
    kms: { kinesis: KMS.writeStream, s3: KMS.putObject },
  },
  start: ({ clients, events }, cfg) => {
    const weights = loadCodeWeights();
    if (E.isLeft(weights)) throw new Error(weights.left.issues.join('; '));
    const bus = createKinesisBus({
      clients,
      leaseTable: cfg.leaseTable,
      events,
      target: cfg.target,
    });
    const drones = startDroneFleet({
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
      stop: async () => (await drones.stop(), await bus.close()),
      // A dropped message took a sequence number: at the end of a run its hole is invisible, so the exit code says it.
      exitCode: () => exitCodeOf(drones.counts, (line) => process.stderr.write(line)),
      ...(cfg.duration > 0
        ? { done: new Promise<void>((r) => setTimeout(r, cfg.duration * 1_000)) }
        : {}),
    };
  },
});
