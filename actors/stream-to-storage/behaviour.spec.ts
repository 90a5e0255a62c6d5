import assert from 'node:assert/strict';

import { TestScheduler } from 'rxjs/testing';

import type { DroneMessage } from '../protocol/drone-message.ts';
import type { NypdTicket } from '../protocol/nypd-ticket.ts';
import { storageWriter } from './behaviour.ts';

const drone = {
  type: 'drone.message',
  v: 1,
  id: 'drone-0001:0',
  droneId: 'drone-0001',
  seq: 0,
  time: '2026-11-27T18:00:00.000Z',
  location: { lat: 40.75, lon: -73.98 },
} as unknown as DroneMessage;
const ticket = {
  type: 'nypd.ticket',
  v: 1,
  id: 'nypd:1',
  summonsNumber: '1',
} as unknown as NypdTicket;

describe('StreamToStorage > behaviour', () => {
  let ts: TestScheduler;
  beforeEach(() => (ts = new TestScheduler((a, e) => assert.deepEqual(a, e))));
  const writer = storageWriter({ hotTypes: ['drone.message'] });

  it('stores drone messages in the hot table and the archive, history in the archive only: one command each', () =>
    ts.run(({ cold, expectObservable }) => {
      const in$ = cold('-d----t-|', { d: drone, t: ticket });
      expectObservable(writer(in$)).toBe('-p----h-|', {
        p: { kind: 'store', message: drone, hot: true },
        h: { kind: 'store', message: ticket, hot: false },
      });
    }));

  it('completes on an empty source and passes errors through', () =>
    ts.run(({ cold, expectObservable }) => {
      expectObservable(writer(cold('|'))).toBe('|');
      expectObservable(writer(cold('-#'))).toBe('-#');
    }));

  it('unsubscribes from its source when torn down', () =>
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('-d-d-d-d', { d: drone });
      expectObservable(writer(src), '^--!').toBe('-p-', {
        p: { kind: 'store', message: drone, hot: true },
      });
      expectSubscriptions(src.subscriptions).toBe('^--!');
    }));
});
