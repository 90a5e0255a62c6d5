import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { CATALOG, servicesJson } from './catalog.ts';

const committed = (): unknown =>
  JSON.parse(readFileSync(new URL('../config/services.json', import.meta.url), 'utf8'));

describe('Catalog > config/services.json', () => {
  it('is what the declarations give (run npm run gen:services after changing one)', () => {
    assert.deepEqual(committed(), JSON.parse(servicesJson()));
  });

  it('holds every declared actor with a deploy declaration, its env from the options declared with deploy', () => {
    const services = (JSON.parse(servicesJson()) as { services: Record<string, { env: object }> })
      .services;
    assert.deepEqual(Object.keys(services).sort(), CATALOG.map((e) => e.actor.name).sort());
    assert.deepEqual(services['drone-watchdog']?.env, {
      PRESTACOP_DRONE_STREAM: 'streams.drones.name',
      PRESTACOP_ALARM_TOPIC: 'topics.alarms.arn',
      PRESTACOP_LEASE_TABLE: 'tables.leases.name',
      PRESTACOP_BUCKET: 'bucket.name',
    });
  });
});
