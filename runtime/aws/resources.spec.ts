import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { E } from '../codec.ts';
import {
  decodeResourceSpec,
  loadResourceSpec,
  loadResourceSpecOrThrow,
  withNamePrefix,
} from './resources.ts';

/** A declarations document of a made-up program: the runtime must take any roles, not a fixed list. */
const doc = () => ({
  $comment: 'dropped on decode',
  region: 'eu-west-1',
  streams: {
    orders: { name: 'shop-orders', shards: 2, retentionHours: 24 },
    audit: { name: 'shop-audit', shards: 1, retentionHours: 48 },
  },
  tables: { carts: { name: 'shop-carts', hashKey: 'id', ttlAttribute: 'expiresAt' } },
  buckets: { exports: { name: 'shop-exports' } },
  topics: { shipped: { name: 'shop-shipped' } },
  queues: { mailer: { name: 'shop-mailer', subscribeTo: 'shipped' } },
});

describe('resources > decodeResourceSpec', () => {
  it('decodes any roles, in the order declared, and types the roles asked for', () => {
    const r = decodeResourceSpec(doc(), { streams: ['orders'], queues: ['mailer'] });
    assert.ok(E.isRight(r));
    assert.equal(r.right.streams.orders.name, 'shop-orders'); // typed: no undefined
    assert.deepEqual(Object.keys(r.right.streams), ['orders', 'audit']); // undeclared roles stay
    assert.equal(r.right.queues.mailer.subscribeTo, 'shipped');
    assert.ok(!('$comment' in r.right));
  });

  it('lists every bad field, a missing role and a dangling subscription', () => {
    const raw = doc();
    (raw.streams.orders as { shards: unknown }).shards = 0;
    (raw.buckets.exports as { name: unknown }).name = 'Not_A_Bucket';
    const bad = decodeResourceSpec(raw);
    assert.ok(E.isLeft(bad));
    assert.equal(bad.left.issues.length, 2);
    assert.match(bad.left.issues.join('\n'), /orders\.shards.*PositiveInt/);
    assert.match(bad.left.issues.join('\n'), /exports\.name.*BucketName/);

    const r = decodeResourceSpec(
      { ...doc(), queues: { mailer: { name: 'shop-mailer', subscribeTo: 'nope' } } },
      { tables: ['carts', 'sessions'], topics: ['shipped'] },
    );
    assert.ok(E.isLeft(r));
    assert.deepEqual(r.left.issues, [
      'at .tables.sessions: missing (a role this program needs)',
      'at .queues.mailer.subscribeTo: no topic with key "nope"',
    ]);
  });

  it("keeps a queue's raw delivery and filter policy, and refuses a policy that is not attribute → values", () => {
    const queue = {
      name: 'shop-audit-log',
      subscribeTo: 'shipped',
      rawDelivery: true,
      filterPolicy: { type: ['order.shipped'] },
    };
    const r = decodeResourceSpec({ ...doc(), queues: { log: queue } });
    assert.ok(E.isRight(r));
    assert.deepEqual(r.right.queues.log, queue);
    const bad = decodeResourceSpec({
      ...doc(),
      queues: { log: { ...queue, rawDelivery: 'yes', filterPolicy: { type: 'order.shipped' } } },
    });
    assert.ok(E.isLeft(bad));
    assert.match(bad.left.issues.join('\n'), /queues\.log\..*rawDelivery: expected boolean/);
    assert.match(
      bad.left.issues.join('\n'),
      /queues\.log\..*filterPolicy\.type: expected Array<string>/,
    );
  });

  it('reads a file, and names it when it cannot be read', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'resources-')), 'resources.json');
    writeFileSync(path, JSON.stringify(doc()));
    assert.equal(
      loadResourceSpecOrThrow(path, { buckets: ['exports'] }).buckets.exports.name,
      'shop-exports',
    );
    const r = loadResourceSpec('/nonexistent/resources.json');
    assert.ok(E.isLeft(r));
    assert.match(r.left.issues[0]!, /\/nonexistent\/resources\.json: ENOENT/);
  });
});

describe('resources > withNamePrefix', () => {
  it('prefixes every name and keeps keys, sizes and references', () => {
    const spec = loadSpec();
    const p = withNamePrefix(spec, 't1-');
    assert.equal(p.streams.orders.name, 't1-shop-orders');
    assert.equal(p.streams.orders.shards, spec.streams.orders.shards);
    assert.equal(p.buckets.exports!.name, 't1-shop-exports');
    assert.equal(p.queues.mailer!.subscribeTo, 'shipped');
    assert.ok(E.isRight(decodeResourceSpec(p)));
  });

  it('refuses a prefix S3 would reject', () => {
    assert.throws(() => withNamePrefix(loadSpec(), 'Test_'), /not a valid prefix/);
  });
});

const loadSpec = () => {
  const r = decodeResourceSpec(doc(), { streams: ['orders'] });
  if (E.isLeft(r)) throw new Error(r.left.issues.join('\n'));
  return r.right;
};
