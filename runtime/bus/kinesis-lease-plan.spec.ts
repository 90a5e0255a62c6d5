import assert from 'node:assert/strict';

import fc from 'fast-check';

import { LeaseObserver, type PlanLease, planLeases } from './kinesis-lease-plan.ts';
import { SHARD_END, TRIM_HORIZON } from './kinesis-leases.ts';

const lease = (shardId: string, owner?: string, extra: Partial<PlanLease> = {}): PlanLease => ({
  shardId,
  owner,
  counter: 1,
  checkpoint: TRIM_HORIZON,
  parentShardIds: [],
  expired: false,
  ...extra,
});
const four = (owner?: string) => ['s0', 's1', 's2', 's3'].map((s) => lease(s, owner));
const ids = (ls: ReadonlyArray<PlanLease>) => ls.map((l) => l.shardId);

describe('Bus > kinesis lease plan', () => {
  it('a lone worker takes every free lease', () => {
    const plan = planLeases({ me: 'a', leases: four(), held: new Set(), workers: [] });
    assert.deepEqual(ids(plan.take), ['s0', 's1', 's2', 's3']);
  });

  it('two live workers take half each of the free leases', () => {
    const plan = planLeases({ me: 'a', leases: four(), held: new Set(), workers: ['a', 'b'] });
    assert.equal(plan.take.length, 2);
  });

  it('a newcomer steals one lease at a time from a worker holding all of them', () => {
    const plan = planLeases({ me: 'b', leases: four('a'), held: new Set(), workers: ['a', 'b'] });
    assert.equal(plan.take.length, 0);
    assert.equal(plan.steal?.owner, 'a');
  });

  it('stops stealing at an even split, and never trades a lease back and forth', () => {
    const leases = [lease('s0', 'a'), lease('s1', 'a'), lease('s2', 'b'), lease('s3', 'b')];
    const plan = planLeases({ me: 'b', leases, held: new Set(['s2', 's3']), workers: ['a', 'b'] });
    assert.equal(plan.steal, undefined);
    const odd = [...leases, lease('s4', 'a')];
    const p2 = planLeases({
      me: 'b',
      leases: odd,
      held: new Set(['s2', 's3']),
      workers: ['a', 'b'],
    });
    assert.equal(p2.steal, undefined, '3 against 2 is balanced enough');
  });

  it('takes the expired leases of a worker that stopped renewing, up to its share', () => {
    const leases = [
      lease('s0', 'a'),
      lease('s1', 'a'),
      lease('s2', 'dead', { expired: true }),
      lease('s3', 'dead', { expired: true }),
    ];
    const plan = planLeases({ me: 'a', leases, held: new Set(['s0', 's1']), workers: ['a'] });
    assert.deepEqual(ids(plan.take), ['s2', 's3']);
    assert.equal(plan.workers, 1, 'a worker with only expired leases is not counted');
  });

  it('takes back its own leases first (a restarted process with the same id)', () => {
    const leases = [lease('s0', 'b', { expired: true }), lease('s1'), lease('s2', 'a')];
    const plan = planLeases({ me: 'a', leases, held: new Set(), workers: ['a', 'b'] });
    assert.deepEqual(ids(plan.take), ['s2', 's1']);
  });

  it('counts idle workers by their heartbeats', () => {
    const plan = planLeases({
      me: 'a',
      leases: four(),
      held: new Set(),
      workers: ['a', 'b', 'c', 'd'],
    });
    assert.equal(plan.take.length, 1);
  });

  it('reports held shards whose lease names another owner as lost', () => {
    const leases = [lease('s0', 'b'), lease('s1', 'a')];
    const plan = planLeases({ me: 'a', leases, held: new Set(['s0', 's1']), workers: ['a', 'b'] });
    assert.deepEqual(plan.lost, ['s0']);
  });

  it('finishes a parent before its children, and never takes a finished shard', () => {
    const children = [
      lease('c1', undefined, { parentShardIds: ['p'] }),
      lease('c2', undefined, { parentShardIds: ['p'] }),
    ];
    const open = planLeases({
      me: 'a',
      leases: [lease('p'), ...children],
      held: new Set(),
      workers: [],
    });
    assert.deepEqual(ids(open.take), ['p']);
    const done = [lease('p', undefined, { checkpoint: SHARD_END }), ...children];
    assert.deepEqual(
      ids(planLeases({ me: 'a', leases: done, held: new Set(), workers: [] }).take),
      ['c1', 'c2'],
    );
    const trimmed = planLeases({ me: 'a', leases: children, held: new Set(), workers: [] });
    assert.equal(trimmed.take.length, 2, 'a parent gone from the stream does not block');
  });

  it('waits for both parents of a merged shard', () => {
    const leases = [
      lease('p1', undefined, { checkpoint: SHARD_END }),
      lease('p2', 'b'),
      lease('m', undefined, { parentShardIds: ['p1', 'p2'] }),
    ];
    const plan = planLeases({ me: 'a', leases, held: new Set(), workers: ['a', 'b'] });
    assert.deepEqual(ids(plan.take), []);
  });

  it('converges: workers following the plan in turns end up with a fair split', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5 }), (shards, n) => {
        const workers = Array.from({ length: n }, (_, i) => `w${i}`);
        let owners = new Map<string, string | undefined>(
          Array.from({ length: shards }, (_, i) => [`s${i}`, undefined]),
        );
        for (let round = 0; round < 4 * shards + 4; round++)
          for (const me of workers) {
            const leases = [...owners].map(([s, o]) => lease(s, o));
            const held = new Set([...owners].filter(([, o]) => o === me).map(([s]) => s));
            const plan = planLeases({ me, leases, held, workers });
            owners = new Map(owners);
            for (const l of [...plan.take, ...(plan.steal ? [plan.steal] : [])])
              owners.set(l.shardId, me);
          }
        const counts = workers.map((w) => [...owners.values()].filter((o) => o === w).length);
        assert.ok(
          [...owners.values()].every((o) => o !== undefined),
          'every shard owned',
        );
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `split ${counts.join('/')}`);
      }),
    ));
});

describe('Bus > kinesis lease observer', () => {
  it('expires a lease whose counter has not moved for the timeout, on its own clock', () => {
    const o = new LeaseObserver(1_000);
    const l = lease('s0', 'b');
    assert.equal(o.leaseExpired(l, 0), false, 'first sight is never expired');
    assert.equal(o.leaseExpired(l, 999), false);
    assert.equal(o.leaseExpired(l, 1_000), true);
    assert.equal(
      o.leaseExpired({ ...l, counter: 2 }, 1_500),
      false,
      'a renewal restarts the clock',
    );
    assert.equal(o.leaseExpired({ ...l, counter: 2 }, 2_400), false);
    assert.equal(o.leaseExpired({ ...l, owner: undefined, counter: 2 }, 9_000), false);
  });

  it('tells alive workers from long-dead ones by their heartbeats', () => {
    const o = new LeaseObserver(1_000);
    o.workers(
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
      0,
    );
    const later = o.workers(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
      1_500,
    );
    assert.deepEqual(later.alive, ['a']);
    assert.deepEqual(later.dead, []);
    const much = o.workers(
      new Map([
        ['a', 3],
        ['b', 1],
      ]),
      3_000,
    );
    assert.deepEqual(much.dead, [{ worker: 'b', beat: 1 }]);
  });
});
