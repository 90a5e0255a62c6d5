/**
 * The storage writer and the alert system as the swarm starts them (their declarations, configured by env) on the
 * local stack: each says how many inputs it dead-lettered (`RunningService.deadLetters`), which the swarm's status
 * line and summary print as `dead letters N`.
 */
import assert from 'node:assert/strict';

import { PutRecordCommand } from '@aws-sdk/client-kinesis';

import { alertSystemActor } from '../../actors/alert-system/actor.ts';
import { streamToStorage } from '../../actors/stream-to-storage/actor.ts';
import { createBucket, createStream } from '../../runtime/aws/provision.ts';
import { E } from '../../runtime/codec.ts';
import { createEventHub } from '../../runtime/events.ts';
import { launchable } from '../../runtime/launcher.ts';
import { stackEnv } from '../../runtime/local-stack/index.ts';
import { createLogger } from '../../runtime/log.ts';
import { MetricsRegistry } from '../../runtime/metrics.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('Declared consumers > dead letters counted, on the local stack', function () {
  this.timeout(60_000);

  for (const actor of [launchable(streamToStorage), launchable(alertSystemActor)])
    it(`${actor.name} counts the record it dead-letters`, async () => {
      const stack = await useStack();
      const [drones, history, bucket] = [
        uniqueName('drones'),
        uniqueName('history'),
        uniqueName('dead-letters'),
      ];
      await Promise.all([
        createStream(stack.clients, drones, 1),
        createStream(stack.clients, history, 1),
        createBucket(stack.clients, bucket),
      ]);
      const started = await actor.start(
        {
          clients: stack.clients,
          events: createEventHub(),
          metrics: new MetricsRegistry(),
          log: createLogger(actor.name, 'error'),
        },
        {
          ...stackEnv(stack),
          PRESTACOP_DRONE_STREAM: drones,
          PRESTACOP_HISTORY_STREAM: history,
          PRESTACOP_BUCKET: bucket,
        },
      );
      if (E.isLeft(started)) throw new Error(started.left.issues.join('; '));
      const running = started.right;
      try {
        assert.equal(running.deadLetters?.(), 0);
        await stack.clients.kinesis.send(
          new PutRecordCommand({
            StreamName: drones,
            PartitionKey: 'x',
            Data: Buffer.from('{"not":"a message"}'),
          }),
        );
        await waitFor(
          'one dead letter',
          () => running.deadLetters?.(),
          30_000,
          (n) => n === 1,
        );
      } finally {
        await running.stop();
      }
    });
});
