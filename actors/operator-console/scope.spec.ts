import assert from 'node:assert/strict';

import { alarmRaised } from '../../test/helpers/messages.ts';
import { type AlarmRaised, toAlarmEscalated, toAlarmResolved } from '../protocol/alarm.ts';
import { toDroneSilent } from '../protocol/drone-watch.ts';
import { droneIdOf, type MessageId } from '../protocol/primitives.ts';
import { utcTimeOf } from '../protocol/time.ts';
import { createMemoryDecisionStore, createMemoryFeed, memoryAlarmSource } from './memory.ts';
import type { FeedItem } from './ports.ts';
import { scopeAlarms } from './scope.ts';

const alarm = (id: string): AlarmRaised => alarmRaised(id, 2_000, { time: utcTimeOf(1_000) });
const ours = 'drone-0001:1';
const theirs = 'drone-0002:1';
const escalation = (alarmId: string) =>
  toAlarmEscalated({
    alarmId: alarmId as MessageId,
    level: 1,
    reason: 'unacknowledged',
    afterMs: 1,
    escalatedAt: utcTimeOf(3_000),
  });
const resolution = (alarmId: string) =>
  toAlarmResolved({
    alarmId: alarmId as MessageId,
    decision: 'acknowledged',
    by: 'op',
    at: utcTimeOf(3_000),
  });

describe('operator console > scope (only some alarms)', () => {
  const accept = (id: string) => id === ours;

  it('loads only the accepted alarms from the store', async () => {
    const { alarms } = scopeAlarms(accept, {
      alarms: memoryAlarmSource([alarm(ours), alarm(theirs)]),
      store: createMemoryDecisionStore(),
      feed: createMemoryFeed(),
    });
    assert.deepEqual(
      (await alarms.load(0)).map((a) => a.id),
      [ours],
    );
  });

  it('loads only the decisions and escalations of accepted alarms; records as before', async () => {
    const memory = createMemoryDecisionStore();
    for (const id of [ours, theirs]) {
      await memory.escalate(escalation(id));
      await memory.decide(resolution(id));
    }
    const { store } = scopeAlarms(accept, {
      alarms: memoryAlarmSource([]),
      store: memory,
      feed: createMemoryFeed(),
    });
    const loaded = await store.load();
    assert.deepEqual(
      loaded.resolutions.map((r) => r.alarmId),
      [ours],
    );
    assert.deepEqual(
      loaded.escalations.map((e) => e.event.alarmId),
      [ours],
    );
    assert.equal((await store.decide(resolution(ours)))._tag, 'rejected'); // the same store underneath
  });

  it('passes on the accepted events of the feed, and every undecodable body; asks at each delivery', () => {
    const feed = createMemoryFeed();
    const accepted = new Set<string>();
    const scoped = scopeAlarms((id) => accepted.has(id), {
      alarms: memoryAlarmSource([]),
      store: createMemoryDecisionStore(),
      feed,
    });
    const seen: FeedItem[] = [];
    const running = scoped.feed.start((item) => seen.push(item));
    const raised: FeedItem = { _tag: 'event', event: alarm(ours) };
    feed.push(raised); // not (yet) ours
    accepted.add(ours);
    feed.push(raised);
    feed.push({ _tag: 'event', event: alarm(theirs) });
    feed.push({ _tag: 'event', event: escalation(theirs) });
    feed.push({ _tag: 'event', event: resolution(ours) });
    feed.push({ _tag: 'undecodable', reason: 'not json', body: 'x' });
    feed.push({ _tag: 'drone', event: silentDrone });
    assert.deepEqual(
      seen.map((i) =>
        i._tag === 'undecodable'
          ? 'undecodable'
          : i._tag === 'drone'
            ? i.event.type
            : `${i.event.type} ${alarmIdOf(i)}`,
      ),
      [`alarm.raised ${ours}`, `alarm.resolved ${ours}`, 'undecodable', 'drone.silent'],
    );
    return running.stop();
  });
});

const silentDrone = toDroneSilent({
  droneId: droneIdOf(1),
  lastSeenAt: utcTimeOf(0),
  silentAfterMs: 30_000,
  raisedAt: utcTimeOf(30_000),
});

const alarmIdOf = (i: Extract<FeedItem, { _tag: 'event' }>) =>
  i.event.type === 'alarm.raised' ? i.event.id : i.event.alarmId;
