/**
 * A consumer process for the crash test (test/integration/kinesis-restart.int.spec.ts): reads a stream through the
 * Kinesis bus and "processes" each message by appending its id to a file, acknowledging only after the write, at a
 * bounded rate so the parent can kill it mid-way. SIGTERM closes the bus (checkpoints, releases) and exits.
 *
 * Usage: node --import tsx test/helpers/kinesis-consumer-child.ts '<ChildConfig as JSON>'
 */
import { appendFileSync } from 'node:fs';

import { createAwsClients } from '../../runtime/aws/clients.ts';
import type { AwsTarget } from '../../runtime/aws/target.ts';
import { type Delivery, topic } from '../../runtime/bus/bus.ts';
import { createKinesisBus } from '../../runtime/bus/kinesis.ts';
import { E, t } from '../../runtime/codec.ts';

/** What the parent passes. */
export interface ChildConfig {
  readonly target: AwsTarget;
  readonly stream: string;
  readonly application: string;
  readonly leaseTable: string;
  readonly workerId: string;
  /** File the processed ids are appended to, one per line. */
  readonly out: string;
  readonly ratePerSec: number;
  readonly leaseTimeoutMs: number;
}

const Msg = t.type({ id: t.string, key: t.string });

const main = (cfg: ChildConfig): void => {
  const clients = createAwsClients(cfg.target);
  const bus = createKinesisBus({
    clients,
    leaseTable: cfg.leaseTable,
    workerId: cfg.workerId,
    target: 'local',
    consumer: { leaseTimeoutMs: cfg.leaseTimeoutMs, checkpointIntervalMs: 100 },
  });
  const queue: Array<Delivery<t.TypeOf<typeof Msg>>> = [];
  const sub = bus
    .subscribe(
      topic(cfg.stream, Msg, (m) => m.key),
      {
        application: cfg.application,
        maxInFlightPerShard: 200,
      },
    )
    .subscribe({
      next: (d) => queue.push(d),
      error: (e: unknown) => {
        console.error('subscription failed', e);
        process.exit(1);
      },
    });
  // Process a slice every 10 ms: write the ids, then acknowledge them (a checkpoint never passes an unwritten id).
  const perTick = Math.max(1, Math.round(cfg.ratePerSec / 100));
  const timer = setInterval(() => {
    const batch = queue.splice(0, perTick);
    if (batch.length === 0) return;
    const ids = batch.map((d) => (E.isRight(d.payload) ? d.payload.right.id : 'undecodable'));
    appendFileSync(cfg.out, `${ids.join('\n')}\n`);
    for (const d of batch) void d.ack();
  }, 10);
  process.once('SIGTERM', () => {
    clearInterval(timer);
    sub.unsubscribe();
    void bus.close().then(() => {
      clients.destroy();
      process.exit(0);
    });
  });
};

main(JSON.parse(process.argv[2] ?? '{}') as ChildConfig);
