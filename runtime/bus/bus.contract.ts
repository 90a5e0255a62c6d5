/**
 * One suite, every adapter (connect's `StreamTests`): what an actor may rely on from any bus. Run it with
 * `busContract('memory', harness)` from a spec; the Kinesis adapter runs the same suite on the local stack.
 */
import assert from 'node:assert/strict';

import { firstValueFrom, type Observable, type Subscription } from 'rxjs';

import { E, encodeJson, t } from '../codec.ts';
import { type Bus, type Delivery, type Topic, topic } from './bus.ts';
import { codecEncoding, encodedBatch, encodedRecords, fastEncoding } from './encoded.ts';

/** What an adapter provides to the suite. */
export interface ContractHarness {
  /** A bus on the shared backend; a second call is a process restart (checkpoints persist, state does not). */
  readonly open: () => Promise<Bus>;
  /** A fresh, empty stream with `shards` shards; returns its name. */
  readonly newStream: (shards: number) => Promise<string>;
  readonly teardown?: () => Promise<void>;
  /** How long to wait for deliveries that must arrive (polling adapters are slower). */
  readonly patienceMs?: number;
  /** How long to wait to be sure nothing more arrives. */
  readonly quietMs?: number;
}

const Probe = t.type({ id: t.string, key: t.string, n: t.number }, 'Probe');
type Probe = t.TypeOf<typeof Probe>;
const probeTopic = (stream: string): Topic<Probe> => topic(stream, Probe, (p) => p.key);
const probes = (count: number, keys = 4, prefix = 'p'): Probe[] =>
  Array.from({ length: count }, (_, n) => ({ id: `${prefix}-${n}`, key: `k${n % keys}`, n }));

/** Collects deliveries until `done(items)` or the timeout; never throws on timeout (the caller asserts). */
export const collect = <A>(
  source: Observable<Delivery<A>>,
  done: (items: ReadonlyArray<Delivery<A>>) => boolean,
  timeoutMs: number,
  onEach: (d: Delivery<A>) => void = (d) => void d.ack(),
): Promise<Delivery<A>[]> =>
  new Promise((resolve, reject) => {
    const items: Delivery<A>[] = [];
    let sub: Subscription | undefined = undefined;
    const finish = () => {
      clearTimeout(timer);
      sub?.unsubscribe();
      resolve(items);
    };
    const timer = setTimeout(finish, timeoutMs);
    sub = source.subscribe({
      next: (d) => {
        items.push(d);
        onEach(d);
        if (done(items)) queueMicrotask(finish);
      },
      error: (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    });
  });

const ids = (ds: ReadonlyArray<Delivery<Probe>>): string[] =>
  ds.map((d) => (E.isRight(d.payload) ? d.payload.right.id : `invalid@${d.source.sequence}`));

/** Registers the suite. */
export const busContract = (name: string, setup: () => Promise<ContractHarness>): void => {
  describe(`Bus contract > ${name}`, function () {
    this.timeout(60_000);
    let h: ContractHarness;
    let bus: Bus;
    let patience = 5_000;
    let quiet = 300;

    before(async () => {
      h = await setup();
      patience = h.patienceMs ?? patience;
      quiet = h.quietMs ?? quiet;
    });
    beforeEach(async () => {
      bus = await h.open();
    });
    afterEach(async () => {
      await bus.close();
    });
    after(async () => {
      await h.teardown?.();
    });

    it('opens and closes with no subscription', async () => {
      const extra = await h.open();
      await extra.close();
    });

    it('delivers a published batch, decoded, once each when acknowledged', async () => {
      const tp = probeTopic(await h.newStream(2));
      await bus.publish(tp, probes(10));
      const got = await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => xs.length >= 10,
        patience,
      );
      assert.deepEqual(new Set(ids(got)), new Set(probes(10).map((p) => p.id)));
      assert.ok(got.every((d) => E.isRight(d.payload)));
    });

    it('delivers messages encoded ahead as publish would, in key order', async () => {
      const tp = probeTopic(await h.newStream(2));
      const batch = encodedBatch(fastEncoding(Probe, tp.partitionKey, (p) => JSON.stringify(p)));
      for (const p of probes(10, 2)) batch.add({ ...p, id: `é-${p.n}` }); // multi-byte: offsets are bytes
      await bus.publishEncoded(tp, encodedRecords(batch.done()));
      const byCodec = encodedBatch(codecEncoding(tp));
      byCodec.add(probes(1, 2, 'codec')[0]!);
      await bus.publishEncoded(tp, encodedRecords(byCodec.done()));
      const got = await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => xs.length >= 11,
        patience,
      );
      assert.deepEqual(
        new Set(ids(got)),
        new Set([...probes(10).map((p) => `é-${p.n}`), 'codec-0']),
      );
      for (const d of got)
        assert.ok(
          E.isRight(d.payload) && Buffer.from(d.raw).equals(encodeJson(Probe, d.payload.right)),
        );
      const k0 = got.flatMap((d) =>
        E.isRight(d.payload) && d.payload.right.key === 'k0' ? [d.payload.right.n] : [],
      );
      assert.deepEqual(k0, [0, 2, 4, 6, 8, 0]);
    });

    it('delivers 200 sequential publishes', async () => {
      const tp = probeTopic(await h.newStream(2));
      for (const p of probes(200)) await bus.publish(tp, [p]);
      const got = await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => new Set(ids(xs)).size >= 200,
        patience,
      );
      assert.equal(new Set(ids(got)).size, 200);
    });

    it('delivers 200 parallel publishes', async () => {
      const tp = probeTopic(await h.newStream(4));
      await Promise.all(probes(200).map((p) => bus.publish(tp, [p])));
      const got = await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => new Set(ids(xs)).size >= 200,
        patience,
      );
      assert.equal(new Set(ids(got)).size, 200);
    });

    it('keeps the order of one partition key', async () => {
      const tp = probeTopic(await h.newStream(4));
      await bus.publish(tp, probes(100, 3));
      const got = await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => xs.length >= 100,
        patience,
      );
      for (const key of ['k0', 'k1', 'k2']) {
        const ns = got.flatMap((d) =>
          E.isRight(d.payload) && d.payload.right.key === key ? [d.payload.right.n] : [],
        );
        assert.deepEqual(
          ns,
          [...ns].sort((a, b) => a - b),
          `order of ${key}`,
        );
      }
    });

    it('redelivers what was not acknowledged to the next subscriber of the application', async () => {
      const tp = probeTopic(await h.newStream(2));
      await bus.publish(tp, probes(40));
      const acked = new Set<string>();
      // Acknowledge only even numbers: every odd one must come back.
      await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => xs.length >= 40,
        patience,
        (d) => {
          if (E.isRight(d.payload) && d.payload.right.n % 2 === 0) {
            acked.add(d.payload.right.id);
            void d.ack();
          }
        },
      );
      await bus.close();
      bus = await h.open();
      const again = await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => {
          const seen = new Set(ids(xs));
          return probes(40).every((p) => acked.has(p.id) || seen.has(p.id));
        },
        patience,
      );
      const seen = new Set(ids(again));
      for (const p of probes(40))
        if (!acked.has(p.id)) assert.ok(seen.has(p.id), `${p.id} redelivered`);
    });

    it('resumes after the checkpoint: nothing acknowledged comes back, new messages do', async () => {
      const tp = probeTopic(await h.newStream(2));
      await bus.publish(tp, probes(30, 4, 'old'));
      await collect(bus.subscribe(tp, { application: 'a' }), (xs) => xs.length >= 30, patience);
      await bus.close();
      bus = await h.open();
      const sub = bus.subscribe(tp, { application: 'a' });
      const pending = collect(sub, (xs) => ids(xs).some((i) => i.startsWith('new')), patience);
      await new Promise((r) => setTimeout(r, quiet));
      await bus.publish(tp, probes(1, 1, 'new'));
      const got = ids(await pending);
      assert.deepEqual(got, ['new-0']);
    });

    it('keeps checkpoints apart per application', async () => {
      const tp = probeTopic(await h.newStream(1));
      await bus.publish(tp, probes(5));
      await collect(bus.subscribe(tp, { application: 'a' }), (xs) => xs.length >= 5, patience);
      const other = await collect(
        bus.subscribe(tp, { application: 'b' }),
        (xs) => xs.length >= 5,
        patience,
      );
      assert.equal(other.length, 5);
    });

    it('hands out undecodable records as failures, with the good ones around them', async () => {
      const stream = await h.newStream(1);
      const tp = probeTopic(stream);
      await bus.publish(tp, probes(1, 1, 'before'));
      await bus.publishRaw(stream, [
        { partitionKey: 'k0', data: Buffer.from('not json {') },
        { partitionKey: 'k0', data: Buffer.from(JSON.stringify({ id: 7 })) },
      ]);
      await bus.publish(tp, probes(1, 1, 'after'));
      const got = await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => xs.length >= 4,
        patience,
      );
      assert.equal(got.length, 4);
      const bad = got.filter((d) => E.isLeft(d.payload));
      assert.equal(bad.length, 2);
      for (const d of bad) {
        assert.ok(E.isLeft(d.payload) && d.payload.left.issues.length > 0);
        assert.ok(d.raw.length > 0);
      }
      assert.match(Buffer.from(bad[0]!.raw).toString(), /not json/);
    });

    it('stops handing out deliveries at maxInFlightPerShard until they are acknowledged', async () => {
      const tp = probeTopic(await h.newStream(1));
      await bus.publish(tp, probes(30, 1));
      const held: Array<Delivery<Probe>> = [];
      const first = await collect(
        bus.subscribe(tp, { application: 'a', maxInFlightPerShard: 5 }),
        () => false,
        Math.max(quiet * 3, 1_000),
        (d) => held.push(d),
      );
      assert.ok(first.length <= 5, `held back: got ${first.length}`);
      assert.ok(first.length >= 1);
    });

    it('tolerates duplicates: a message published twice is delivered, twice at most per publish', async () => {
      const tp = probeTopic(await h.newStream(1));
      const [p] = probes(1);
      await bus.publish(tp, [p!, p!]);
      const got = await collect(
        bus.subscribe(tp, { application: 'a' }),
        (xs) => xs.length >= 2,
        patience,
      );
      assert.deepEqual(ids(got), ['p-0', 'p-0']);
    });

    it('lets a consumer take the first delivery with plain rxjs', async () => {
      const tp = probeTopic(await h.newStream(1));
      await bus.publish(tp, probes(1));
      const d = await firstValueFrom(bus.subscribe(tp, { application: 'a' }));
      await d.ack();
      assert.ok(E.isRight(d.payload));
    });
  });
};
