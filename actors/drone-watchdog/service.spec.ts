import assert from 'node:assert/strict';

import type { DeadLetterRequest } from '../../runtime/actor.ts';
import { createMemoryBus } from '../../runtime/bus/memory.ts';
import { portFailure } from '../../runtime/errors.ts';
import { createEventHub } from '../../runtime/events.ts';
import { droneMessage } from '../../test/helpers/drone-messages.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import type { DroneWatchEvent } from '../protocol/drone-watch.ts';
import { startWatchdog } from './service.ts';

const message = (n: number) => droneMessage(1, n);

const setup = (publish: (e: DroneWatchEvent) => Promise<void>) => {
  const bus = createMemoryBus();
  const events = createEventHub();
  const letters: DeadLetterRequest[] = [];
  const watchdog = startWatchdog({
    bus,
    events,
    publisher: { publish },
    deadLetter: (l) => (letters.push(l), Promise.resolve()),
    stream: 'drones',
    silentAfterMs: 60,
    maxDrones: 10,
    tickMs: 10,
    retry: { initialMs: 1, factor: 1, jitter: 0, maxMs: 1, retries: 1 },
  });
  const send = (m: unknown) =>
    bus.publishRaw('drones', [{ partitionKey: 'k', data: Buffer.from(JSON.stringify(m)) }]);
  return { bus, watchdog, letters, send };
};

describe('DroneWatchdog > service (memory bus, wall clock)', () => {
  it('publishes drone.silent for a drone gone quiet, drone.back when it speaks, and dead-letters bad bytes', async () => {
    const published: DroneWatchEvent[] = [];
    const { watchdog, letters, send } = setup((e) => (published.push(e), Promise.resolve()));
    await waitFor('the watchdog running', () => watchdog.healthy(), 5_000);
    await send(message(1));
    await waitFor(
      'drone.silent',
      () => published.length,
      5_000,
      (n) => n >= 1,
    );
    await send(message(2));
    await send('not a drone message');
    await waitFor(
      'drone.back',
      () => published.length,
      5_000,
      (n) => n >= 2,
    );
    await waitFor(
      'the dead letter',
      () => letters.length,
      5_000,
      (n) => n >= 1,
    );
    await watchdog.stop();
    assert.deepEqual(
      published.slice(0, 2).map((e) => [e.type, e.droneId]),
      [
        ['drone.silent', 'drone-0001'],
        ['drone.back', 'drone-0001'],
      ],
    );
    assert.equal(letters[0]?.errorTag, 'DecodeFailure');
  });

  it('dead-letters a tick-born event whose topic keeps failing, with the event as its bytes', async () => {
    const { watchdog, letters, send } = setup(() =>
      Promise.reject(portFailure('sns', new Error('down'), true)),
    );
    await waitFor('the watchdog running', () => watchdog.healthy(), 5_000);
    await send(message(1));
    const [letter] = await waitFor(
      'the dead letter',
      () => letters,
      5_000,
      (l) => l.length >= 1,
    );
    await watchdog.stop();
    assert.equal(letter?.errorTag, 'RetriesExhausted');
    assert.equal(letter?.source.stream, 'drone-watchdog/tick');
    assert.match(Buffer.from(letter.raw).toString(), /"type":"drone.silent"/);
  });
});
