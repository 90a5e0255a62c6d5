import assert from 'node:assert/strict';

import { E } from '../../runtime/codec.ts';
import { decodeResources, loadResourcesOrThrow, RESOURCE_ROLES } from './resources.ts';

describe('protocol > resources (config/resources.json)', () => {
  it('decodes the repository file with every role', () => {
    const spec = loadResourcesOrThrow();
    assert.equal(spec.streams.drones.name, 'prestacop-drones');
    assert.equal(spec.tables.messages.ttlAttribute, 'expiresAt');
    assert.equal(spec.queues.console.subscribeTo, 'alarms');
    for (const [kind, roles] of Object.entries(RESOURCE_ROLES))
      assert.deepEqual(Object.keys(spec[kind as keyof typeof RESOURCE_ROLES]), roles, kind);
  });

  it('refuses a file without a role the actors need, naming it', () => {
    const raw = structuredClone(loadResourcesOrThrow()) as {
      tables: Partial<Record<string, unknown>>;
    };
    delete raw.tables.alarmEvents;
    const r = decodeResources(raw);
    assert.ok(E.isLeft(r));
    assert.deepEqual(r.left.issues, [
      'at .tables.alarmEvents: missing (a role this program needs)',
    ]);
  });
});
