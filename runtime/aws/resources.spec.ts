import assert from 'node:assert/strict';

import { E } from '../codec.ts';
import {
  decodeResources,
  loadResources,
  loadResourcesOrThrow,
  withNamePrefix,
} from './resources.ts';

/** The repository spec as plain, writable data, to break on purpose. */
interface Raw {
  streams: { drones: { shards: unknown } };
  buckets: { archive: { name: unknown } };
  queues: { console: { subscribeTo: unknown } };
}
const rawSpec = (): Raw => structuredClone(loadResourcesOrThrow());

describe('resources > config/resources.json', () => {
  it('decodes the repository file', () => {
    const spec = loadResourcesOrThrow();
    assert.equal(spec.streams.drones.name, 'prestacop-drones');
    assert.equal(spec.tables.messages.ttlAttribute, 'expiresAt');
    assert.equal(spec.queues.console.subscribeTo, 'alarms');
    assert.ok(!('$comment' in spec));
  });

  it('lists every bad field, and a dangling subscription', () => {
    const raw = rawSpec();
    raw.streams.drones.shards = 0;
    raw.buckets.archive.name = 'Not_A_Bucket';
    const bad = decodeResources(raw);
    assert.ok(E.isLeft(bad));
    assert.equal(bad.left.issues.length, 2);
    assert.match(bad.left.issues.join('\n'), /shards.*PositiveInt/);
    assert.match(bad.left.issues.join('\n'), /archive\.name.*BucketName/);

    const dangling = rawSpec();
    dangling.queues.console.subscribeTo = 'nope';
    const r = decodeResources(dangling);
    assert.ok(E.isLeft(r));
    assert.match(r.left.issues[0]!, /queues\.console\.subscribeTo: no topic with key "nope"/);
  });

  it('names the file when it cannot be read', () => {
    const r = loadResources('/nonexistent/resources.json');
    assert.ok(E.isLeft(r));
    assert.match(r.left.issues[0]!, /\/nonexistent\/resources\.json: ENOENT/);
  });
});

describe('resources > withNamePrefix', () => {
  it('prefixes every name and keeps keys, sizes and references', () => {
    const spec = loadResourcesOrThrow();
    const p = withNamePrefix(spec, 't1-');
    assert.equal(p.streams.drones.name, 't1-prestacop-drones');
    assert.equal(p.streams.drones.shards, spec.streams.drones.shards);
    assert.equal(p.buckets.archive.name, 't1-prestacop-archive');
    assert.equal(p.queues.console.subscribeTo, 'alarms');
    assert.ok(E.isRight(decodeResources(p)));
  });

  it('refuses a prefix S3 would reject', () => {
    assert.throws(() => withNamePrefix(loadResourcesOrThrow(), 'Test_'), /not a valid prefix/);
  });
});
